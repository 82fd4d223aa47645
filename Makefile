# Tollgate's checks. `make check` is the one command that checks everything;
# CI runs it through .ci/run.

GO ?= go

.PHONY: check fmt vet lint test bench fuzz dev build

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

test:
	$(GO) test -race -count=1 ./...

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
