package cli

import (
	"os"
	"os/user"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/vault"
)

// auditLog is the audit stream of a run: --audit-log and what it opened.
type auditLog struct {
	auditPath string
	audit     *audit.Sink // nil until the command's pre-run opens it
}

// registerAuditFlag registers --audit-log (env TOLLGATE_AUDIT_LOG).
func (a *app) registerAuditFlag(root *cobra.Command) {
	root.PersistentFlags().StringVar(&a.auditPath, "audit-log", os.Getenv("TOLLGATE_AUDIT_LOG"),
		"where audit events go, one JSON line each: a file (appended to, created 0600; rotate it by copy and truncate), or - for stdout; default the main log, as lines with msg \"audit\" (env TOLLGATE_AUDIT_LOG)")
}

// openAudit opens the audit stream and makes the OS user the actor of
// what the command does ("cli:{user}"); config apply and stack deploy act
// as their config or stack.
func (a *app) openAudit(cmd *cobra.Command) error {
	sink, err := audit.Open(a.auditPath, a.logger())
	if err != nil {
		return err
	}
	a.audit = sink
	cmd.SetContext(audit.WithActor(cmd.Context(), "cli:"+osUser()))
	return nil
}

// closeAudit writes what is queued and closes the audit stream.
func (a *app) closeAudit() {
	if err := a.audit.Close(); err != nil {
		a.logger().Error("close the audit log", "err", err)
	}
}

// domain returns the domain's Service on st and v (nil for commands that
// handle no secret), recording on the audit stream.
func (a *app) domain(st tollgate.Store, v *vault.Vault) *domain.Service {
	return domain.New(st, v, a.now).WithAudit(a.audit)
}

// osUser names the user the process runs as: the login name, or the uid
// when the user database has none.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(os.Getuid())
}
