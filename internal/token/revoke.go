package token

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// ServeRevoke serves POST /oauth2/revoke (RFC 7009). The client
// authenticates as at the token endpoint and names a token; if the token is
// an active access token of the client's pool issued to that client, its jti
// is recorded as revoked until its exp, and introspection reports it
// inactive from then on.
//
// The answer is 200 with an empty body (RFC 7009 §2.2) also when the token
// is invalid, expired, another pool's or already revoked: "the purpose of
// the revocation request, invalidating the particular token, is already
// achieved". A valid token of the pool issued to another client is refused
// with unauthorized_client (RFC 7009 §2.1: the server "verifies whether the
// token was issued to the client making the revocation request").
//
// token_type_hint is optional and any value is accepted and ignored (RFC
// 7009 §2.1 lets the server ignore it): Tollgate issues access tokens only,
// so there is nothing else to look for. Note that Cognito's own endpoint
// revokes refresh tokens only; revoking access tokens is Tollgate's
// addition, and API Gateway-style offline verification still accepts a
// revoked token until exp.
func (e *Endpoint) ServeRevoke(w http.ResponseWriter, r *http.Request) {
	client, who, claims, ok := e.presentedToken(w, r, endpointRevoke)
	if !ok {
		return
	}
	if claims != nil {
		if claims.ClientID != client.ID {
			e.fail(w, r, endpointRevoke, who, errNotYourToken)
			return
		}
		if claims.JTI == "" { // not one of ours: we always set jti
			e.log.LogAttrs(r.Context(), slog.LevelWarn, "token without jti cannot be revoked",
				slog.String("client_id", client.ID), slog.String("request_id", oauth2.RequestID(w)))
		} else {
			err := e.opts.Revocations.RevokeToken(r.Context(), tollgate.RevokedToken{
				JTI:       claims.JTI,
				PoolID:    client.PoolID,
				ClientID:  client.ID,
				ExpiresAt: time.Unix(claims.Exp, 0).UTC(),
				RevokedAt: e.now().UTC(),
			})
			if err != nil {
				e.fail(w, r, endpointRevoke, who, oauth2.ServerError().WithCause(err))
				return
			}
			e.log.LogAttrs(r.Context(), slog.LevelInfo, "access token revoked",
				slog.String("endpoint", endpointRevoke),
				slog.String("client_id", client.ID),
				slog.String("request_id", oauth2.RequestID(w)),
				slog.String("pool_id", client.PoolID),
				slog.String("jti", claims.JTI),
			)
		}
	}
	oauth2.SetResponseHeaders(w, r)
	oauth2.RequestID(w)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

var (
	errTokenRequired = oauth2.InvalidRequest("token is required")
	errNotYourToken  = oauth2.UnauthorizedClient("the token was not issued to this client")
)
