package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// watchFile sends on changed (without blocking: one pending change is
// enough) when path has changed and then stayed unchanged for a whole
// interval, until ctx ends. path is a config file, a template file, or a
// cdk.out directory, whose top-level entries (manifest.json, the
// templates, which `cdk synth` writes each time) are compared.
//
// It polls with stat rather than using inotify (fsnotify): a poll sees
// editors that write a new file and rename it over the old one, and a
// cdk.out directory deleted and written again, both of which end an
// inotify watch on the file or directory itself; and a few stat calls
// every half second cost nothing. Waiting for a quiet interval debounces
// an editor's or cdk's several writes into one reload.
func watchFile(ctx context.Context, path string, interval time.Duration, changed chan<- struct{}) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	last, pending := fingerprint(path), false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		switch fp := fingerprint(path); {
		case fp != last:
			last, pending = fp, true // wait until the writes are over
		case pending:
			pending = false
			select {
			case changed <- struct{}{}:
			default: // a reload is pending already
			}
		}
	}
}

// fingerprint describes path's state: size, modification time and mode
// of the file, or of each top-level entry of a directory; "" when
// it cannot be read (mid-rename: the next poll sees the new file).
func fingerprint(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if !fi.IsDir() {
		return stamp(fi)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(stamp(fi))
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			b.WriteString("|" + e.Name() + " " + stamp(info))
		}
	}
	return b.String()
}

func stamp(fi os.FileInfo) string {
	return fmt.Sprintf("%d %d %v", fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
}
