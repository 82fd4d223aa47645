package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tollgate/tollgate"
)

// poolOAuthJSON is the oauth column of pools (tollgate.PoolOAuth). Fields
// are never renamed; it is read strictly. Durations are Go durations
// ("1m0s").
type poolOAuthJSON struct {
	SigningAlgorithm string            `json:"signingAlgorithm,omitempty"`
	AccessTokenJWT   bool              `json:"accessTokenJwt,omitempty"`
	Resources        bool              `json:"resourceIndicators,omitempty"`
	DPoP             *dpopJSON         `json:"dpop,omitempty"`
	MTLS             bool              `json:"mtls,omitempty"`
	Registration     *registrationJSON `json:"registration,omitempty"`
}

type dpopJSON struct {
	Algorithms []string `json:"algorithms,omitempty"`
	MaxAge     string   `json:"maxAge,omitempty"`
}

type registrationJSON struct {
	Scopes             []string `json:"scopes,omitempty"`
	AuthMethods        []string `json:"authMethods,omitempty"`
	InitialAccessScope string   `json:"initialAccessScope,omitempty"`
	MaxClients         int      `json:"maxClients,omitempty"`
}

// clientOAuthJSON is the oauth column of clients (tollgate.ClientOAuth).
// Fields are never renamed; it is read strictly. JWKS is the client's
// public keys as registered.
type clientOAuthJSON struct {
	AuthMethod       string     `json:"authMethod,omitempty"`
	JWKS             string     `json:"jwks,omitempty"`
	JWKSURI          string     `json:"jwksUri,omitempty"`
	TLS              *tlsJSON   `json:"tls,omitempty"`
	RequireDPoP      bool       `json:"requireDpop,omitempty"`
	CertificateBound bool       `json:"certificateBound,omitempty"`
	Registered       *time.Time `json:"registered,omitempty"` // RFC 3339, to the microsecond
}

type tlsJSON struct {
	SubjectDN string `json:"subjectDn,omitempty"`
	SANDNS    string `json:"sanDns,omitempty"`
	SANURI    string `json:"sanUri,omitempty"`
	SANIP     string `json:"sanIp,omitempty"`
	SANEmail  string `json:"sanEmail,omitempty"`
}

// encodePoolOAuth encodes a pool's OAuth for its column: NULL (nil) when
// it is the zero value, as a pool older than the column reads.
func encodePoolOAuth(o tollgate.PoolOAuth) (any, error) {
	if o == (tollgate.PoolOAuth{}) {
		return nil, nil
	}
	doc := poolOAuthJSON{SigningAlgorithm: o.SigningAlgorithm, AccessTokenJWT: o.AccessTokenJWT, Resources: o.ResourceIndicators, MTLS: o.MTLS}
	if o.DPoP != nil {
		doc.DPoP = &dpopJSON{Algorithms: o.DPoP.Algorithms}
		if o.DPoP.MaxAge != 0 {
			doc.DPoP.MaxAge = o.DPoP.MaxAge.String()
		}
	}
	if r := o.Registration; r != nil {
		doc.Registration = &registrationJSON{Scopes: r.Scopes, AuthMethods: r.AuthMethods,
			InitialAccessScope: r.InitialAccessScope, MaxClients: r.MaxClients}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode pool oauth: %w", err)
	}
	return string(b), nil
}

// decodePoolOAuth decodes a pool's oauth column: the zero value for NULL.
func decodePoolOAuth(col sql.NullString) (tollgate.PoolOAuth, error) {
	var o tollgate.PoolOAuth
	if !col.Valid {
		return o, nil
	}
	var doc poolOAuthJSON
	if err := decodeStrict(col.String, &doc); err != nil {
		return o, fmt.Errorf("decode pool oauth: %w", err)
	}
	o = tollgate.PoolOAuth{SigningAlgorithm: doc.SigningAlgorithm, AccessTokenJWT: doc.AccessTokenJWT, ResourceIndicators: doc.Resources, MTLS: doc.MTLS}
	if doc.DPoP != nil {
		o.DPoP = &tollgate.DPoPPolicy{Algorithms: doc.DPoP.Algorithms}
		if doc.DPoP.MaxAge != "" {
			d, err := time.ParseDuration(doc.DPoP.MaxAge)
			if err != nil {
				return o, fmt.Errorf("decode pool oauth: %w", err)
			}
			o.DPoP.MaxAge = d
		}
	}
	if r := doc.Registration; r != nil {
		o.Registration = &tollgate.RegistrationPolicy{Scopes: r.Scopes, AuthMethods: r.AuthMethods,
			InitialAccessScope: r.InitialAccessScope, MaxClients: r.MaxClients}
	}
	return o, nil
}

// encodeClientOAuth encodes a client's OAuth for its column: NULL (nil)
// when it is the zero value (a Cognito client).
func encodeClientOAuth(o tollgate.ClientOAuth) (any, error) {
	if o == (tollgate.ClientOAuth{}) {
		return nil, nil
	}
	doc := clientOAuthJSON{AuthMethod: o.AuthMethod, JWKS: o.JWKS, JWKSURI: o.JWKSURI,
		RequireDPoP: o.RequireDPoP, CertificateBound: o.CertificateBound}
	if o.TLS != (tollgate.TLSClientAuth{}) {
		doc.TLS = &tlsJSON{SubjectDN: o.TLS.SubjectDN, SANDNS: o.TLS.SANDNS, SANURI: o.TLS.SANURI,
			SANIP: o.TLS.SANIP, SANEmail: o.TLS.SANEmail}
	}
	if !o.Registered.IsZero() {
		r := o.Registered.UTC().Truncate(time.Microsecond) // as every time the store keeps
		doc.Registered = &r
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode client oauth: %w", err)
	}
	return string(b), nil
}

// decodeClientOAuth decodes a client's oauth column: the zero value for
// NULL.
func decodeClientOAuth(col sql.NullString) (tollgate.ClientOAuth, error) {
	var o tollgate.ClientOAuth
	if !col.Valid {
		return o, nil
	}
	var doc clientOAuthJSON
	if err := decodeStrict(col.String, &doc); err != nil {
		return o, fmt.Errorf("decode client oauth: %w", err)
	}
	o = tollgate.ClientOAuth{AuthMethod: doc.AuthMethod, JWKS: doc.JWKS, JWKSURI: doc.JWKSURI,
		RequireDPoP: doc.RequireDPoP, CertificateBound: doc.CertificateBound}
	if t := doc.TLS; t != nil {
		o.TLS = tollgate.TLSClientAuth{SubjectDN: t.SubjectDN, SANDNS: t.SANDNS, SANURI: t.SANURI, SANIP: t.SANIP, SANEmail: t.SANEmail}
	}
	if doc.Registered != nil {
		o.Registered = doc.Registered.UTC()
	}
	return o, nil
}
