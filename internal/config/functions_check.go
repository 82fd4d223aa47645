package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/tollgate/tollgate"
)

var (
	// functionNamePattern is Lambda's pattern for a function name (the
	// name alone, not an ARN).
	functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// envKeyPattern is Lambda's pattern for an environment variable key.
	envKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// reservedEnvKeys are the environment variables Lambda sets itself and
// refuses in a function's configuration ("Reserved environment variables"
// in the Lambda developer guide). Those starting with '_' fail the key
// pattern already.
var reservedEnvKeys = []string{
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
}

// checkFunctions fills the defaults of the functions section and validates
// it.
func (c *Config) checkFunctions(r *report) {
	ids, names := firstSeen{}, firstSeen{}
	for i := range c.Functions {
		f := &c.Functions[i]
		fp := index("functions", i)

		ids.checkID(r, f.ID, field(fp, "id"), "function id")
		f.checkName(r, names, field(fp, "functionName"))

		rtPath := field(fp, "runtime")
		rt, known := lookupRuntime(f.Runtime)
		switch {
		case f.Runtime == "":
			r.add(rtPath, "runtime is required: one of %s", strings.Join(Runtimes, ", "))
		case !known:
			r.add(rtPath, "unsupported runtime %q: want one of %s", f.Runtime, strings.Join(Runtimes, ", "))
		}
		if known && rt.Handler == tollgate.HandlerModuleExport {
			if msg := checkHandler(f.Handler); msg != "" {
				r.add(field(fp, "handler"), "%s", msg)
			}
		}

		f.checkCode(r, field(fp, "code"), c.dir())

		f.checkLimits(r, fp)
		if cp := field(fp, "reservedConcurrency"); f.ReservedConcurrency < 0 || f.ReservedConcurrency == 0 && r.has(cp) {
			r.add(cp, "reservedConcurrency must be at least 1, got %d (leave it out for no cap)", f.ReservedConcurrency)
		}
		checkEnvironment(r, f.Environment, field(fp, "environment"))
	}
}

// checkName checks the function's name, which defaults to its id, at
// namePath.
func (f *Function) checkName(r *report, names firstSeen, namePath string) {
	switch {
	case f.FunctionName == "" && f.ID != "" && !functionNamePattern.MatchString(f.ID):
		r.add(namePath, "functionName is required: it defaults to the id, and %q is not a valid function name (up to %d letters, digits, '-' and '_')", f.ID, maxFunctionName)
	case f.FunctionName == "":
		f.FunctionName = f.ID
		if f.ID != "" {
			names.check(r, f.FunctionName, namePath, "function name")
		}
	case !functionNamePattern.MatchString(f.FunctionName):
		r.add(namePath, "invalid function name %q: want up to %d letters, digits, '-' and '_'", f.FunctionName, maxFunctionName)
	default:
		names.check(r, f.FunctionName, namePath, "function name")
	}
}

// checkLimits checks and defaults the function's timeout and memory size.
func (f *Function) checkLimits(r *report, fp string) {
	tp := field(fp, "timeout")
	switch {
	case f.Timeout == 0 && !r.has(tp):
		f.Timeout = DefaultFunctionTimeout
	case f.Timeout < minFunctionTimeout || f.Timeout > maxFunctionTimeout:
		r.add(tp, "a function's timeout must be between 1s and 900s, got %s", f.Timeout)
	case f.Timeout%minFunctionTimeout != 0:
		r.add(tp, "a function's timeout is a whole number of seconds, got %s", f.Timeout)
	}
	mp := field(fp, "memorySize")
	switch {
	case f.MemorySize == 0 && !r.has(mp):
		f.MemorySize = DefaultMemorySize
	case f.MemorySize < minMemorySize || f.MemorySize > maxMemorySize:
		r.add(mp, "memorySize must be between %d and %d MB, got %d", minMemorySize, maxMemorySize, f.MemorySize)
	}
}

// checkHandler returns what is wrong with the handler of a Node.js or
// Python function, or "". Both runtimes split it at its last dot into a
// module (a file of the code directory, perhaps in a subdirectory) and the
// name of the function that module exports.
func checkHandler(h string) string {
	switch {
	case h == "":
		return "handler is required: the module and the function it exports, like index.handler"
	case len(h) > maxHandler:
		return "the handler is longer than 128 characters"
	case strings.IndexFunc(h, unicode.IsSpace) >= 0:
		return fmt.Sprintf("invalid handler %q: it must not contain white space", h)
	}
	i := strings.LastIndexByte(h, '.')
	if i <= 0 || i == len(h)-1 || strings.HasSuffix(h[:i], "/") {
		return fmt.Sprintf("invalid handler %q: want the module and the function it exports, like index.handler", h)
	}
	return ""
}

// checkCode checks that the function's code directory exists, and makes
// its path absolute.
//
// A relative path is resolved against the config file's directory. When
// that directory does not exist, the config was not read from it: the seed
// stack embedded in the binary is parsed under the name
// examples/seed/tollgate.yaml wherever the binary runs. Its relative code
// directories cannot be found then, and are not checked.
func (f *Function) checkCode(r *report, path, dir string) {
	if f.Code == "" {
		r.add(path, "code is required: the directory that holds the function's code, relative to this file")
		return
	}
	name := f.Code
	if !filepath.IsAbs(name) {
		if _, err := os.Stat(dir); err != nil {
			return
		}
		name = filepath.Join(dir, name)
	}
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	f.Code = name
	fi, err := os.Stat(name)
	switch {
	case err != nil:
		r.add(path, "cannot read %s: %v", name, errorText(err))
	case !fi.IsDir():
		r.add(path, "%s is not a directory: code names the directory that holds the function's code", name)
	}
}

// checkEnvironment validates a function's environment variables.
func checkEnvironment(r *report, env map[string]string, path string) {
	keys := make([]string, 0, len(env))
	size := 0
	for k, v := range env {
		keys = append(keys, k)
		size += len(k) + len(v)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kp := field(path, k)
		switch {
		case !envKeyPattern.MatchString(k):
			r.addKey(kp, "invalid environment variable name %q: want letters, digits and '_', starting with a letter", k)
		case slices.Contains(reservedEnvKeys, k):
			r.addKey(kp, "%s is reserved: Lambda sets it for every function, and a function's configuration may not", k)
		}
	}
	if size > maxEnvironmentSize {
		r.addKey(path, "the environment variables take %d bytes: Lambda allows at most 4 KB (keys and values together)", size)
	}
}

// lookupRuntime is the row of the runtime table a config may name: a
// Lambda runtime. The built-in runtimes (tollgate.BuiltinFamily, such as
// tollgate.EchoRuntime) are Tollgate's own, which `dev` picks itself; a
// config that names one gets what an unknown runtime gets.
func lookupRuntime(id string) (tollgate.Runtime, bool) {
	rt, ok := tollgate.LookupRuntime(id)
	if !ok || rt.Family == tollgate.BuiltinFamily {
		return tollgate.Runtime{}, false
	}
	return rt, true
}
