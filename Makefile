# Tollgate's checks. `make check` is the one command that checks everything;
# CI runs it through .ci/run.

GO ?= go

.PHONY: check fmt vet test bench dev build

check: fmt vet test

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test:
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

build:
	CGO_ENABLED=0 $(GO) build -o tollgate ./cmd/tollgate

dev:
	$(GO) run ./cmd/tollgate dev
