package config

import (
	"time"

	"github.com/tollgate/tollgate"
)

// The functions section: Lambda functions, with the props of CDK's
// lambda.Function and the construct id as "id":
//
//	new lambda.Function(this, 'ProxyLambda', {runtime, handler, code, timeout}) → Function
//
// Tollgate runs each function as local processes speaking the Lambda
// Runtime API (internal/function). The section is validated with Lambda's
// own rules; an AWS_PROXY integration names a function by its id.

// Function is a Lambda function.
type Function struct {
	// ID is the logical id, like a CDK construct id, unique among the
	// functions. AWS_PROXY integrations name the function by it.
	ID string `yaml:"id"`
	// FunctionName is the function's name, unique among the functions
	// (default ID): up to 64 letters, digits, '-' and '_', as Lambda's.
	FunctionName string `yaml:"functionName"`
	// Runtime is a Lambda runtime identifier: nodejs18.x, nodejs20.x,
	// nodejs22.x, python3.9 to python3.13, provided.al2 or provided.al2023
	// (see Runtimes).
	Runtime string `yaml:"runtime"`
	// Handler is the method the runtime calls, "{module}.{function}" such
	// as index.handler. It is required by the Node.js and Python runtimes;
	// the OS-only runtimes (provided.*) run the bootstrap executable of the
	// code directory and ignore it.
	Handler string `yaml:"handler"`
	// Code is the directory holding the function's code, CDK's
	// Code.fromAsset(dir). A relative path is resolved against the config
	// file's directory, and Parse leaves it absolute here.
	Code string `yaml:"code"`
	// Timeout is how long an invocation may run: whole seconds from 1s to
	// 900s (default 3s, Lambda's).
	Timeout time.Duration `yaml:"timeout"`
	// MemorySize is the memory, in MB, the function gets: 128 to 10240
	// (default 128).
	MemorySize int `yaml:"memorySize"`
	// Environment holds the function's environment variables. Keys are
	// letters, digits and '_', starting with a letter, and not one of the
	// keys Lambda reserves (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, …); keys
	// and values together take at most 4 KB.
	Environment map[string]string `yaml:"environment"`
	// ReservedConcurrency caps the function's concurrent invocations; 0
	// means no cap of its own.
	ReservedConcurrency int `yaml:"reservedConcurrency"`
}

// Runtimes are the Lambda runtimes a function may name: the ids of the
// domain's runtime table (tollgate.LookupRuntime), in its order.
var Runtimes = tollgate.RuntimeIDs()

// Lambda's defaults and limits for a function. Sources: the CreateFunction
// API reference and the Lambda quotas page.
const (
	DefaultFunctionTimeout = 3 * time.Second
	DefaultMemorySize      = 128

	minFunctionTimeout = time.Second
	maxFunctionTimeout = 900 * time.Second
	minMemorySize      = 128
	maxMemorySize      = 10240
	maxEnvironmentSize = 4096 // bytes of keys and values together
	maxFunctionName    = 64
	maxHandler         = 128
)

// OSOnly reports whether the function's runtime is an OS-only runtime
// (provided.al2, provided.al2023), which runs the code directory's
// bootstrap executable rather than a handler.
func (f *Function) OSOnly() bool {
	rt, ok := tollgate.LookupRuntime(f.Runtime)
	return ok && rt.Family == tollgate.OSOnlyFamily
}
