package domain

import (
	"errors"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// ErrBadOAuth is the cause of a refusal of a pool's or a client's
// extensions beyond Cognito: its message says which rule.
var ErrBadOAuth = errors.New("invalid OAuth 2 settings")

func badOAuth(format string, args ...any) error {
	return refused(tollgate.KindInvalid, ErrBadOAuth, format, args...)
}

// authenticatesWithoutSecret reports whether a client of these settings
// authenticates with a key or a certificate, which lets it use
// client_credentials without a secret.
func authenticatesWithoutSecret(o tollgate.ClientOAuth) bool {
	switch o.AuthMethod {
	case tollgate.AuthPrivateKeyJWT, tollgate.AuthTLSClient, tollgate.AuthSelfSignedTLSClient:
		return true
	}
	return false
}

// checkPoolOAuth checks a pool's extensions under the config's rules.
func checkPoolOAuth(o tollgate.PoolOAuth) error {
	if o.SigningAlgorithm != "" && !slices.Contains(tollgate.SigningAlgorithms, o.SigningAlgorithm) {
		return badOAuth("invalid signing algorithm %q: want one of RS256, ES256, EdDSA", o.SigningAlgorithm)
	}
	if d := o.DPoP; d != nil && d.MaxAge != 0 && (d.MaxAge < time.Second || d.MaxAge > 10*time.Minute) {
		return badOAuth("a DPoP proof's max age must be 1s to 10m, got %s", d.MaxAge)
	}
	return nil
}

// checkClientOAuth checks a client's extensions under the config's rules.
func checkClientOAuth(o tollgate.ClientOAuth) error {
	if o.JWKS != "" && o.JWKSURI != "" {
		return badOAuth("a client has a JWKS or a JWKS URI, not both")
	}
	switch o.AuthMethod {
	case "", tollgate.AuthClientSecretBasic, tollgate.AuthClientSecretPost:
		if o.JWKS != "" || o.JWKSURI != "" {
			return badOAuth("a client authenticating with a secret has no JWKS")
		}
	case tollgate.AuthPrivateKeyJWT:
		if o.JWKS == "" && o.JWKSURI == "" {
			return badOAuth("private_key_jwt needs the client's public keys: a JWKS or a JWKS URI")
		}
	case tollgate.AuthTLSClient:
		n := 0
		for _, v := range []string{o.TLS.SubjectDN, o.TLS.SANDNS, o.TLS.SANURI, o.TLS.SANIP, o.TLS.SANEmail} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			return badOAuth("tls_client_auth needs exactly one name of the client's certificate (subject DN or a SAN), got %d", n)
		}
	case tollgate.AuthSelfSignedTLSClient:
		if o.JWKS == "" && o.JWKSURI == "" {
			return badOAuth("self_signed_tls_client_auth needs the client's certificates in x5c of a JWKS")
		}
	default:
		return badOAuth("invalid token endpoint auth method %q", o.AuthMethod)
	}
	if o.JWKS != "" {
		if err := config.CheckJWKS([]byte(o.JWKS), o.AuthMethod); err != nil {
			return badOAuth("invalid JWKS: %v", err)
		}
	}
	if o.JWKSURI != "" {
		if err := config.CheckJWKSURI(o.JWKSURI); err != nil {
			return badOAuth("%v", err)
		}
	}
	return nil
}
