package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tollgate/tollgate"
)

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTable writes rows under a header, aligned.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func managedBy(configKey string) string {
	if configKey == "" {
		return "cli"
	}
	return "config"
}

// owner says, for people, who manages an object: "cli", "config seed",
// "stack Orders" (the JSON views keep managedBy's stable values).
func owner(configKey string) string {
	if name, _, ok := tollgate.SplitConfigKey(configKey); ok {
		return "config " + name
	}
	if stack, _, ok := tollgate.SplitStackKey(configKey); ok {
		return "stack " + stack
	}
	return managedBy(configKey)
}

// The JSON views use the field names of Cognito's API so that output can be
// compared with, or fed to, tools written for it. They never carry hashes
// or sealed values.

type poolView struct {
	ID           string    `json:"Id"`
	Name         string    `json:"Name"`
	Region       string    `json:"Region"`
	Issuer       string    `json:"Issuer,omitempty"`
	ManagedBy    string    `json:"ManagedBy"`
	ConfigKey    string    `json:"ConfigKey,omitempty"`
	CreationDate time.Time `json:"CreationDate"`
	// OAuth are the pool's extensions beyond Cognito (pools.go), absent
	// for a Cognito pool.
	OAuth *poolOAuthView `json:"OAuth,omitempty"`
}

func newPoolView(p *tollgate.UserPool) poolView {
	return poolView{ID: p.ID, Name: p.Name, Region: p.Region, ManagedBy: managedBy(p.ConfigKey), ConfigKey: p.ConfigKey, CreationDate: p.CreatedAt,
		OAuth: newPoolOAuthView(p.OAuth)}
}

type secretView struct {
	ClientSecretID         string    `json:"ClientSecretId"`
	ClientSecretValue      string    `json:"ClientSecretValue,omitempty"`
	ClientSecretCreateDate time.Time `json:"ClientSecretCreateDate"`
}

type validityUnits struct {
	AccessToken  tollgate.TimeUnit `json:"AccessToken"`
	IDToken      tollgate.TimeUnit `json:"IdToken"`
	RefreshToken tollgate.TimeUnit `json:"RefreshToken"`
}

type clientView struct {
	ClientID             string        `json:"ClientId"`
	ClientName           string        `json:"ClientName"`
	UserPoolID           string        `json:"UserPoolId"`
	ClientSecret         string        `json:"ClientSecret,omitempty"`
	Secrets              []secretView  `json:"ClientSecrets"`
	AllowedOAuthFlows    []string      `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes   []string      `json:"AllowedOAuthScopes"`
	AccessTokenValidity  int64         `json:"AccessTokenValidity"`
	IDTokenValidity      int64         `json:"IdTokenValidity"`
	RefreshTokenValidity int64         `json:"RefreshTokenValidity"`
	TokenValidityUnits   validityUnits `json:"TokenValidityUnits"`
	ManagedBy            string        `json:"ManagedBy"`
	ConfigKey            string        `json:"ConfigKey,omitempty"`
	CreationDate         time.Time     `json:"CreationDate"`
	LastModifiedDate     time.Time     `json:"LastModifiedDate"`
	// OAuth are the client's extensions beyond Cognito (clients.go),
	// absent for a Cognito client.
	OAuth *clientOAuthView `json:"OAuth,omitempty"`
}

// newClientView renders a client; revealed maps secret ids to plaintext
// for the secrets the user asked to see.
func newClientView(c *tollgate.Client, revealed map[string]string) clientView {
	v := clientView{
		ClientID: c.ID, ClientName: c.Name, UserPoolID: c.PoolID,
		Secrets:              []secretView{},
		AllowedOAuthFlows:    append([]string{}, c.AllowedOAuthFlows...),
		AllowedOAuthScopes:   append([]string{}, c.AllowedOAuthScopes...),
		AccessTokenValidity:  c.AccessTokenValidity.Value,
		IDTokenValidity:      c.IDTokenValidity.Value,
		RefreshTokenValidity: c.RefreshTokenValidity.Value,
		TokenValidityUnits:   validityUnits{c.AccessTokenValidity.Unit, c.IDTokenValidity.Unit, c.RefreshTokenValidity.Unit},
		ManagedBy:            managedBy(c.ConfigKey),
		ConfigKey:            c.ConfigKey,
		CreationDate:         c.CreatedAt,
		LastModifiedDate:     c.UpdatedAt,
		OAuth:                newClientOAuthView(c.OAuth),
	}
	for _, s := range c.Secrets {
		v.Secrets = append(v.Secrets, secretView{ClientSecretID: s.ID, ClientSecretValue: revealed[s.ID], ClientSecretCreateDate: s.CreatedAt})
	}
	if len(c.Secrets) > 0 {
		// Cognito's DescribeUserPoolClient shows one ClientSecret: the first.
		v.ClientSecret = revealed[c.Secrets[0].ID]
	}
	return v
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
