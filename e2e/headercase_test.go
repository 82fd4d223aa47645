package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// eventHeaderNames returns the header names of the Lambda event the seed
// API's function echoes back.
func eventHeaderNames(t *testing.T, body []byte) (map[string]string, map[string][]string) {
	t.Helper()
	var ev struct {
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("echo body %s: %v", body, err)
	}
	return ev.Headers, ev.MultiValueHeaders
}

// TestLambdaHeaderCasing: the Lambda event names headers as the caller
// sent them, as API Gateway does (contract §5.1: "Client casing is
// preserved (tEsT-HEADeR)", from LocalStack's AWS-validated
// test_apigateway_lambda.snapshot.json): as written over HTTP/1.1, lower
// case over HTTP/2 (RFC 9113 §8.2.2).
func TestLambdaHeaderCasing(t *testing.T) {
	p, d := startDev(t, t.TempDir())
	apiURL := reAPIURL.FindStringSubmatch(p.Output())[1]
	u, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, d.TokenURL, d.ClientID, d.ClientSecret)

	// HTTP/1.1, written by hand so that nothing rewrites the names.
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for i := range 2 { // twice on one connection: each request its own names
		custom := []string{"tEsT-HEADeR", "x-second-request"}[i]
		if _, err := io.WriteString(c, "GET "+u.Path+"hello HTTP/1.1\r\nhost: "+u.Host+"\r\nauthorization: Bearer "+tok+
			"\r\n"+custom+": 1\r\ncontent-TYPE: text/plain\r\nX-Multi: a\r\nx-multi: b\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("HTTP/1.1 call: %s %s", resp.Status, body)
		}
		single, multi := eventHeaderNames(t, body)
		for _, k := range []string{"host", "authorization", custom, "content-TYPE", "X-Multi"} {
			if _, ok := single[k]; !ok {
				t.Errorf("request %d: headers has no %q: %v", i, k, keys(single))
			}
		}
		if got := multi["X-Multi"]; len(got) != 2 || got[0] != "a" || got[1] != "b" {
			t.Errorf("request %d: multiValueHeaders[X-Multi] = %q", i, got)
		}
		for _, k := range []string{"Host", "Authorization", "Content-Type", "Test-Header"} {
			if _, ok := single[k]; ok {
				t.Errorf("request %d: headers has the canonical %q", i, k)
			}
		}
	}

	// HTTP/2 with prior knowledge: every name is lower case.
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest("GET", apiURL+"hello", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Custom-Header", "1")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("HTTP/2 call: %s %s %s", resp.Proto, resp.Status, body)
	}
	single, _ := eventHeaderNames(t, body)
	for _, k := range []string{"x-custom-header", "authorization", "host"} {
		if _, ok := single[k]; !ok {
			t.Errorf("HTTP/2: headers has no %q: %v", k, keys(single))
		}
	}
	if _, ok := single["X-Custom-Header"]; ok {
		t.Errorf("HTTP/2: canonical name in %v", keys(single))
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
