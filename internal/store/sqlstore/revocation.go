package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tollgate/tollgate"
)

// RevokeToken records a revoked token. Revoking it again changes nothing and
// is not an error.
func (s *Store) RevokeToken(ctx context.Context, t tollgate.RevokedToken) error {
	return s.change(ctx, "revoke token "+t.JTI, tollgate.Change{Kind: tollgate.ChangeRevocation, ID: t.JTI, PoolID: t.PoolID}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO revoked_tokens (jti, pool_id, client_id, expires_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (jti) DO NOTHING`,
			t.JTI, t.PoolID, t.ClientID, s.d.time(t.ExpiresAt), s.d.time(t.RevokedAt))
		if err != nil {
			return s.constraint(err, nil, tollgate.Errorf(tollgate.KindNotFound, "pool %q not found", t.PoolID))
		}
		return mustAffect(res, func() error { return errUnchanged })
	})
}

// GetRevokedToken returns the revocation of the token with this jti.
func (s *Store) GetRevokedToken(ctx context.Context, jti string) (tollgate.RevokedToken, error) {
	return queryOne(ctx, s.read, "get revoked token", scanRevokedToken,
		func() error { return tollgate.Errorf(tollgate.KindNotFound, "no revocation of token %q", jti) },
		`SELECT jti, pool_id, client_id, expires_at, revoked_at FROM revoked_tokens WHERE jti = $1`, jti)
}

func scanRevokedToken(sc scanner) (tollgate.RevokedToken, error) {
	var t tollgate.RevokedToken
	err := sc.Scan(&t.JTI, &t.PoolID, &t.ClientID, (*dbTime)(&t.ExpiresAt), (*dbTime)(&t.RevokedAt))
	return t, err
}

// IsTokenRevoked reports whether the token with the given JWT id is revoked.
func (s *Store) IsTokenRevoked(ctx context.Context, jti string) (bool, error) {
	var revoked bool
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1)`, jti).Scan(&revoked)
	if err != nil {
		return false, fmt.Errorf("sqlstore: is token revoked: %w", err)
	}
	return revoked, nil
}

// ListRevokedTokens lists the revocations of tokens that have not expired
// at now, oldest revocation first.
func (s *Store) ListRevokedTokens(ctx context.Context, now time.Time) ([]tollgate.RevokedToken, error) {
	return queryAll(ctx, s.read, "list revoked tokens", scanRevokedToken,
		`SELECT jti, pool_id, client_id, expires_at, revoked_at FROM revoked_tokens
		WHERE expires_at >= $1 ORDER BY revoked_at, jti`, s.d.time(now))
}

// DeleteExpiredRevocations forgets the revocations of tokens that expired
// before now and returns how many it forgot.
func (s *Store) DeleteExpiredRevocations(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.change(ctx, "delete expired revocations", tollgate.Change{Kind: tollgate.ChangeRevocation}, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE expires_at < $1`, s.d.time(now))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("rows affected: %w", err)
		}
		if n == 0 {
			return errUnchanged
		}
		return nil
	})
	return n, err
}
