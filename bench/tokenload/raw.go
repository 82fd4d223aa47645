package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// tokenPrefix is how every successful token response body starts.
var tokenPrefix = []byte(`{"access_token":"`)

// driveRaw posts token requests on c keep-alive connections for d, like
// drive, but speaks HTTP/1.1 itself: the request bytes are built once and
// a response is read as a status line, headers and a Content-Length body.
// The load generator shares the machine's cores with the server, so every
// microsecond it spends per request is one the server cannot sign with;
// this client spends a fraction of what net/http's does, and measures the
// server rather than the client.
func driveRaw(tokenURL, clientID, secret string, d time.Duration, c int) (float64, []time.Duration, int64) {
	u, err := url.Parse(tokenURL)
	if err != nil {
		panic(err)
	}
	body := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}.Encode()
	req := []byte(fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		u.RequestURI(), u.Host, len(body), body))
	return onConns(c, d, func(deadline time.Time, errs *atomic.Int64) []time.Duration {
		return postUntil(u.Host, req, deadline, errs)
	})
}

// postUntil sends req to host on one keep-alive connection (a new one when
// the server closes it) until deadline, and returns the latencies of the
// good responses; it counts the failures in errs.
func postUntil(host string, req []byte, deadline time.Time, errs *atomic.Int64) []time.Duration {
	var (
		lats []time.Duration
		conn net.Conn
		br   *bufio.Reader
		err  error
	)
	buf := make([]byte, 0, 4096)
	for time.Now().Before(deadline) {
		if conn == nil {
			if conn, err = net.DialTimeout("tcp", host, 10*time.Second); err != nil {
				errs.Add(1)
				conn = nil
				time.Sleep(10 * time.Millisecond)
				continue
			}
			br = bufio.NewReaderSize(conn, 8192)
		}
		t0 := time.Now()
		var keep bool
		err = conn.SetDeadline(t0.Add(10 * time.Second))
		if err == nil {
			_, err = conn.Write(req)
		}
		if err == nil {
			buf, keep, err = readResponse(br, buf)
		}
		if err == nil {
			lats = append(lats, time.Since(t0))
		} else {
			errs.Add(1)
		}
		if !keep {
			conn.Close()
			conn = nil
		}
	}
	if conn != nil {
		conn.Close()
	}
	return lats
}

// readResponse reads one HTTP/1.1 response into buf (its body) and reports
// whether the connection may be reused. Anything but a 200 with a token
// response body is an error.
func readResponse(br *bufio.Reader, buf []byte) ([]byte, bool, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return buf, false, err
	}
	ok := bytes.HasPrefix(line, []byte("HTTP/1.1 200 "))
	length, keep := -1, true
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return buf, false, err
		}
		if len(line) <= 2 {
			break
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if !found {
			return buf, false, errors.New("malformed header")
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return buf, false, err
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return buf, false, errors.New("no Content-Length")
	}
	buf = slices.Grow(buf[:0], length)[:length]
	if _, err := io.ReadFull(br, buf); err != nil {
		return buf, false, err
	}
	if !ok || !bytes.HasPrefix(buf, tokenPrefix) {
		return buf, keep, fmt.Errorf("not a token response: %.80s", buf)
	}
	return buf, keep, nil
}
