// Package buildinfo says which Tollgate this binary is: the release version
// `make dist` stamps in with -ldflags -X, and what the Go toolchain records
// (the VCS revision and time, whether the tree was modified, the Go version
// and the platform). The version command prints it and the server exports
// it as the tollgate_build_info metric.
//
// It imports the standard library only.
package buildinfo
