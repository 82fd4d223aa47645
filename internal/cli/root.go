package cli

import (
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

	dataDir       string
	database      string
	masterKeyFile string
	masterKeyEnv  string // TOLLGATE_MASTER_KEY, read once and removed from the environment (see harden)
	logLevel      string
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdout: stdout, stderr: stderr, now: time.Now}
}

func (a *app) rootCommand() *cobra.Command {
	a.masterKeyEnv = os.Getenv("TOLLGATE_MASTER_KEY")
	root := &cobra.Command{
		Use:           "tollgate",
		Short:         "OAuth 2 client credentials and an API gateway, Cognito and API Gateway compatible, in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return harden()
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.dataDir, "data", envOr("TOLLGATE_DATA", ".tollgate"), "data directory: the SQLite database and the dev master key (env TOLLGATE_DATA)")
	pf.StringVar(&a.database, "database", os.Getenv("TOLLGATE_DATABASE"), "database URL: postgres://… for PostgreSQL; default the SQLite file in the data directory (env TOLLGATE_DATABASE)")
	pf.StringVar(&a.masterKeyFile, "master-key-file", os.Getenv("TOLLGATE_MASTER_KEY_FILE"), "file holding the master key that encrypts keys and secrets at rest (env TOLLGATE_MASTER_KEY_FILE, or the key itself in TOLLGATE_MASTER_KEY)")
	pf.StringVar(&a.logLevel, "log-level", envOr("TOLLGATE_LOG_LEVEL", "info"), "log level: debug, info, warn or error")
	root.AddCommand(
		a.serveCommand(),
		a.devCommand(),
		a.validateCommand(),
		a.poolsCommand(),
		a.clientsCommand(),
		a.keysCommand(),
		a.tokenCommand(),
		a.masterKeyCommand(),
		a.accessKeysCommand(),
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

func (a *app) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: level}))
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

// devKeyFile is where dev keeps the master key it generates.
func (a *app) devKeyFile() string { return filepath.Join(a.dataDir, "master.key") }

// openVault finds the master key: TOLLGATE_MASTER_KEY, --master-key-file,
// or the key file in the data directory, which must exist.
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
func (a *app) vaultWith(devKey func() ([]byte, error)) (*vault.Vault, error) {
	var key []byte
	var err error
	switch {
	case a.masterKeyEnv != "":
		key, err = vault.ParseKey(a.masterKeyEnv)
		if err != nil {
			err = fmt.Errorf("TOLLGATE_MASTER_KEY: %w", err)
		}
	case a.masterKeyFile != "":
		key, err = vault.ReadKeyFile(a.masterKeyFile)
	default:
		key, err = devKey()
	}
	if err != nil {
		return nil, err
	}
	return vault.New(key)
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
	return fn(&session{st: st, svc: domain.New(st, nil, a.now)})
}

// withStoreAndVault opens the store, then the vault, runs fn on both and
// closes the store.
func (a *app) withStoreAndVault(ctx context.Context, fn func(*session) error) error {
	return a.withStore(ctx, func(s *session) error {
		v, err := a.openVault()
		if err != nil {
			return err
		}
		s.vault, s.svc = v, domain.New(s.st, v, a.now)
		return fn(s)
	})
}

func (a *app) masterKeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "master-key", Short: "Manage the master key"}
	cmd.AddCommand(&cobra.Command{
		Use:   "new",
		Short: "Print a fresh random master key (base64) for TOLLGATE_MASTER_KEY or a key file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(a.stdout, vault.EncodeKey(vault.NewKey()))
			return err
		},
	})
	return cmd
}
