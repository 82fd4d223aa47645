package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/limit"
	"github.com/tollgate/tollgate/internal/token"
)

// ActionClientUnlock is the audit action of `clients unlock`.
const ActionClientUnlock = "client.unlock"

// clientsUnlock forgets a client id's token lockout and its counted
// failures in the Redis the nodes share: the operator's relief when
// someone else's failures keep a client locked out (a client id is not a
// secret). Without --redis there is nothing to reach: each node holds its
// own lockouts in memory, which end when they expire or the node restarts.
func (a *app) clientsUnlock() *cobra.Command {
	var f limitFlags
	cmd := &cobra.Command{
		Use:   "unlock CLIENT_ID --redis URL [--redis-prefix P]",
		Short: "End a client's token-endpoint lockout, kept in the Redis the nodes share (--redis, or TOLLGATE_REDIS)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.RunE = a.onStore(onClient(func(ctx context.Context, _ *session, c *tollgate.Client, _ []string) error {
		host, err := f.check()
		if err != nil {
			return err
		}
		if host == "" {
			return tollgate.Errorf(tollgate.KindInvalid, "--redis is required: lockouts are shared through Redis; a node without it holds its own in memory, which end when they expire or the node restarts")
		}
		r, err := limit.NewRedis(f.redisURL, limit.RedisOptions{Prefix: f.redisPrefix, Timeout: f.redisTimeout, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return fmt.Errorf("--redis %s: %w", host, err)
		}
		defer r.Close()
		was, err := r.Unlock(ctx, a.now(), token.LockoutKey(c.ID))
		ev := audit.Event{Action: ActionClientUnlock, Outcome: audit.Success, Actor: audit.ActorOf(ctx),
			Target: audit.Target{PoolID: c.PoolID, ClientID: c.ID}}
		if err != nil {
			ev.Outcome, ev.Reason = audit.Failure, "limiter_unavailable"
			a.audit.Emit(ev)
			return fmt.Errorf("redis %s: %w", host, err)
		}
		a.audit.Emit(ev)
		if was {
			_, err = fmt.Fprintf(a.stdout, "client %s unlocked\n", c.ID)
		} else {
			_, err = fmt.Fprintf(a.stdout, "client %s was not locked out; its failed authentications are forgotten\n", c.ID)
		}
		return err
	}))
	f.register(cmd)
	_ = cmd.Flags().MarkHidden("redis-failure") // nothing here to fail open or closed
	return cmd
}
