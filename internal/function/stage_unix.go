//go:build unix

package function

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// stageCode copies the code directory src to dst, for a function user
// that cannot read src (a code directory under root's home, or dev's seed
// copy inside the data directory, which functions must not read), as
// Lambda runs a copy of the deployment package at /var/task.
//
// Tollgate, root here, reads what the function user may not, so it never
// follows a path that another user controls: the owner of the code
// directory could swap a directory for a link to root's data directory
// while it is copied, and have the master key copied for the function.
// src is resolved once (see resolveCodeDir), opened one component at a
// time from / following no link, and walked by descriptor: every entry is
// opened relative to its directory's descriptor with O_NOFOLLOW, so that
// an entry swapped for a link since it was listed fails or is copied as
// the link it now is. Links are copied as links, never followed (an
// absolute link into src points into dst instead): what they point to is
// the kernel's to check when the function, as the function user, opens it.
//
// The copy is Tollgate's, readable by the group gid alone (the function
// user's, which every instance has): directories 0750, files 0640, or
// 0750 if any execute bit was set. The function reads it and cannot change
// it, and no other local user, the code directory's owner included, reads
// what root copied.
func stageCode(src, dst string, gid uint32) error {
	resolved, err := resolveCodeDir(src)
	if err != nil {
		return err
	}
	fd, err := openDirNoFollow(resolved)
	if err != nil {
		return fmt.Errorf("%s changed while Tollgate copied it: %w", resolved, err)
	}
	c := &copier{src: resolved, dst: dst, gid: int(gid)}
	return c.dir(fd, ".")
}

// resolveCodeDir returns the resolved path of the code directory, resolving
// links as the kernel does, but refuses a link owned by a user other than
// Tollgate's that leads to what that user does not own: else the owner of
// a directory on the code's path could point it, before Tollgate starts,
// at a directory only root may read, and have it copied for functions.
func resolveCodeDir(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	links := 0
	return resolveIn("/", abs, &links)
}

// resolveIn resolves path from dir (a resolved path), checking every link on
// the way with linkMayLead.
func resolveIn(dir, path string, links *int) (string, error) {
	if filepath.IsAbs(path) {
		dir = "/"
	}
	for _, name := range strings.Split(path, "/") {
		switch name {
		case "", ".":
			continue
		case "..":
			dir = filepath.Dir(dir) // dir has no link in it
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			dir = p
			continue
		}
		if *links++; *links > 40 {
			return "", &fs.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if dir, err = resolveIn(dir, target, links); err != nil {
			return "", err
		}
		if err := linkMayLead(p, fi, dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// linkMayLead refuses a link that another user owns to what that user
// does not own.
func linkMayLead(link string, fi fs.FileInfo, to string) error {
	owner := ownerOf(fi)
	if owner == uint32(os.Geteuid()) { //nolint:gosec // G115: a Unix uid is a uint32, which Geteuid returns as an int
		return nil
	}
	tfi, err := os.Lstat(to)
	if err != nil {
		return err
	}
	if ownerOf(tfi) != owner {
		return fmt.Errorf("%s is a link of uid %d to %s, which uid %d does not own: Tollgate does not copy code through another user's link (name the resolved directory)", link, owner, to, owner)
	}
	return nil
}

func ownerOf(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 0
}

// openDirNoFollow opens the directory at path, an absolute path without
// links, one component at a time, following no link: a component swapped
// for a link since path was resolved makes it fail.
func openDirNoFollow(path string) (int, error) {
	fd, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue
		}
		next, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		fd = next
	}
	return fd, nil
}

// copier copies a tree walked by descriptor (see stageCode).
type copier struct {
	src, dst string // src for messages only: nothing is opened by its path
	gid      int
}

// dir copies the directory open as fd (which it closes) to dst/rel.
func (c *copier) dir(fd int, rel string) error {
	d := os.NewFile(uintptr(fd), filepath.Join(c.src, rel))
	defer d.Close()
	target := filepath.Join(c.dst, rel)
	if err := os.Mkdir(target, 0o700); err != nil {
		return err
	}
	if err := os.Chown(target, -1, c.gid); err != nil {
		return err
	}
	if err := os.Chmod(target, 0o750); err != nil { //nolint:gosec // G302: the copy is root's and readable by the function group alone (c.gid), as ARCHITECTURE.md describes
		return err
	}
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := c.entry(fd, rel, name); err != nil {
			return err
		}
	}
	return nil
}

// entry copies the entry name of the directory open as dirfd, whatever it
// is now: it is opened without following a link, and its type checked on
// the descriptor.
func (c *copier) entry(dirfd int, rel, name string) error {
	rel = filepath.Join(rel, name)
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return c.changed(rel, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return c.changed(rel, err)
		}
		return c.dir(fd, rel)
	case unix.S_IFLNK:
		return c.link(dirfd, rel, name)
	case unix.S_IFREG:
		// O_NONBLOCK: a pipe swapped in does not block the open.
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return c.changed(rel, err)
		}
		return c.file(fd, rel)
	}
	return nil // sockets, devices, pipes: not code
}

func (c *copier) changed(rel string, err error) error {
	return fmt.Errorf("%s changed while Tollgate copied it: %w", filepath.Join(c.src, rel), err)
}

// file copies the file open as fd (which it closes) if it is a regular
// file, made readable by the group alone once its content is in.
func (c *copier) file(fd int, rel string) error {
	in := os.NewFile(uintptr(fd), filepath.Join(c.src, rel))
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return c.changed(rel, fmt.Errorf("no longer a regular file"))
	}
	mode := fs.FileMode(0o640)
	if fi.Mode().Perm()&0o111 != 0 {
		mode = 0o750
	}
	out, err := os.OpenFile(filepath.Join(c.dst, rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // G304: a new file (O_EXCL) in Tollgate's own copy, named by entries read from the source directory
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Chown(-1, c.gid)
	}
	if err == nil {
		err = out.Chmod(mode)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", in.Name(), err)
	}
	return nil
}

// link copies the link name of the directory open as dirfd as a link; an
// absolute one into the code directory is pointed into the copy.
func (c *copier) link(dirfd int, rel, name string) error {
	buf := make([]byte, 4096) // PATH_MAX
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return c.changed(rel, err)
	}
	link := string(buf[:n])
	if filepath.IsAbs(link) && (link == c.src || strings.HasPrefix(link, c.src+string(filepath.Separator))) {
		link = filepath.Join(c.dst, strings.TrimPrefix(link, c.src))
	}
	return os.Symlink(link, filepath.Join(c.dst, rel))
}
