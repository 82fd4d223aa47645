package buildinfo

import (
	"cmp"
	"runtime"
	"runtime/debug"
	"sync"
)

// version, revision and date are set by `make dist`:
//
//	go build -ldflags "-X github.com/tollgate/tollgate/internal/buildinfo.version=v1.2.0 …"
//
// version is the release version; empty, the module version Go recorded
// is used (a tag for `go install …@v1.2.0`, "(devel)" for a build from a
// checkout). revision and date are the commit and its time, which Go
// records itself (vcs.revision, vcs.time) only where it can run git on the
// checkout: make dist sets them so that a release says them wherever it
// was built. The date is the commit's, not the clock's, so that one commit
// always builds the same bytes and SHA256SUMS can be checked by rebuilding.
var version, revision, date string

// Devel is the version of a build that carries none: Go's own word for a
// build of the main module from its source tree.
const Devel = "(devel)"

// Info describes this binary.
type Info struct {
	// Version is the release version ("v1.2.0") or Devel.
	Version string
	// Revision is the VCS commit the binary was built from, and Time that
	// commit's time (RFC 3339); empty when neither make dist nor Go
	// recorded them (go run, a build outside a checkout, -buildvcs=false).
	Revision, Time string
	// Modified reports that the working tree had changes not committed.
	Modified bool
	// GoVersion is the toolchain that built the binary ("go1.26.8").
	GoVersion string
	// Platform is GOOS/GOARCH ("linux/amd64").
	Platform string
}

// Read returns the binary's build information (read once).
var Read = sync.OnceValue(func() Info {
	info := Info{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.Version = bi.Main.Version
		info.GoVersion = cmp.Or(bi.GoVersion, info.GoVersion)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	info.Version = cmp.Or(version, info.Version, Devel)
	info.Revision = cmp.Or(revision, info.Revision)
	info.Time = cmp.Or(date, info.Time)
	return info
})

// String is what `tollgate version` prints: the version on the first line,
// then one "key: value" line each for the commit, build date, Go version
// and platform.
func (i Info) String() string {
	rev := cmp.Or(i.Revision, "unknown")
	if i.Modified {
		rev += " (modified)"
	}
	return "tollgate " + i.Version + "\n" +
		"commit:   " + rev + "\n" +
		"date:     " + cmp.Or(i.Time, "unknown") + "\n" +
		"go:       " + i.GoVersion + "\n" +
		"platform: " + i.Platform + "\n"
}
