// Package function runs Lambda functions locally, the way Lambda runs
// them: each instance of a function is a process (the machine's node or
// python3 with a bootstrap this package ships, or the code directory's own
// bootstrap executable for the OS-only runtimes) that fetches its
// invocations from an implementation of the Lambda Runtime API (version
// 2018-06-01) on a loopback port of its own. Instances are kept warm and
// reused, started on demand up to the function's concurrency cap, stopped
// when idle, and killed and replaced when they crash, hang or overrun their
// timeout. The package also serves the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations).
//
// It knows nothing of API Gateway: payloads are opaque bytes here, and the
// proxy event and response mapping live in internal/gateway. It imports
// only the root package.
package function
