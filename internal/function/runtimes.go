package function

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
)

//go:embed bootstrap/node.mjs
var nodeBootstrap []byte

//go:embed bootstrap/python.py
var pythonBootstrap []byte

// runtime is how an instance of a function is started.
type runtime struct {
	argv []string
	// executionEnv is AWS_EXECUTION_ENV ("" for the OS-only runtimes,
	// where Lambda does not set it).
	executionEnv string
	env          []string // runtime-specific variables
}

// launcher is how this package starts the instances of a runtime family
// that runs the code with an interpreter and a bootstrap it ships. Which
// runtime is of which family, its interpreter and its version are the
// domain's runtime table (tollgate.LookupRuntime).
type launcher struct {
	// interpreter is the configured interpreter (Options.Node,
	// Options.Python), "" for the one on PATH.
	interpreter func(*Options) string
	// bootstrap is the file name of the shipped bootstrap, and content
	// its text.
	bootstrap string
	content   []byte
	// flags go between the interpreter and the bootstrap.
	flags []string
	// env is the family's own variables, for code in codeDir.
	env func(codeDir string) []string
}

// launchers are the interpreted runtime families; the OS-only family runs
// the code directory's bootstrap executable instead.
var launchers = map[tollgate.RuntimeFamily]launcher{
	tollgate.NodeJSFamily: {
		interpreter: func(o *Options) string { return o.Node },
		bootstrap:   "node.mjs",
		content:     nodeBootstrap,
		flags:       []string{"--enable-source-maps"},
		env: func(codeDir string) []string {
			return []string{"NODE_PATH=" + codeDir + "/node_modules"}
		},
	},
	tollgate.PythonFamily: {
		interpreter: func(o *Options) string { return o.Python },
		bootstrap:   "python.py",
		content:     pythonBootstrap,
		flags:       []string{"-u"},
		env: func(codeDir string) []string {
			return []string{"PYTHONPATH=" + codeDir, "PYTHONDONTWRITEBYTECODE=1"}
		},
	},
}

// runtimeFor finds what runs f's instances from codeDir. It fails when
// the runtime's interpreter or the bootstrap executable is missing, or
// the function user may not run it, so that the server refuses to start
// rather than failing each request.
func (r *Runner) runtimeFor(f *tollgate.Function, codeDir string) (*runtime, error) {
	rt, ok := tollgate.LookupRuntime(f.Runtime)
	if !ok {
		return nil, fmt.Errorf("function %s: unsupported runtime %q", f.Name, f.Runtime)
	}
	if rt.Family == tollgate.OSOnlyFamily {
		return r.osOnlyRuntime(f, codeDir)
	}
	l, ok := launchers[rt.Family]
	if !ok {
		return nil, fmt.Errorf("function %s: unsupported runtime %q", f.Name, f.Runtime)
	}
	bin, err := r.lookInterpreter(l.interpreter(&r.opts), rt.Interpreter, f)
	if err != nil {
		return nil, err
	}
	r.checkVersion(f, bin, rt.Version, "--version", rt.VersionPrefix)
	boot, err := r.writeBootstrap(l.bootstrap, l.content)
	if err != nil {
		return nil, err
	}
	argv := append(append([]string{bin}, l.flags...), boot)
	return &runtime{
		argv:         argv,
		executionEnv: "AWS_Lambda_" + f.Runtime,
		env:          l.env(codeDir),
	}, nil
}

// osOnlyRuntime runs the bootstrap executable of codeDir.
func (r *Runner) osOnlyRuntime(f *tollgate.Function, codeDir string) (*runtime, error) {
	boot := filepath.Join(codeDir, "bootstrap")
	fi, err := os.Stat(boot)
	if err != nil {
		return nil, fmt.Errorf("function %s (%s): the code directory has no bootstrap executable: %w", f.Name, f.Runtime, err)
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return nil, fmt.Errorf("function %s (%s): %s is not an executable file", f.Name, f.Runtime, boot)
	}
	if r.ids != nil {
		if err := accessible(r.ids.first(), boot, mayRead|mayExec); err != nil {
			return nil, fmt.Errorf("function %s (%s) runs as %s: %w", f.Name, f.Runtime, r.opts.User.Name, err)
		}
	}
	return &runtime{argv: []string{boot}}, nil
}

// lookInterpreter returns the path of the interpreter: configured, or
// found on PATH; with a function user, one that it may run.
func (r *Runner) lookInterpreter(configured, name string, f *tollgate.Function) (string, error) {
	if configured == "" {
		configured = name
	}
	p, err := exec.LookPath(configured)
	if err != nil {
		return "", fmt.Errorf("function %s (%s) needs %s, which is not on this machine: %w", f.Name, f.Runtime, name, err)
	}
	if r.ids == nil {
		return p, nil
	}
	if p, err = lookPathAs(r.ids.first(), configured); err != nil {
		return "", fmt.Errorf("function %s (%s) runs as %s, which cannot run %s: %w", f.Name, f.Runtime, r.opts.User.Name, name, err)
	}
	return p, nil
}

// checkVersion warns when the local interpreter's version is not the one
// the runtime names (node 20 for nodejs22.x): the function runs, but may
// behave otherwise than on Lambda.
func (r *Runner) checkVersion(f *tollgate.Function, bin, want, flag, prefix string) {
	out, err := exec.Command(bin, flag).CombinedOutput() //nolint:gosec // G204: asking the runtime's interpreter, found on PATH, for its version is the point
	if err != nil {
		r.opts.Logger.Warn("function: cannot tell the interpreter's version", "function", f.Name, "interpreter", bin, "error", err.Error())
		return
	}
	got := strings.TrimPrefix(string(bytes.TrimSpace(out)), prefix)
	parts := strings.SplitN(got, ".", 3)
	wparts := strings.Split(want, ".")
	match := len(parts) >= len(wparts)
	for i := 0; match && i < len(wparts); i++ {
		a, err1 := strconv.Atoi(parts[i])
		b, err2 := strconv.Atoi(wparts[i])
		match = err1 == nil && err2 == nil && a == b
	}
	if !match {
		r.opts.Logger.Warn("function: the local interpreter's version differs from the runtime's",
			"function", f.Name, "runtime", f.Runtime, "interpreter", bin, "version", got)
	}
}

// writeBootstrap writes a shipped bootstrap into the runtime directory
// once and returns its path.
func (r *Runner) writeBootstrap(name string, content []byte) (string, error) {
	p := filepath.Join(r.rtDir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	if err := os.WriteFile(p, content, 0o644); err != nil { //nolint:gosec // G306: a bootstrap shipped in the binary, no secret, that the function user (not its owner) must read
		return "", fmt.Errorf("function: write %s: %w", name, err)
	}
	return p, nil
}

// defaultBaseEnv is what a function process gets of this process's
// environment: what finding programs, temporary files and text needs.
// Nothing else: Tollgate's environment may hold TOLLGATE_MASTER_KEY, and
// AWS credentials that may be one of Tollgate's own access keys (`tollgate
// access-keys create` prints export lines), with which a function would
// call the management API (client secrets in the clear) or invoke other
// functions.
func defaultBaseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// credentialSources are the variables by which an AWS SDK finds
// credentials. Lambda's own (the keys and token) are reserved: a
// function's configuration cannot set them, but it may name a profile.
var credentialSources = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
}

// placeholderCredentials stand for the execution role's credentials, which
// Lambda always sets: an SDK in the function finds credentials at once
// (rather than probing for an instance role, and taking the host's), and
// signs with keys that no service accepts. ASIA is the prefix of temporary
// keys: Tollgate's access keys begin with AKIA, so these can never be one.
var placeholderCredentials = []string{
	"AWS_ACCESS_KEY_ID=ASIATOLLGATEFUNCTION",
	"AWS_SECRET_ACCESS_KEY=tollgate/placeholder/not/a/real/secret/0",
	"AWS_SESSION_TOKEN=tollgate-local-function-placeholder-session-token",
}

// credentialsEnv is what an instance gets for AWS credentials: nothing
// when env (the base environment and the function's own) names a source
// of them, such as a profile (AWS_PROFILE and AWS_SHARED_CREDENTIALS_FILE
// in the function's environment, for a function that calls AWS), else the
// placeholders.
func credentialsEnv(env []string) []string {
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if slices.Contains(credentialSources, k) {
			return nil
		}
	}
	return placeholderCredentials
}

// environ is the environment of an instance of f whose Runtime API is api
// (with its secret), with home's variables (HOME, TMPDIR) over the base
// environment's.
func (p *pool) environ(api, stream string, home []string) []string {
	f := p.fn
	env := append(append([]string(nil), p.r.opts.BaseEnv...), home...)
	for k, v := range f.Environment {
		env = append(env, k+"="+v)
	}
	env = append(env, credentialsEnv(env)...)
	// Lambda's own variables come last and win (configuration refuses
	// the reserved names anyway).
	env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+api,
		"_HANDLER="+f.Handler,
		"LAMBDA_TASK_ROOT="+p.codeDir,
		"LAMBDA_RUNTIME_DIR="+p.r.rtDir,
		"AWS_LAMBDA_FUNCTION_NAME="+f.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(f.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME="+stream,
		"AWS_REGION="+f.Region,
		"AWS_DEFAULT_REGION="+f.Region,
		"TZ=UTC",
	)
	if p.rt.executionEnv != "" {
		env = append(env, "AWS_EXECUTION_ENV="+p.rt.executionEnv)
	}
	return append(env, p.rt.env...)
}
