package function

import (
	"bytes"
	"encoding/json"

	"github.com/tollgate/tollgate"
)

// builtin runs one invocation of a function of tollgate.BuiltinFamily in
// process: id is the invocation's request id.
type builtin func(id string, payload []byte) Result

// builtins are the in-process runtimes, by runtime id.
var builtins = map[string]builtin{
	tollgate.EchoRuntime: echo,
}

// echo answers a Lambda proxy event with a Lambda proxy response: 200,
// Content-Type application/json, and the event as the body, indented.
func echo(id string, payload []byte) Result {
	var body bytes.Buffer
	if err := json.Indent(&body, payload, "", "  "); err != nil {
		return errorResult(id, "Runtime.HandlerError", "the event is not JSON: %v", err)
	}
	body.WriteByte('\n')
	out, err := json.Marshal(struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}{200, map[string]string{"Content-Type": "application/json"}, body.String()})
	if err != nil {
		return errorResult(id, "Runtime.HandlerError", "%v", err)
	}
	return Result{Payload: out}
}
