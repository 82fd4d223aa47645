package tollgate

import (
	"strings"
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
	// provided.al2023…
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
func (f *Function) OSOnly() bool { return strings.HasPrefix(f.Runtime, "provided.") }

// AccountID is the AWS account id Tollgate reports where AWS shows one
// (Lambda ARNs, requestContext.accountId): twelve zeros, never a real
// account.
const AccountID = "000000000000"

// ARN returns the ARN of the function's $LATEST version, as Lambda
// reports it to the function (Lambda-Runtime-Invoked-Function-Arn).
func (f *Function) ARN() string {
	return "arn:aws:lambda:" + f.Region + ":" + AccountID + ":function:" + f.Name
}
