package lambdaproxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// parseHTTPResult maps a function's result in payload format 2.0 as HTTP
// APIs do (apigw-beyond §4.2; http-api-develop-integrations-lambda,
// "Lambda function response for format 2.0"):
//
//   - a JSON object with a statusCode (a number, or a numeric string as
//     REST APIs accept it) is the response: headers (values strings,
//     numbers or booleans; a value may hold several, comma-joined),
//     cookies (strings, each a Set-Cookie header), body (a string or
//     null) and isBase64Encoded (a boolean or null). Other keys are
//     ignored, multiValueHeaders included: payload 2.0 does not read it
//     (API Gateway's team, quoted in aws/serverless-java-container#377),
//     and aws-lambda-go's APIGatewayV2HTTPResponse always sends it;
//   - any other JSON value, an object without statusCode (even
//     {"body":"hi"}), a string, a number, null, is the body of a 200
//     application/json answer: its JSON text as the function returned
//     it, without surrounding white space (§6 fact 11; the contract reads
//     the documentation's "body is the function's response" so, quotes
//     of a string included);
//   - what is not JSON, or a response whose fields have the wrong types,
//     is an error (500 on an HTTP API).
//
// The payload is scanned once: an object by its decoding, anything else
// by json.Valid.
func parseHTTPResult(payload []byte) (*proxyResult, error) {
	p := bytes.TrimSpace(payload)
	if len(p) > 0 && p[0] == '{' {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(p, &fields); err != nil {
			return nil, fmt.Errorf("the result is not JSON: %w", err)
		}
		if s, ok := fields["statusCode"]; ok && string(s) != "null" {
			return httpResponse(fields)
		}
	} else if !json.Valid(p) {
		return nil, errors.New("the result is not JSON")
	}
	return &proxyResult{
		status:  http.StatusOK,
		headers: [][2]string{{"Content-Type", "application/json"}},
		body:    p,
	}, nil
}

// httpResponse is the response a 2.0 result with a statusCode describes.
func httpResponse(fields map[string]json.RawMessage) (*proxyResult, error) {
	res := &proxyResult{}
	var err error
	if res.status, err = parseStatus(fields["statusCode"]); err != nil {
		return nil, err
	}
	hs, err := scalarMap(fields["headers"])
	if err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	var cookies []json.RawMessage
	if raw, ok := fields["cookies"]; ok {
		if err := json.Unmarshal(raw, &cookies); err != nil {
			return nil, errors.New("cookies must be a list of strings")
		}
	}
	res.headers = make([][2]string, 0, len(hs)+len(cookies))
	for k, v := range hs {
		res.headers = append(res.headers, [2]string{k, v})
	}
	for _, c := range cookies {
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return nil, errors.New("cookies must be a list of strings")
		}
		res.headers = append(res.headers, [2]string{"Set-Cookie", s})
	}
	if err := res.setField(nil, "body", fields["body"]); err != nil {
		return nil, err
	}
	if err := res.setField(nil, "isBase64Encoded", fields["isBase64Encoded"]); err != nil {
		return nil, err
	}
	return res, nil
}
