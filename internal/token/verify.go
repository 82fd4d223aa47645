package token

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// KeySource gives a pool's published public keys by kid: the keys its JWKS
// holds, each pinned to its alg (RS256, ES256 or EdDSA) and, for a pool
// issuing RFC 9068 access tokens, to typ at+jwt, so a token verifies here
// exactly when it verifies for any other relying party.
// internal/signer.Signer satisfies it; the map is not modified.
type KeySource interface {
	PublicKeys(ctx context.Context, poolID string) (bearer.Keys, error)
}

// presentedToken does what revoke and introspect both do first: read the
// form (RFC 7009 §2.1, RFC 7662 §2.1), require its token, authenticate the
// client and verify the token as one of the client's pool (verifyOwn). On a
// failure it has answered for endpoint and ok is false; claims is nil for a
// token that is not an active token of the pool.
func (e *Endpoint) presentedToken(w http.ResponseWriter, r *http.Request, endpoint string) (client *tollgate.Client, who clientRef, claims *bearer.Claims, ok bool) {
	f, err := readForm(w, r, oauth2.ParamToken, oauth2.ParamTokenTypeHint, oauth2.ParamClientID, oauth2.ParamClientSecret,
		paramClientAssertion, paramClientAssertionType)
	if err != nil {
		e.fail(w, r, endpoint, "", err)
		return nil, "", nil, false
	}
	tok := f[oauth2.ParamToken]
	if tok == "" {
		e.fail(w, r, endpoint, presentedID(f[oauth2.ParamClientID]), errTokenRequired)
		return nil, "", nil, false
	}
	client, who, err = e.authenticate(r.Context(), r, f)
	if err != nil {
		e.fail(w, r, endpoint, who, err)
		return nil, "", nil, false
	}
	logClient(w, client.ID)
	claims, err = e.verifyOwn(r.Context(), r, client.PoolID, tok)
	if err != nil {
		e.fail(w, r, endpoint, who, err)
		return nil, "", nil, false
	}
	return client, who, claims, true
}

// verifyOwn returns the claims of tok if it is a currently valid access
// token of the pool: signed by one of the pool's published keys, with the
// pool's issuer, token_use access and exp ahead (bearer.Verify's rules,
// with the endpoint's clock and no leeway). A token that is not (malformed,
// forged, another pool's, expired, or its client deleted since) yields nil
// claims and a nil error, since
// RFC 7009 §2.2 and RFC 7662 §2.2 answer such tokens as if all were well;
// the reason is logged at Debug. Only a failure to get the keys is an error.
func (e *Endpoint) verifyOwn(ctx context.Context, r *http.Request, poolID, tok string) (*bearer.Claims, error) {
	keys, err := e.opts.Keys.PublicKeys(ctx, poolID)
	if err != nil {
		return nil, oauth2.ServerError().WithCause(err)
	}
	claims, err := bearer.Verify(tok, keys, bearer.Expect{
		Issuer: e.opts.Issuer(r, poolID),
		Now:    e.now,
	})
	if err != nil {
		if !errors.Is(err, bearer.ErrInvalid) && !errors.Is(err, bearer.ErrExpired) {
			return nil, oauth2.ServerError().WithCause(err)
		}
		e.log.LogAttrs(ctx, slog.LevelDebug, "presented token is not an active token of the pool",
			slog.String("pool_id", poolID), slog.String("reason", tokenReason(err)))
		return nil, nil
	}
	// A token outlives its client only if the client still exists: once an
	// administrator deletes a client (say, after its secret leaked), its
	// tokens stop being active here at once, though offline verifiers that
	// only check signatures accept them until they expire.
	owner, err := e.opts.Clients.GetClient(ctx, claims.ClientID)
	switch {
	case tollgate.IsNotFound(err), err == nil && owner.PoolID != poolID:
		e.log.LogAttrs(ctx, slog.LevelDebug, "presented token's client no longer exists",
			slog.String("pool_id", poolID), slog.String("client_id", claims.ClientID))
		return nil, nil
	case err != nil:
		return nil, oauth2.ServerError().WithCause(err)
	}
	return claims, nil
}
