package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// defaultServerURL is where tollgate token looks for the server when neither
// --url nor TOLLGATE_URL says: serve's and dev's default listen address.
const defaultServerURL = "http://127.0.0.1:8080"

func (a *app) tokenCommand() *cobra.Command {
	var clientID, secret, scope, endpoint string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "token --client-id ID",
		Short: "Get an access token from a running server, for testing (the secret is revealed from the store if not given)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if secret == "" {
				err := a.withStoreAndVault(ctx, func(s *session) error {
					var err error
					secret, err = revealFirst(ctx, s.st, s.vault, clientID)
					return err
				})
				if err != nil {
					return err
				}
				if secret == "" {
					return fmt.Errorf("client %s has no secret", clientID)
				}
			}
			body, err := requestToken(ctx, endpoint, clientID, secret, scope)
			if err != nil {
				return err
			}
			if asJSON {
				_, err = a.stdout.Write(body)
				return err
			}
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(body, &tok); err != nil {
				return fmt.Errorf("token endpoint answered with a body that is not a token response: %w", err)
			}
			_, err = fmt.Fprintln(a.stdout, tok.AccessToken)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&clientID, "client-id", "", "the client")
	f.StringVar(&secret, "client-secret", "", "its secret (default: revealed from the store with the master key)")
	f.StringVar(&scope, "scope", "", "space-separated scopes to request (default: all the client's scopes)")
	f.StringVar(&endpoint, "url", envOr("TOLLGATE_URL", defaultServerURL), "the server's base URL, as dev and serve print it (env TOLLGATE_URL)")
	f.BoolVar(&asJSON, "json", false, "print the whole token response")
	_ = cmd.MarkFlagRequired("client-id")
	return cmd
}

// requestToken asks the token endpoint of the server at endpoint for a
// client_credentials token and returns the body of its 200 answer.
func requestToken(ctx context.Context, endpoint, clientID, secret, scope string) ([]byte, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	tokenURL := strings.TrimSuffix(endpoint, "/") + "/oauth2/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("nothing listens at %s (connection refused): start the server (tollgate dev, tollgate serve), or tell where it runs with --url or the TOLLGATE_URL environment variable", endpoint)
		}
		return nil, fmt.Errorf("POST %s: %w (is the server running there? --url or TOLLGATE_URL tells where it is)", tokenURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token endpoint answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}
