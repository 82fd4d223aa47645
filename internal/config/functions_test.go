package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFunctionProblems(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"valid", `
functions:
  - id: Node
    runtime: nodejs22.x
    handler: index.handler
    code: .
  - id: Python
    functionName: py-handler_2
    runtime: python3.13
    handler: pkg/app.lambda_handler
    code: .
    timeout: 900s
    memorySize: 10240
    reservedConcurrency: 1
    environment: {TABLE: orders, PORT: 8080, EMPTY: "", AWS_LAMBDA_EXEC_WRAPPER: /opt/wrap, TZ: UTC}
  - id: Custom
    runtime: provided.al2023
    code: .
    timeout: 1s
    memorySize: 128
`},
		{"unknown fields and wrong types", `
functions:
  - id: F
    runtime: nodejs22.x
    handler: index.handler
    code: .
    role: arn:aws:iam::1:role/x # want functions[0].role: unknown field "role"
    timeout: 10 # want functions[0].timeout: invalid duration "10": want a number and a unit
    memorySize: 1GB # want functions[0].memorySize: want a whole number, got the string "1GB"
    reservedConcurrency: 1.5 # want functions[0].reservedConcurrency: want a whole number, got the number 1.5
    environment: [A] # want functions[0].environment: want a mapping, got a list
  - id: G
    runtime: nodejs22.x
    handler: index.handler
    code: .
    environment:
      ON: true # want functions[1].environment.ON: want a string, got true
      LIST: [a] # want functions[1].environment.LIST: want a string, got a list
    memorySize: 3000000000 # want functions[1].memorySize: the number 3000000000 is too large
`},
		{"required fields", `
functions:
  - runtime: nodejs22.x # want functions[0].id: id is required # want functions[0].handler: handler is required # want functions[0].code: code is required
  - id: NoRuntime # want functions[1].runtime: runtime is required
    code: .
  - id: ProvidedNeedsNoHandler
    runtime: provided.al2
    code: .
`},
		{"duplicates", `
functions:
  - {id: F, runtime: nodejs22.x, handler: index.handler, code: .}
  - {id: F, runtime: nodejs22.x, handler: index.handler, code: .} # want functions[1].id: function id "F" is already used at functions[0].id (line 2) # want functions[1].functionName: function name "F" is already used
  - {id: G, functionName: F, runtime: nodejs22.x, handler: index.handler, code: .} # want functions[2].functionName: function name "F" is already used
`},
		{"names, runtimes and handlers", `
functions:
  - {id: a.b, runtime: nodejs22.x, handler: index.handler, code: .} # want functions[0].functionName: functionName is required: it defaults to the id, and "a.b" is not a valid function name
  - {id: B, functionName: "has space", runtime: nodejs22.x, handler: index.handler, code: .} # want functions[1].functionName: invalid function name "has space"
  - {id: C, functionName: ` + strings.Repeat("f", 65) + `, runtime: nodejs22.x, handler: index.handler, code: .} # want functions[2].functionName: invalid function name
  - {id: D, runtime: nodejs16.x, handler: index.handler, code: .} # want functions[3].runtime: unsupported runtime "nodejs16.x"
  - {id: E, runtime: java21, handler: index.handler, code: .} # want functions[4].runtime: unsupported runtime "java21"
  - {id: F, runtime: nodejs22.x, handler: index, code: .} # want functions[5].handler: invalid handler "index": want the module and the function it exports
  - {id: G, runtime: python3.12, handler: "app. main", code: .} # want functions[6].handler: must not contain white space
  - {id: H, runtime: nodejs22.x, handler: .handler, code: .} # want functions[7].handler: invalid handler ".handler"
  - {id: I, runtime: nodejs22.x, handler: index., code: .} # want functions[8].handler: invalid handler "index."
  - {id: J, runtime: nodejs22.x, handler: src/.handler, code: .} # want functions[9].handler: invalid handler "src/.handler"
  - {id: K, runtime: nodejs22.x, handler: ` + strings.Repeat("h", 121) + `.handler, code: .} # want functions[10].handler: longer than 128
`},
		{"bounds", `
functions:
  - {id: A, runtime: nodejs22.x, handler: index.handler, code: ., timeout: 500ms} # want functions[0].timeout: between 1s and 900s, got 500ms
  - {id: B, runtime: nodejs22.x, handler: index.handler, code: ., timeout: 901s} # want functions[1].timeout: got 15m1s
  - {id: C, runtime: nodejs22.x, handler: index.handler, code: ., timeout: 1500ms} # want functions[2].timeout: a whole number of seconds, got 1.5s
  - {id: D, runtime: nodejs22.x, handler: index.handler, code: ., timeout: 0s} # want functions[3].timeout: must be positive
  - {id: E, runtime: nodejs22.x, handler: index.handler, code: ., memorySize: 127} # want functions[4].memorySize: between 128 and 10240 MB, got 127
  - {id: F, runtime: nodejs22.x, handler: index.handler, code: ., memorySize: 10241} # want functions[5].memorySize: got 10241
  - {id: G, runtime: nodejs22.x, handler: index.handler, code: ., memorySize: 0} # want functions[6].memorySize: got 0
  - {id: H, runtime: nodejs22.x, handler: index.handler, code: ., reservedConcurrency: 0} # want functions[7].reservedConcurrency: at least 1, got 0
  - {id: I, runtime: nodejs22.x, handler: index.handler, code: ., reservedConcurrency: -2} # want functions[8].reservedConcurrency: at least 1, got -2
  - {id: J, runtime: nodejs22.x, handler: index.handler, code: ., timeout: -1s} # want functions[9].timeout: must be positive
`},
		{"environment", `
functions:
  - id: F
    runtime: nodejs22.x
    handler: index.handler
    code: .
    environment:
      AWS_REGION: eu-west-1 # want functions[0].environment.AWS_REGION: AWS_REGION is reserved
      AWS_ACCESS_KEY_ID: x # want functions[0].environment.AWS_ACCESS_KEY_ID: is reserved
      LAMBDA_TASK_ROOT: /x # want functions[0].environment.LAMBDA_TASK_ROOT: is reserved
      _HANDLER: x # want functions[0].environment._HANDLER: invalid environment variable name "_HANDLER"
      1ST: x # want functions[0].environment.1ST: invalid environment variable name
      HAS-DASH: x # want functions[0].environment.HAS-DASH: invalid environment variable name
      OK_1: fine
  - id: G
    runtime: nodejs22.x
    handler: index.handler
    code: .
    environment: # want functions[1].environment: the environment variables take 4099 bytes: Lambda allows at most 4 KB
      BIG: ` + strings.Repeat("v", 4096) + `
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkProblems(t, "test.yaml", strings.TrimPrefix(tc.src, "\n"))
		})
	}
}

func TestParseFunctionCode(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app", "dist"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "index.mjs"), []byte("export const handler = async () => ({})\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := `
functions:
  - {id: Relative, runtime: nodejs22.x, handler: index.handler, code: app/dist}
  - {id: Absolute, runtime: nodejs22.x, handler: index.handler, code: ` + filepath.Join(dir, "app") + `}
  - {id: Missing, runtime: nodejs22.x, handler: index.handler, code: nope} # want functions[2].code: nope: no such file or directory
  - {id: File, runtime: nodejs22.x, handler: index.handler, code: app/index.mjs} # want functions[3].code: index.mjs is not a directory
`
	file := filepath.Join(dir, "tollgate.yaml")
	checkProblems(t, file, strings.TrimPrefix(src, "\n"))

	cfg, err := Parse(file, []byte(strings.Join(strings.Split(src, "\n")[:4], "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Functions[0].Code, filepath.Join(dir, "app", "dist"); got != want {
		t.Errorf("relative code = %q, want %q", got, want)
	}
	if got, want := cfg.Functions[1].Code, filepath.Join(dir, "app"); got != want {
		t.Errorf("absolute code = %q, want %q", got, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate after Parse: %v", err)
	}

	// A config that was not read from its directory (the embedded seed
	// stack, run from anywhere) cannot have its relative code checked.
	cfg, err = Parse(filepath.Join(dir, "no", "such", "dir", "tollgate.yaml"), []byte(src[:strings.Index(src, "  - {id: Absolute")]))
	if err != nil {
		t.Fatalf("a config whose directory does not exist: %v", err)
	}
	if got := cfg.Functions[0].Code; got != "app/dist" {
		t.Errorf("unresolvable code = %q, want it left as written", got)
	}
}

func TestParseFunctionDefaults(t *testing.T) {
	cfg, err := Parse("test.yaml", []byte("functions:\n  - {id: F, runtime: nodejs22.x, handler: index.handler, code: .}\n"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	want := []Function{{
		ID: "F", FunctionName: "F", Runtime: "nodejs22.x", Handler: "index.handler", Code: abs,
		Timeout: 3 * time.Second, MemorySize: 128,
	}}
	if diff := cmp.Diff(want, cfg.Functions); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
	if !(&Function{Runtime: "provided.al2"}).OSOnly() || (&Function{Runtime: "python3.12"}).OSOnly() {
		t.Error("OSOnly")
	}
}

func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "10s", want: 10 * time.Second},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "1m30s", want: 90 * time.Second},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "24h", want: 24 * time.Hour},
		{in: "", err: "want a number and a unit"},
		{in: "10", err: "want a number and a unit"},
		{in: "10 s", err: "want a number and a unit"},
		{in: "5d", err: "want a number and a unit"},
		{in: "0s", err: "must be positive"},
		{in: "-1s", err: "must be positive"},
		{in: "+1s", err: "want a number and a unit"},
		{in: "25h", err: "too long"},
		{in: "9999999999999999999h", err: "too long"},
		{in: "soon", err: "want a number and a unit"},
	} {
		got, err := ParseTimeout(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTimeout(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTimeout(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
