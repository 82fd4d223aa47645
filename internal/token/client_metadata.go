package token

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"github.com/tollgate/tollgate/internal/oauth2"
)

// ParamClientMetadata is Cognito's aws_client_metadata parameter of
// /oauth2/token: a JSON object of string values, urlencoded as any other
// parameter, that reaches the pool's pre token generation trigger as
// request.clientMetadata, only when the trigger's event version is V3_0 and
// only for client_credentials (contract cognito-apigw.md §1.1, from
// Cognito's token endpoint page).
const ParamClientMetadata = "aws_client_metadata"

// maxClientMetadataEntries bounds the pairs of aws_client_metadata. The
// body's bound (MaxBodyBytes) already bounds its bytes; this keeps the
// event a function gets from being a few thousand tiny pairs.
const maxClientMetadataEntries = 256

var (
	errClientMetadataJSON = oauth2.InvalidRequest(ParamClientMetadata + " must be a JSON object")
	errClientMetadataType = oauth2.InvalidRequest(ParamClientMetadata + " must map names to string values")
	errClientMetadataSize = oauth2.InvalidRequest(ParamClientMetadata + " has too many entries")
)

// parseClientMetadata checks an aws_client_metadata value and returns it as
// the compact JSON object that request.clientMetadata carries: a map of
// strings to strings, as ClientMetadata is everywhere in Cognito's API
// (GetClientToken's ClientMetadata is a map<String,String>). A value that
// is not a JSON object, or maps a name to anything but a string, is
// invalid_request: refusing it here tells the client, whereas passing it on
// would fail inside the function. A name given twice keeps its last value
// at its first place, as JavaScript's JSON.parse does. The description
// never quotes the value: it is client input.
func parseClientMetadata(s string) (json.RawMessage, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errClientMetadataJSON
	}
	var names, values []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errClientMetadataJSON
		}
		name, _ := tok.(string) // the decoder yields only strings as names
		tok, err = dec.Token()
		if err != nil {
			return nil, errClientMetadataJSON
		}
		value, ok := tok.(string)
		if !ok {
			// A nested object or array starts a value the decoder has not
			// read; it is refused before it is.
			return nil, errClientMetadataType
		}
		if i := slices.Index(names, name); i >= 0 {
			values[i] = value
			continue
		}
		if len(names) == maxClientMetadataEntries {
			return nil, errClientMetadataSize
		}
		names, values = append(names, name), append(values, value)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errClientMetadataJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errClientMetadataJSON // something after the object
	}
	var b bytes.Buffer
	b.Grow(len(s))
	b.WriteByte('{')
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, name)
		b.WriteByte(':')
		writeJSONString(&b, values[i])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSONString writes s as a JSON string, escaped as encoding/json does.
func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}
