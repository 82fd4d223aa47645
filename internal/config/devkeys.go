package config

import (
	"fmt"
	"reflect"

	"github.com/tollgate/tollgate"
)

// Keys a development server generates for a client (`tollgate dev`), by
// what the client declares and lacks. NeedsGeneratedKeys returns one of
// them, or "" when the client needs nothing generated.
const (
	// GenerateAssertionKey: a private_key_jwt client declaring no keys (no
	// jwks, jwksFile or jwksUri). Dev generates a key pair and sets the
	// public key as the client's JWKS (Client.SetJWKS) before Check.
	GenerateAssertionKey = "private_key_jwt"
	// GenerateCACertificate: a tls_client_auth client. Its certificate is
	// never part of the config: dev issues one from its CA carrying the
	// name the client declares. A client declaring no name gets
	// tlsClientAuth.subjectDn "CN={userPoolClientName}" from
	// Client.SetDefaultTLSName, which dev calls before Check.
	GenerateCACertificate = "tls_client_auth"
	// GenerateSelfSignedCertificate: a self_signed_tls_client_auth client
	// declaring no keys. Dev generates a self-signed certificate and sets
	// a JWKS holding its public key with the certificate in x5c
	// (Client.SetJWKS) before Check.
	GenerateSelfSignedCertificate = "self_signed_tls_client_auth"
)

// NeedsGeneratedKeys tells a development server what it must generate for
// the client before its config is checked: GenerateAssertionKey,
// GenerateCACertificate, GenerateSelfSignedCertificate or "" (nothing: a
// client with a secret, or one whose keys are declared).
func (cl *Client) NeedsGeneratedKeys() string {
	noKeys := len(cl.JWKS) == 0 && cl.JWKSFile == "" && cl.JWKSURI == ""
	switch cl.TokenEndpointAuthMethod {
	case tollgate.AuthPrivateKeyJWT:
		if noKeys {
			return GenerateAssertionKey
		}
	case tollgate.AuthTLSClient:
		return GenerateCACertificate
	case tollgate.AuthSelfSignedTLSClient:
		if noKeys {
			return GenerateSelfSignedCertificate
		}
	}
	return ""
}

// SetJWKS sets the client's inline JWKS to jwks, the JSON of a JWK Set
// (RFC 7517 §5) of public keys. Check then validates it as if the file
// declared it.
func (cl *Client) SetJWKS(jwks []byte) error {
	m, err := decodeJWKSObject(jwks)
	if err != nil {
		return err
	}
	cl.JWKS = m
	return nil
}

// SetDefaultTLSName gives a tls_client_auth client that declares no
// certificate name the subject DN "CN={userPoolClientName}" (its id when
// it has no name), and returns the name the certificate must carry.
func (cl *Client) SetDefaultTLSName() TLSClientAuth {
	if cl.TLSClientAuth == nil || *cl.TLSClientAuth == (TLSClientAuth{}) {
		name := cl.UserPoolClientName
		if name == "" {
			name = cl.ID
		}
		cl.TLSClientAuth = &TLSClientAuth{SubjectDN: "CN=" + name}
	}
	return *cl.TLSClientAuth
}

// ParseWith is Parse with a step between decoding and checking: prepare
// may fill in what the file leaves to be generated (a development
// server's client keys, see Client.NeedsGeneratedKeys) on the decoded
// Config, whose defaults are not yet filled (a client's
// userPoolClientName may be empty: its ID names it then). prepare is not
// called when the file cannot be decoded; an error it returns is a
// problem of the file as a whole.
func ParseWith(filename string, data []byte, prepare func(*Config) error) (*Config, error) {
	r := newReport(filename)
	if len(data) > MaxFileSize {
		r.addAt(position{}, "", fmt.Sprintf("the file is larger than %d MiB", MaxFileSize>>20))
		return nil, r.err()
	}
	body := parseYAML(r, data)
	if body == nil {
		return nil, r.err()
	}
	cfg := &Config{File: filename}
	newDecoder(r, body).decode(body, "", reflect.ValueOf(cfg).Elem())
	if prepare != nil && len(r.problems) == 0 {
		if err := prepare(cfg); err != nil {
			r.addAt(position{}, "", err.Error())
			return nil, r.err()
		}
	}
	cfg.check(r)
	if err := r.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// LoadWith is Load with ParseWith's prepare step.
func LoadWith(path string, prepare func(*Config) error) (*Config, error) {
	data, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	return ParseWith(path, data, prepare)
}
