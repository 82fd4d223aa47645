// Package e2e holds Tollgate's black-box tests: they build the real binary,
// start it on loopback ports, and talk to it over HTTP with real clients
// (curl, golang.org/x/oauth2/clientcredentials, go-jose). It imports no
// internal package except the store test helpers that provision databases.
package e2e
