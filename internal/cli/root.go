package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/vault"
)

// Run runs the tollgate command with args (without the program name) and
// returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return newApp(stdout, stderr).run(ctx, args)
}

// run runs the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	defer a.closeAudit()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(a.stderr, "tollgate:", err)
		var ee exitError
		if errors.As(err, &ee) {
			return int(ee)
		}
		return 1
	}
	return 0
}

// exitError carries an exit code for errors already reported to the user.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// app holds the global flags and what they open.
type app struct {
	stdout, stderr io.Writer
	// now is the clock of every command: creation dates, key ages, config
	// applies. Tests set it to fix time.
	now func() time.Time

	dataDir           string
	database          string
	masterKeyFile     string
	masterKeyEnv      string // TOLLGATE_MASTER_KEY, read once and removed from the environment (see harden)
	masterKeyNextFile string
	masterKeyNextEnv  string // TOLLGATE_MASTER_KEY_NEXT, as masterKeyEnv
	logLevel          string
	logFormat         string // json (the default) or text

	// keySource says where the vault's keys came from, for the message
	// that refuses a key the store was not created with.
	keySource string

	auditLog
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdout: stdout, stderr: stderr, now: time.Now}
}

func (a *app) rootCommand() *cobra.Command {
	a.masterKeyEnv = os.Getenv("TOLLGATE_MASTER_KEY")
	a.masterKeyNextEnv = os.Getenv("TOLLGATE_MASTER_KEY_NEXT")
	root := &cobra.Command{
		Use:           "tollgate",
		Short:         "OAuth 2 client credentials and an API gateway, Cognito and API Gateway compatible, in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.checkLogFormat(); err != nil {
				return err
			}
			if err := harden(); err != nil {
				return err
			}
			return a.openAudit(cmd)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.dataDir, "data", envOr("TOLLGATE_DATA", ".tollgate"), "data directory: the SQLite database and the dev master key (env TOLLGATE_DATA)")
	pf.StringVar(&a.database, "database", os.Getenv("TOLLGATE_DATABASE"), "database URL: postgres://… for PostgreSQL; default the SQLite file in the data directory (env TOLLGATE_DATABASE)")
	pf.StringVar(&a.masterKeyFile, "master-key-file", os.Getenv("TOLLGATE_MASTER_KEY_FILE"), "file holding the master key that encrypts keys and secrets at rest (env TOLLGATE_MASTER_KEY_FILE, or the key itself in TOLLGATE_MASTER_KEY)")
	pf.StringVar(&a.masterKeyNextFile, "master-key-next-file", os.Getenv("TOLLGATE_MASTER_KEY_NEXT_FILE"), "file holding the next master key, during a rotation: data under either key is read, and new data is sealed under the key the store names (the current one until 'tollgate master-key rotate' switches it) (env TOLLGATE_MASTER_KEY_NEXT_FILE, or the key itself in TOLLGATE_MASTER_KEY_NEXT; see 'tollgate master-key rotate')")
	pf.StringVar(&a.logLevel, "log-level", envOr("TOLLGATE_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env TOLLGATE_LOG_LEVEL)")
	pf.StringVar(&a.logFormat, "log-format", envOr("TOLLGATE_LOG_FORMAT", "json"), "log format: json (one JSON object a line) or text (key=value pairs) (env TOLLGATE_LOG_FORMAT)")
	a.registerAuditFlag(root)
	root.AddCommand(
		a.serveCommand(),
		a.devCommand(),
		a.validateCommand(),
		a.poolsCommand(),
		a.resourceServersCommand(),
		a.clientsCommand(),
		a.keysCommand(),
		a.tokenCommand(),
		a.masterKeyCommand(),
		a.accessKeysCommand(),
		a.consoleCommand(),
		a.apiKeysCommand(),
		a.usageCommand(),
		a.outputsCommand(),
		a.versionCommand(),
	)
	setVersion(root)
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// checkLogFormat refuses a --log-format or --log-level (or their
// environment variables) that logger does not know.
func (a *app) checkLogFormat() error {
	if a.logFormat != "json" && a.logFormat != "text" {
		return reported(2, "--log-format %q: want json or text (env TOLLGATE_LOG_FORMAT)", a.logFormat)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return reported(2, "--log-level %q: want debug, info, warn or error (env TOLLGATE_LOG_LEVEL)", a.logLevel)
	}
	return nil
}

// logger writes to stderr at --log-level, as JSON lines (slog's
// JSONHandler) or, with --log-format text, as key=value lines (slog's
// TextHandler).
func (a *app) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if a.logFormat == "text" {
		return slog.New(slog.NewTextHandler(a.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(a.stderr, opts))
}

// dsn returns the database to open: --database, or the SQLite file in the
// data directory.
func (a *app) dsn() (string, error) {
	if a.database != "" {
		return a.database, nil
	}
	if err := privateDataDir(a.dataDir, a.logger()); err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	return filepath.Join(a.dataDir, "tollgate.db"), nil
}

func (a *app) openStore(ctx context.Context) (*sqlstore.Store, error) {
	dsn, err := a.dsn()
	if err != nil {
		return nil, err
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", sqlstore.RedactDSN(dsn), err)
	}
	return st, nil
}

// openStoreFor opens the store and checks that v is its vault
// (checkMasterKey), before anything reads or writes it.
func (a *app) openStoreFor(ctx context.Context, v *vault.Vault) (*sqlstore.Store, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.checkMasterKey(ctx, st, v); err != nil {
		_ = st.Close() // the refusal is what matters
		return nil, err
	}
	return st, nil
}

// devKeyFile is where dev keeps the master key it generates.
func (a *app) devKeyFile() string { return filepath.Join(a.dataDir, "master.key") }

// openVault finds the master key: TOLLGATE_MASTER_KEY, --master-key-file,
// or the key file in the data directory, which must exist; and the next
// key, if one is given. Commands that open it on a store check it with
// checkMasterKey before anything else.
func (a *app) openVault() (*vault.Vault, error) {
	return a.vaultWith(a.readDevKey)
}

// openDevVault is openVault for dev: a missing key file in the data
// directory is generated.
func (a *app) openDevVault() (*vault.Vault, error) {
	return a.vaultWith(a.loadOrCreateDevKey)
}

// vaultWith opens the vault with the key of TOLLGATE_MASTER_KEY or
// --master-key-file, or else the one devKey finds in the data directory.
// With a next key (TOLLGATE_MASTER_KEY_NEXT, --master-key-next-file), the
// vault opens with both and seals under the key the store's check value
// names (checkMasterKey; the current key until a rotation switches the
// store, which a server follows as it runs).
func (a *app) vaultWith(devKey func() ([]byte, error)) (*vault.Vault, error) {
	key, source, err := a.masterKey(devKey)
	if err != nil {
		return nil, err
	}
	next, nextSource, err := a.nextMasterKey()
	if err != nil {
		return nil, err
	}
	if next == nil {
		a.keySource = source
		return vault.New(key)
	}
	a.keySource = source + ", and the next key from " + nextSource
	if bytes.Equal(next, key) {
		return nil, fmt.Errorf("the next master key (%s) is the master key (%s): give the new key as the next one", nextSource, source)
	}
	return vault.New(key, next)
}

// masterKey returns the master key and where it came from.
func (a *app) masterKey(devKey func() ([]byte, error)) (key []byte, source string, err error) {
	if key, source, err := keyFrom("TOLLGATE_MASTER_KEY", a.masterKeyEnv, "--master-key-file", a.masterKeyFile); key != nil || err != nil {
		return key, source, err
	}
	key, err = devKey()
	return key, "the key file " + a.devKeyFile(), err
}

// nextMasterKey returns the next master key and where it came from, or
// nil when none is given.
func (a *app) nextMasterKey() (key []byte, source string, err error) {
	return keyFrom("TOLLGATE_MASTER_KEY_NEXT", a.masterKeyNextEnv, "--master-key-next-file", a.masterKeyNextFile)
}

// keyFrom reads a key from the environment variable envName's value env,
// else from the file the flag names; nil when neither is set.
func keyFrom(envName, env, flag, file string) (key []byte, source string, err error) {
	switch {
	case env != "":
		key, err = vault.ParseKey(env)
		if err != nil {
			return nil, envName, fmt.Errorf("%s: %w", envName, err)
		}
		return key, envName, nil
	case file != "":
		key, err = vault.ReadKeyFile(file)
		return key, flag + " " + file, err
	}
	return nil, "", nil
}

// readDevKey reads the key file dev created in the data directory.
func (a *app) readDevKey() ([]byte, error) {
	key, err := vault.ReadKeyFile(a.devKeyFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no master key: set TOLLGATE_MASTER_KEY or --master-key-file (make one with 'tollgate master-key new'), or run 'tollgate dev' once to create %s", a.devKeyFile())
	}
	return key, err
}

// loadOrCreateDevKey reads the key file in the data directory, generating
// it (and the directory, mode 0700) the first time.
func (a *app) loadOrCreateDevKey() ([]byte, error) {
	if err := privateDataDir(a.dataDir, a.logger()); err != nil {
		return nil, err
	}
	key, _, err := vault.LoadOrCreateKeyFile(a.devKeyFile())
	return key, err
}

// session is what an administration command works with: the store, and
// the vault when the command reads or writes secrets.
type session struct {
	st    tollgate.Store
	vault *vault.Vault // nil under withStore
	// svc runs every write: the CLI parses its flags into the domain's
	// specs and prints what it returns.
	svc *domain.Service
}

// withStore opens the store, runs fn on it and closes it.
func (a *app) withStore(ctx context.Context, fn func(*session) error) error {
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(&session{st: st, svc: a.domain(st, nil)})
}

// withStoreAndVault opens the store, then the vault, which must be the
// store's (checkMasterKey), runs fn on both and closes the store.
func (a *app) withStoreAndVault(ctx context.Context, fn func(*session) error) error {
	return a.withStore(ctx, func(s *session) error {
		v, err := a.openVault()
		if err != nil {
			return err
		}
		if err := a.checkMasterKey(ctx, s.st, v); err != nil {
			return err
		}
		s.vault, s.svc = v, a.domain(s.st, v)
		return fn(s)
	})
}
