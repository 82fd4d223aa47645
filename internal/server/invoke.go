package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate/internal/cognitoapi"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/sigv4"
)

// lambdaService is the service name of the Lambda API's SigV4 credential
// scope.
const lambdaService = "lambda"

// withInvokeAPI serves the Lambda Invoke API (POST
// /2015-03-31/functions/{name}/invocations) beside h. It reaches functions
// without any authorizer, so every call must be SigV4-signed, as Lambda
// requires, for the service "lambda" and any region, with one of
// Tollgate's access keys — the management API's — on every listener: a
// loopback peer proves nothing, since a TLS proxy on the same host makes
// every caller one. listener names the listener ("main", "admin"), for
// the log. Without functions in the deployment in service, the path is
// h's.
func (s *Server) withInvokeAPI(h http.Handler, listener string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, function.InvokePathPrefix) {
			h.ServeHTTP(w, r)
			return
		}
		d := s.acquire()
		defer d.release()
		if invoke := d.invoke[listener]; invoke != nil {
			invoke.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// invokeAuthenticator verifies Invoke API calls with the access keys of the
// store (cognitoapi.Secrets: the lookup the management API uses, secrets
// opened with the vault, a deleted key refused at once) and answers a
// refusal as Lambda does.
func (s *Server) invokeAuthenticator(listener string) function.Authenticator {
	v := &sigv4.Verifier{Service: lambdaService, Secret: cognitoapi.Secrets(s.opts.Store, s.opts.Vault), Now: s.opts.Now}
	return func(r *http.Request, body []byte) *function.APIError {
		cred, err := v.Verify(r, body)
		if err == nil {
			s.opts.Logger.Debug("lambda invoke authenticated", "listener", listener, "access_key_id", cred.AccessKeyID, "path", r.URL.Path)
			return nil
		}
		var se *sigv4.Error
		if !errors.As(err, &se) || se.Status >= 500 {
			s.opts.Logger.Error("lambda invoke: verify the signature", "listener", listener, "err", err)
			// Lambda's internal error (API_Invoke: ServiceException, 500).
			return &function.APIError{Status: http.StatusInternalServerError, Type: "ServiceException", Message: "An internal error occurred."}
		}
		// The message may quote the request (a secret sent as the access
		// key id comes back in it, as AWS's would): the log gets its
		// log-safe form.
		s.opts.Logger.Info("lambda invoke refused", "listener", listener, "type", se.Code, "message", se.LogMessage(), "remote_addr", r.RemoteAddr)
		cognitoapi.SignatureRefused(s.opts.Audit, s.opts.Store, r, lambdaService, "", se)
		return lambdaAuthError(se)
	}
}

// lambdaAuthError is Lambda's answer to a request its signature check
// refuses: AWS's error type and message with 403, where the JSON protocol
// of the management API has 400. Lambda answers 403 with
// MissingAuthenticationTokenException "Missing Authentication Token"
// (brefphp/bref#1250, POST …/2015-03-31/functions/…/invocations),
// InvalidSignatureException (erlcloud/erlcloud#690, an Invoke) and
// UnrecognizedClientException (iann0036/iamlive#58, a Lambda call);
// IncompleteSignatureException is answered alike by the same front end
// (403 from API Gateway's, aws-amplify/amplify-flutter#1539).
func lambdaAuthError(se *sigv4.Error) *function.APIError {
	return &function.APIError{Status: http.StatusForbidden, Type: se.Code, Message: se.Message}
}
