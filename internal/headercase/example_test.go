package headercase_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/tollgate/tollgate/internal/headercase"
)

// A server whose handlers see header names as the client sent them: the
// listener records them, ConnContext and Handler hand them to each
// request.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{
		Handler: headercase.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			names := headercase.Names(r)
			fmt.Fprintf(w, "%s %s", names.Name("Content-Type"), names.Name("X-Api-Key"))
		})),
		ConnContext: headercase.ConnContext,
	}
	go func() { _ = srv.Serve(headercase.Listen(ln)) }()
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: example\r\ncontent-type: text/plain\r\nx-API-key: k\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: content-type x-API-key
}
