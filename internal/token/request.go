package token

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/tollgate/tollgate/internal/oauth2"
)

// form holds the parameters of a request body that the endpoint defines,
// each at most once. A parameter sent without a value is absent (RFC 6749
// §3.1: "Parameters sent without a value MUST be treated as if they were
// omitted from the request").
type form map[string]string

// readForm checks the request's shape and returns the parameters named in
// params. It refuses, with invalid_request:
//
//   - any method but POST, with 405 and Allow: POST (RFC 6749 §3.2 requires
//     POST at the token endpoint; RFC 7009 §2.1 and RFC 7662 §2.1 likewise);
//   - any parameter in the URL query: client credentials must not appear in
//     a URL (RFC 6749 §2.3.1, RFC 9700 §4.3.2), and accepting other
//     parameters there would let them shadow or duplicate the body's;
//   - a Content-Type other than application/x-www-form-urlencoded (RFC 6749
//     §4.4.2); its parameters, such as charset, are ignored, since a
//     urlencoded body is ASCII;
//   - a body over MaxBodyBytes. This is a 400 invalid_request rather than a
//     413 so that OAuth 2 client libraries, which parse §5.2 bodies, report
//     it; the server closes the connection instead of reading the rest;
//   - a body that is not valid urlencoding;
//   - a parameter in params given more than once (RFC 6749 §3.1), except
//     those that repeatable names: resource and the client assertion's,
//     whose repeats are recorded (form.repeated) and judged once the
//     client is known, since whether they count depends on it.
//
// Parameters not in params are ignored (RFC 6749 §3.2), repeated or not:
// Cognito's aws_client_metadata is one of them.
func readForm(w http.ResponseWriter, r *http.Request, params ...string) (form, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, oauth2.InvalidRequest("the method must be POST").WithStatus(http.StatusMethodNotAllowed)
	}
	if r.URL.RawQuery != "" {
		return nil, oauth2.InvalidRequest("parameters must be sent in the request body, not in the URL query")
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, oauth2.InvalidRequest("the Content-Type must be " + oauth2.ContentTypeForm)
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != oauth2.ContentTypeForm {
		return nil, oauth2.InvalidRequest("the Content-Type must be " + oauth2.ContentTypeForm)
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, errBodyTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errBodyTooLarge
		}
		return nil, oauth2.InvalidRequest("cannot read the request body").WithCause(err)
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		// No cause: the parser's error quotes the bad escape, and the body
		// may hold a secret.
		return nil, oauth2.InvalidRequest("the request body is not valid application/x-www-form-urlencoded")
	}
	f := make(form, len(params))
	for _, p := range params {
		switch vs := values[p]; len(vs) {
		case 0:
		case 1:
			if vs[0] != "" {
				f[p] = vs[0]
			}
		default:
			if !repeatable(p) {
				return nil, oauth2.InvalidRequest("parameter %s is given more than once", p)
			}
			// Judged once the client and its pool are known: kept with
			// its first value and the mark of its repeats.
			f[p] = vs[0]
			f[p+repeatedMark] = ""
		}
	}
	return f, nil
}

// repeatedMark is appended to the name of a parameter of form given more
// than once; no parameter name holds it.
const repeatedMark = "\x00repeated"

// repeatable reports whether a repeat of parameter p is judged later than
// readForm: resource, which a pool without resource indicators ignores
// (bind) and RFC 8707 §2 allows repeated, and the client assertion's
// parameters, which a request authenticated with a secret ignores
// (authenticate).
func repeatable(p string) bool {
	return p == ParamResource || p == paramClientAssertion || p == paramClientAssertionType
}

// repeated reports whether parameter p, one that repeatable allows, was
// given more than once.
func (f form) repeated(p string) bool {
	_, ok := f[p+repeatedMark]
	return ok
}

var errBodyTooLarge = oauth2.InvalidRequest("the request body is larger than 64 KiB")
