package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testOAuth checks that pools' and clients' extensions beyond Cognito
// (PoolOAuth, ClientOAuth) are kept as created and updated, and read by
// every read; zero ones stay zero, and clearing them gives the zero value.
func testOAuth(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	p := newPool("extended")
	p.OAuth = tollgate.PoolOAuth{
		SigningAlgorithm:   tollgate.AlgES256,
		AccessTokenJWT:     true,
		ResourceIndicators: true,
		DPoP:               &tollgate.DPoPPolicy{Algorithms: []string{"ES256", "EdDSA"}, MaxAge: 90 * time.Second},
		MTLS:               true,
		Registration: &tollgate.RegistrationPolicy{Scopes: []string{"default/read"},
			AuthMethods: []string{tollgate.AuthPrivateKeyJWT}, InitialAccessScope: "admin/register", MaxClients: 5},
	}
	wantNoError(t, "CreatePool with oauth", s.CreatePool(ctx, p))
	plain := mustCreatePool(t, s, "plain")

	jwt := newClient(p.ID, "jwt")
	jwt.OAuth = tollgate.ClientOAuth{AuthMethod: tollgate.AuthPrivateKeyJWT,
		JWKS:        `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		RequireDPoP: true, Registered: at(time.Minute + 1500*time.Nanosecond).In(time.FixedZone("X", 3600))}
	mtls := newClient(p.ID, "mtls")
	mtls.OAuth = tollgate.ClientOAuth{AuthMethod: tollgate.AuthTLSClient,
		TLS: tollgate.TLSClientAuth{SubjectDN: "CN=orders,O=Example"}, CertificateBound: true}
	cognito := newClient(p.ID, "cognito")
	for _, c := range []*tollgate.Client{jwt, mtls, cognito} {
		mustCreateClient(t, s, c)
	}
	jwt.OAuth.Registered = at(time.Minute + time.Microsecond) // kept to the microsecond, in UTC
	checkPoolsAndClients(t, s, "as created", []*tollgate.UserPool{p, plain}, []*tollgate.Client{cognito, jwt, mtls})

	p.OAuth = tollgate.PoolOAuth{SigningAlgorithm: tollgate.AlgEdDSA, DPoP: &tollgate.DPoPPolicy{}}
	p.UpdatedAt = at(time.Hour)
	wantNoError(t, "UpdatePool", s.UpdatePool(ctx, p, tollgate.AnyOwner))
	plain.OAuth = tollgate.PoolOAuth{MTLS: true}
	wantNoError(t, "UpdatePool", s.UpdatePool(ctx, plain, tollgate.AnyOwner))
	jwt.OAuth = tollgate.ClientOAuth{}
	mtls.OAuth = tollgate.ClientOAuth{AuthMethod: tollgate.AuthSelfSignedTLSClient, JWKSURI: "https://client.example/jwks.json"}
	cognito.OAuth = tollgate.ClientOAuth{RequireDPoP: true}
	for _, c := range []*tollgate.Client{jwt, mtls, cognito} {
		wantNoError(t, "UpdateClient "+c.Name, s.UpdateClient(ctx, c, tollgate.AnyOwner))
	}
	checkPoolsAndClients(t, s, "updated", []*tollgate.UserPool{p, plain}, []*tollgate.Client{cognito, jwt, mtls})

	p.OAuth = tollgate.PoolOAuth{}
	wantNoError(t, "UpdatePool clearing", s.UpdatePool(ctx, p, tollgate.AnyOwner))
	checkPoolsAndClients(t, s, "cleared", []*tollgate.UserPool{p, plain}, []*tollgate.Client{cognito, jwt, mtls})
}
