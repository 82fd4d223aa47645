# Tollgate's checks. `make check` is the one command that checks everything;
# CI runs it through .ci/run.

GO ?= go

.PHONY: check fmt vet lint test bench fuzz dev build dist

check: fmt vet lint test

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# lint runs golangci-lint with .golangci.yml. The version is the one the
# tool directive in go.mod pins: `go tool` builds it from the module cache,
# fetching its modules from the Go module proxy on a machine's first run.
lint:
	$(GO) tool golangci-lint run ./...

# test runs the end-to-end tests (./e2e) after the other packages, not
# beside them: they start real processes (three cluster nodes, a browser),
# whose waits other packages' race-enabled tests sharing the machine's
# cores would stretch.
test:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/e2e$$')
	$(GO) test -race -count=1 ./e2e

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# fuzz runs every fuzz target (func FuzzXxx) of every package for
# FUZZTIME each; a failure stops it and leaves the input under the
# package's testdata/fuzz. `make fuzz FUZZTIME=10m` for a longer run.
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME); \
	  done; \
	done

build:
	CGO_ENABLED=0 $(GO) build -o tollgate ./cmd/tollgate

dev:
	$(GO) run ./cmd/tollgate dev

# dist builds static release binaries (no cgo, paths trimmed) for each of
# PLATFORMS into dist/, named tollgate-OS-ARCH, with their SHA256SUMS.
# VERSION defaults to `git describe` (a tag, or the commit, "-dirty" when
# the tree has changes); the commit and its time are stamped too, so that
# `tollgate version` says them and one commit builds the same bytes.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo '(devel)')
REVISION := $(shell git rev-parse HEAD 2>/dev/null)
DATE := $(shell git log -1 --format=%cI 2>/dev/null)
BUILDINFO := github.com/tollgate/tollgate/internal/buildinfo
DIST_LDFLAGS := -s -w -X '$(BUILDINFO).version=$(VERSION)' -X '$(BUILDINFO).revision=$(REVISION)' -X '$(BUILDINFO).date=$(DATE)'
dist:
	@rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; \
	  echo "== dist/tollgate-$$os-$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
	    -ldflags "$(DIST_LDFLAGS)" -o dist/tollgate-$$os-$$arch ./cmd/tollgate; \
	done
	cd dist && sha256sum tollgate-* > SHA256SUMS
