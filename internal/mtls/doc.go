// Package mtls finds the TLS client certificate of a request, from the
// connection or from a trusted TLS-terminating proxy's header, and checks
// it for the mutual-TLS client authentication methods and
// certificate-bound access tokens of RFC 8705.
//
// Source reads the certificate: the connection's peer certificates when
// the request came over TLS directly (Tollgate's mTLS listener asks for a
// certificate but never refuses a handshake for want of one, since which
// certificate is acceptable depends on the client, RFC 8705 §2), or the
// header of a proxy whose address is trusted, either RFC 9440's Client-Cert
// or nginx's URL-encoded PEM. A request from any other address never has its
// header read: a client could write anything there.
//
// Thumbprint is the x5t#S256 confirmation of certificate-bound tokens (RFC
// 8705 §3.1). CheckPKI is tls_client_auth (RFC 8705 §2.1): the certificate
// chains to the configured roots for client authentication and carries the
// one name the client registered; CheckSelfSigned is
// self_signed_tls_client_auth (RFC 8705 §2.2): the certificate is one the
// client registered in its JWKS.
//
// Subject DNs are compared as RDN sequences, not as strings (RFC 8705
// §2.1.2 asks for the RFC 4514 semantics): the declared DN is parsed as an
// RFC 4514 string (whose first RDN is the last of the sequence), and each
// RDN must hold the same attribute types with equal values, in any order
// within a multi-valued RDN. Values given as text compare case-insensitively
// with leading, trailing and repeated inner white space ignored (in the
// spirit of LDAP's caseIgnoreMatch, a "reasonable" comparison RFC 8705
// §2.1.2 allows); a value given as #hex (RFC 4514 §2.4) must equal the
// certificate's BER encoding byte for byte.
//
// The package imports only the root package, the standard library and
// go-jose; it knows nothing of the token endpoint or the gateway, which
// call it.
package mtls
