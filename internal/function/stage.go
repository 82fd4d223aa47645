package function

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// stageCode copies the code directory src to dst, for a function user
// that cannot read src (a code directory under root's home, or dev's seed
// copy inside the data directory, which functions must not read), as
// Lambda runs a copy of the deployment package at /var/task. The copy is
// Tollgate's: directories 0755, files 0644, or 0755 if any execute bit was
// set, so the function reads it and cannot change it. Symbolic links are
// copied as links, never followed, so a link to a file the function user
// may not read stays unreadable; an absolute link into src is pointed into
// dst instead.
func stageCode(src, dst string) error {
	src, err := filepath.EvalSymlinks(src)
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			return os.Chmod(target, 0o755) // whatever the umask
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if filepath.IsAbs(link) && (link == src || strings.HasPrefix(link, src+string(filepath.Separator))) {
				link = filepath.Join(dst, strings.TrimPrefix(link, src))
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(p, target)
		}
		return nil // sockets, devices, pipes: not code
	})
}

// copyFile copies a regular file. It opens src without following a
// symbolic link (nor blocking on a pipe) and copies only a regular file,
// so that a file swapped for a link after the walk saw it does not make
// Tollgate, perhaps root, copy what the link points to.
func copyFile(src, dst string) error {
	in, err := os.OpenFile(src, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is no longer a regular file", src)
	}
	mode := fs.FileMode(0o644)
	if fi.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
