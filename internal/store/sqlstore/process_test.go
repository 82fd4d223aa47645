package sqlstore_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"

	"github.com/tollgate/tollgate/internal/function/functest"
)

// Environment of a child process started by TestSQLiteProcesses.
const (
	childDB   = "SQLSTORE_TEST_CHILD_DB"
	childPool = "SQLSTORE_TEST_CHILD_POOL"
	childName = "SQLSTORE_TEST_CHILD_NAME"
)

// TestMain runs the test binary as a child process of TestSQLiteProcesses
// when the environment says so.
func TestMain(m *testing.M) {
	if path := os.Getenv(childDB); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

// child opens the store, says it is ready, waits for a line on its standard
// input (so that all processes start writing together), runs writeLoop and
// prints how many times it generated keys.
func child(path string) int {
	s, err := sqlstore.Open(context.Background(), path)
	if err == nil {
		defer s.Close()
		fmt.Println("ready")
		_, err = bufio.NewReader(os.Stdin).ReadString('\n')
	}
	if err == nil {
		var generated int
		generated, err = writeLoop(s, os.Getenv(childName), os.Getenv(childPool))
		fmt.Printf("generated=%d\n", generated)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// loopWrites is how many pools each process creates.
const loopWrites = 20

// writeLoop creates pools named after name and, each time, makes sure the
// pool poolID has keys, generating them if it has none. It returns how many
// times it generated them.
func writeLoop(s tollgate.Store, name, poolID string) (generated int, err error) {
	ctx := context.Background()
	now := time.Now().UTC()
	for i := range loopWrites {
		p := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: fmt.Sprintf("%s-%d", name, i), Region: "eu-west-1", CreatedAt: now, UpdatedAt: now}
		if err := s.CreatePool(ctx, p); err != nil {
			return generated, err
		}
		_, err := s.UpdateSigningKeys(ctx, poolID, func(current []tollgate.SigningKey) ([]tollgate.SigningKey, error) {
			if len(current) > 0 {
				return nil, nil
			}
			generated++
			// Generate a key, as the signer does here: the other processes
			// wait for the write lock meanwhile.
			public, err := newPublicKey()
			if err != nil {
				return nil, err
			}
			return []tollgate.SigningKey{
				{KID: name + "-active", Algorithm: "RS256", State: tollgate.KeyActive, Public: public, Sealed: []byte("s"), CreatedAt: now, ActivatedAt: now},
				{KID: name + "-next", Algorithm: "RS256", State: tollgate.KeyNext, Public: public, Sealed: []byte("s"), CreatedAt: now},
			}, nil
		})
		if err != nil {
			return generated, err
		}
	}
	return generated, nil
}

// newPublicKey generates an RSA key, as the signer does, and returns its
// public half in DER.
func newPublicKey() ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return x509.MarshalPKIXPublicKey(&key.PublicKey)
}

// TestSQLiteProcesses has child processes and this one write to one SQLite
// file at once, as the server and the CLI do: every write must succeed, and
// the first keys must be generated once among them all.
func TestSQLiteProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	dsn := storetest.SQLiteDSN(t)
	s := open(t, dsn)
	ctx := context.Background()
	shared := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "shared", Region: "eu-west-1"}
	if err := s.CreatePool(ctx, shared); err != nil {
		t.Fatal(err)
	}

	// Start the children and wait until each has opened the store.
	const children = 3
	type process struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stdout *bufio.Reader
		stderr bytes.Buffer
	}
	var procs [children]*process
	for i := range procs {
		p := &process{cmd: exec.Command(os.Args[0], "-test.run=^$")}
		p.cmd.Env = append(os.Environ(), childDB+"="+dsn, childPool+"="+shared.ID, childName+"="+fmt.Sprintf("child%d", i))
		p.cmd.Stderr = &p.stderr
		stdin, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := p.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdin, p.stdout = stdin, bufio.NewReader(stdout)
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() }) // an exit status after Kill says nothing
		procs[i] = p
	}
	for i, p := range procs {
		if line, err := p.stdout.ReadString('\n'); line != "ready\n" {
			_ = p.cmd.Wait() // for stderr; the failure is reported below
			t.Fatalf("child %d: %q, %v: %s", i, line, err, p.stderr.String())
		}
	}

	// Start them all writing, and write here too.
	var (
		wg        sync.WaitGroup
		errs      [children + 1]error
		generated [children + 1]int
	)
	for _, p := range procs {
		if _, err := p.stdin.Write([]byte("go\n")); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range procs {
		wg.Go(func() {
			out, _ := io.ReadAll(p.stdout)
			if err := p.cmd.Wait(); err != nil {
				errs[i] = fmt.Errorf("%w: %s", err, p.stderr.String())
				return
			}
			generated[i], errs[i] = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(string(out), "generated=")))
		})
	}
	generated[children], errs[children] = writeLoop(s, "parent", shared.ID)
	wg.Wait()

	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
		}
		total += generated[i]
	}
	if total != 1 {
		t.Errorf("the first keys were generated %d times among the processes, want once", total)
	}
	pools, err := s.ListPools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + (children+1)*loopWrites; len(pools) != want {
		t.Errorf("%d pools, want %d", len(pools), want)
	}
	keys, err := s.ListSigningKeys(ctx, shared.ID)
	if err != nil || len(keys) != 2 {
		t.Errorf("ListSigningKeys = %d keys, %v; want 2", len(keys), err)
	}
}

// TestSQLiteWriteWaits has one handle write while another holds the write
// lock (inside UpdateSigningKeys): the write must wait for the lock, not
// fail.
func TestSQLiteWriteWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.SQLiteDSN(t)
	a, b := open(t, dsn), open(t, dsn)
	pool := &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "pool", Region: "eu-west-1"}
	if err := a.CreatePool(ctx, pool); err != nil {
		t.Fatal(err)
	}

	inside, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var errA, errB error
	wg.Go(func() {
		_, errA = a.UpdateSigningKeys(ctx, pool.ID, func([]tollgate.SigningKey) ([]tollgate.SigningKey, error) {
			close(inside)
			<-release
			return nil, nil
		})
	})
	<-inside
	wg.Go(func() {
		errB = b.CreatePool(ctx, &tollgate.UserPool{ID: tollgate.NewPoolID("eu-west-1"), Name: "other", Region: "eu-west-1"})
	})
	functest.Eventually(t, "the second handle waits for the write lock", func() bool { return waitingForLock(t.Name()) })
	close(release)
	wg.Wait()
	if errA != nil {
		t.Errorf("UpdateSigningKeys: %v", errA)
	}
	if errB != nil {
		t.Errorf("CreatePool while another handle held the write lock: %v", errB)
	}
}

// waitingForLock reports whether a goroutine started by the test named test
// is in SQLite's busy handler: its statement found the file locked by
// another connection and waits for the lock (busy_timeout), the wait
// TestSQLiteWriteWaits is about. The handler is SQLite's own
// sqliteDefaultBusyCallback (BEGIN IMMEDIATE waits there) or the driver's
// busyHandler, which replaces it for some statements run with a context.
func waitingForLock(test string) bool {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "."+test+".func") &&
			(strings.Contains(g, "modernc.org/sqlite.busyHandler(") || strings.Contains(g, "sqliteDefaultBusyCallback(")) {
			return true
		}
	}
	return false
}

// TestSQLiteFileMode checks that a new database file is its owner's only.
func TestSQLiteFileMode(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	open(t, dsn)
	for _, p := range []string{dsn, dsn + "-wal", dsn + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s: mode %o, want 600", p, mode)
		}
	}
}
