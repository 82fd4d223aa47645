// Package e2e holds Tollgate's black-box tests: they build the real binary,
// start it on loopback ports, and talk to it over HTTP with real clients
// (curl, golang.org/x/oauth2/clientcredentials, go-jose, and
// openid-client under Node.js: testdata/oauthclients). It imports no
// internal package except test helpers: the store's that provision
// databases (TOLLGATE_TEST_POSTGRES), limittest's that finds the test Redis
// server (TOLLGATE_TEST_REDIS), functest's and propagation's.
package e2e
