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
// A function is user code that may be compromised, and a local process is
// not Lambda's microVM; what keeps it in its place here:
//
//   - each instance's Runtime API serves only requests that carry the
//     instance's secret as the first path segment
//     (AWS_LAMBDA_RUNTIME_API="127.0.0.1:PORT/SECRET"), so another process
//     cannot take its events or answer for it;
//   - its environment is built, never inherited: nothing of Tollgate's,
//     its AWS credentials included (placeholders stand for Lambda's role
//     credentials);
//   - its processes gain no privilege by exec (no_new_privs, Linux), and
//     what it left in its process group dies with it;
//   - with a User (Tollgate as root), it runs as that user with none of
//     Tollgate's groups, a HOME and TMPDIR of its own, and, for code that
//     user could not read, a copy made without following any link and
//     readable by the user's group alone; with a uid range, as a uid of its
//     own per instance, all of whose processes are killed at once when the
//     instance ends, before the uid is reused.
//
// It knows nothing of API Gateway: payloads are opaque bytes here, and the
// proxy event and response mapping live in internal/gateway. It imports
// only the root package.
package function
