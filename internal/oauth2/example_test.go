package oauth2_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/tollgate/tollgate/internal/oauth2"
)

func ExampleWriteError() {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/oauth2/token", nil)
	err := oauth2.InvalidScope("scope %s is not allowed for this client", "default/write")
	oauth2.WriteError(w, r, err)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body)
	// Output:
	// 400 application/json;charset=UTF-8
	// {"error":"invalid_scope","error_description":"scope default/write is not allowed for this client"}
}

func ExampleBearerChallenge() {
	fmt.Println(oauth2.BearerChallenge("api", nil))
	fmt.Println(oauth2.BearerChallenge("api", oauth2.InvalidToken("the access token expired")))
	// Output:
	// Bearer realm="api"
	// Bearer realm="api", error="invalid_token", error_description="the access token expired"
}
