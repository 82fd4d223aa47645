package tollgate

import (
	"context"
	"regexp"
	"slices"
	"time"
)

// Function is a Lambda function that Tollgate runs itself, as local
// processes speaking the Lambda Runtime API. Functions are declared in
// config and not stored.
type Function struct {
	// Name is the function name (FunctionName): what AWS_PROXY
	// integrations and the Invoke API name it by.
	Name string
	// Runtime is a Lambda runtime identifier: nodejs22.x, python3.12,
	// provided.al2023… (an ID of the runtime table, LookupRuntime).
	Runtime string
	// Handler is "{module}.{export}" for the Node.js and Python runtimes;
	// OS-only runtimes ignore it.
	Handler string
	// CodeDir is the absolute path of the directory holding the code (the
	// task root).
	CodeDir string
	// Timeout bounds one invocation.
	Timeout time.Duration
	// MemorySize is the configured memory in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
	// not enforced locally).
	MemorySize int
	// Environment holds the function's own environment variables.
	Environment map[string]string
	// ReservedConcurrency caps the instances running at once; 0 means the
	// runner's default cap.
	ReservedConcurrency int
	// Region is the region the function reports (AWS_REGION).
	Region    string
	ConfigKey string
}

// OSOnly reports whether the function runs on an OS-only runtime
// (provided.al2, provided.al2023): the code directory's bootstrap
// executable is the runtime.
func (f *Function) OSOnly() bool {
	rt, ok := LookupRuntime(f.Runtime)
	return ok && rt.Family == OSOnlyFamily
}

// A RuntimeFamily is a kind of Lambda runtime: what runs a function's
// code. Its value is the prefix Lambda gives the family's runtime ids.
type RuntimeFamily string

// The runtime families Tollgate runs.
const (
	// NodeJSFamily runs the code with the machine's node and the Node.js
	// bootstrap Tollgate ships.
	NodeJSFamily RuntimeFamily = "nodejs"
	// PythonFamily runs the code with the machine's python3 and the Python
	// bootstrap Tollgate ships.
	PythonFamily RuntimeFamily = "python"
	// OSOnlyFamily runs the code directory's bootstrap executable, which
	// is the runtime (a Go or Rust binary, say).
	OSOnlyFamily RuntimeFamily = "provided"
	// BuiltinFamily runs the function inside Tollgate, without a process
	// or code: its runtimes are Tollgate's own (EchoRuntime), not
	// Lambda's, and RuntimeIDs leaves them out.
	BuiltinFamily RuntimeFamily = "tollgate"
)

// EchoRuntime is the built-in echo runtime: a function on it answers a
// Lambda proxy event with a 200 whose JSON body is that event, indented.
// `tollgate dev` runs a function whose interpreter is not on the machine
// on it, so that the API still answers and shows what the function would
// get. Its handler and code are ignored.
const EchoRuntime = "tollgate.echo"

// A HandlerRule is how a runtime resolves a function's Handler.
type HandlerRule int

const (
	// HandlerModuleExport means the handler is required, "{module}.{export}",
	// split at its last dot into a module of the code directory (perhaps
	// in a subdirectory: app/main.handler) and the name of the function
	// that module exports. The shipped bootstraps resolve it.
	HandlerModuleExport HandlerRule = iota + 1
	// HandlerIgnored means the handler is optional; the bootstrap executable
	// gets it in _HANDLER and may use it or not.
	HandlerIgnored
)

// Runtime is one row of the runtime table: a Lambda runtime identifier
// and what running it takes.
type Runtime struct {
	// ID is Lambda's runtime identifier: nodejs22.x, python3.12,
	// provided.al2023.
	ID     string
	Family RuntimeFamily
	// Interpreter is the program that runs the shipped bootstrap ("node",
	// "python3"), looked up on PATH unless the function runner is given
	// another; "" for the OS-only runtimes.
	Interpreter string
	// Version is the interpreter version the runtime names ("22" for
	// nodejs22.x, "3.12" for python3.12), which the local interpreter's is
	// compared with; "" for the OS-only runtimes.
	Version string
	// VersionPrefix is what precedes the version in the output of the
	// interpreter's --version ("v22.11.0", "Python 3.12.3").
	VersionPrefix string
	Handler       HandlerRule
}

func nodejsRuntime(id, version string) Runtime {
	return Runtime{ID: id, Family: NodeJSFamily, Interpreter: "node", Version: version, VersionPrefix: "v", Handler: HandlerModuleExport}
}

func pythonRuntime(id, version string) Runtime {
	return Runtime{ID: id, Family: PythonFamily, Interpreter: "python3", Version: version, VersionPrefix: "Python ", Handler: HandlerModuleExport}
}

func osOnlyRuntime(id string) Runtime {
	return Runtime{ID: id, Family: OSOnlyFamily, Handler: HandlerIgnored}
}

// runtimes is the runtime table: the Lambda runtimes a function may name,
// in the order messages list them, then Tollgate's built-in ones. It is
// the one place a runtime id is matched: configuration accepts the Lambda
// ids, and the function runner starts each function by its row.
var runtimes = []Runtime{
	nodejsRuntime("nodejs18.x", "18"),
	nodejsRuntime("nodejs20.x", "20"),
	nodejsRuntime("nodejs22.x", "22"),
	pythonRuntime("python3.9", "3.9"),
	pythonRuntime("python3.10", "3.10"),
	pythonRuntime("python3.11", "3.11"),
	pythonRuntime("python3.12", "3.12"),
	pythonRuntime("python3.13", "3.13"),
	osOnlyRuntime("provided.al2"),
	osOnlyRuntime("provided.al2023"),
	{ID: EchoRuntime, Family: BuiltinFamily, Handler: HandlerIgnored},
}

// LookupRuntime returns the row of the runtime table whose ID is id.
func LookupRuntime(id string) (Runtime, bool) {
	i := slices.IndexFunc(runtimes, func(r Runtime) bool { return r.ID == id })
	if i < 0 {
		return Runtime{}, false
	}
	return runtimes[i], true
}

// RuntimeIDs returns the Lambda runtime ids of the runtime table, in its
// order: every row but the built-in ones.
func RuntimeIDs() []string {
	ids := make([]string, 0, len(runtimes))
	for _, r := range runtimes {
		if r.Family != BuiltinFamily {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// AccountID is the AWS account id Tollgate reports where AWS shows one
// (Lambda ARNs, requestContext.accountId): twelve zeros, never a real
// account.
const AccountID = "000000000000"

// ARN returns the ARN of the function's $LATEST version, as Lambda
// reports it to the function (Lambda-Runtime-Invoked-Function-Arn).
func (f *Function) ARN() string {
	return "arn:aws:lambda:" + f.Region + ":" + AccountID + ":function:" + f.Name
}

// InvokeFunc runs the named Lambda function on an event and returns its
// payload: what Lambda proxy integrations, Lambda authorizers and pool
// triggers are given by the server. functionError reports a function
// error (the handler failed, crashed or timed out; the payload is then
// Lambda's error document); err an invocation that did not happen or was
// not waited for (no such function, ctx ended). traceID is the
// X-Amzn-Trace-Id the function sees as Lambda-Runtime-Trace-Id ("" for
// none).
type InvokeFunc func(ctx context.Context, function, traceID string, event []byte) (payload []byte, functionError bool, err error)

// functionARN matches a Lambda function's ARN, unqualified or with a
// version or alias: arn:{partition}:lambda:{region}:{account}:function:{name}[:{qualifier}].
var functionARN = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:([A-Za-z0-9_-]{1,64})(?::[A-Za-z0-9_$-]{1,128})?$`)

// FunctionNameFromARN returns the function name of a Lambda function ARN,
// or "" and false when arn is not one.
func FunctionNameFromARN(arn string) (string, bool) {
	m := functionARN.FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[1], true
}
