package function

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Permission bits as permits takes them.
const (
	mayRead    fs.FileMode = 0o4
	mayExec    fs.FileMode = 0o1
	mayReadDir             = mayRead | mayExec
)

// accessible returns nil when id may access path for want, and may search
// every directory on the way to it, following symbolic links as the
// kernel does; else an error that names the first obstacle. It is checked
// before an instance starts, so that a function user that cannot read the
// code or run the interpreter is found at start, not at each invocation.
func accessible(id identity, path string, want fs.FileMode) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	for _, p := range []string{abs, resolved} {
		for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
			if err := check(id, dir, mayExec, "search"); err != nil {
				return err
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	verb := "read"
	if want&mayExec != 0 {
		verb = "run"
	}
	return check(id, resolved, want, verb)
}

// check checks one file's own permission for id.
func check(id identity, path string, want fs.FileMode, verb string) error {
	fi, err := os.Stat(path) //nolint:gosec // G703: the path is the configured code or interpreter whose permissions are checked; it is only stat'ed
	if err != nil {
		return err
	}
	if !permits(fi, id, want) {
		return fmt.Errorf("%s cannot %s %s (mode %04o)", id, verb, path, fi.Mode().Perm())
	}
	return nil
}

// readableTree returns nil when id may read every directory and regular
// file under dir. Symbolic links are not followed: what they point to is
// the kernel's to check when the function opens it.
func readableTree(id identity, dir string) error {
	if err := accessible(id, dir, mayReadDir); err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return check(id, p, mayReadDir, "read")
		case d.Type().IsRegular():
			return check(id, p, mayRead, "read")
		}
		return nil
	})
}

// lookPathAs finds the executable name (a path, or a name looked up on
// PATH) that id may run: the first on PATH that it may, so that a
// python3 in root's home (pyenv's shims) is passed over for the system's.
func lookPathAs(id identity, name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return name, accessible(id, name, mayExec)
	}
	var firstErr error
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if !filepath.IsAbs(dir) {
			continue // as exec.LookPath, which refuses the current directory
		}
		p := filepath.Join(dir, name)
		fi, statErr := os.Stat(p) //nolint:gosec // G703: a PATH entry, only stat'ed, as exec.LookPath does
		if statErr != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		err := accessible(id, p, mayExec)
		if err == nil {
			return p, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = exec.ErrNotFound
	}
	return "", fmt.Errorf("%s: no executable on PATH that %s may run: %w", name, id, firstErr)
}
