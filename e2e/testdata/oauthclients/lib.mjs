// What the client scripts share: their input, discovery of the pool with
// openid-client, the generated credentials, and how a result is printed.
//
// Each script is run as `node SCRIPT.mjs INPUT`, INPUT being a JSON object
// (see input below), and prints one JSON object on stdout, which the Go
// test (e2e/beyond_cognito_test.go) asserts. A script that cannot go on
// prints the error on stderr and exits 1.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as client from 'openid-client';
import * as jose from 'jose';

// input is the test's description of the running server:
//   issuer       the pool's issuer (http, on loopback)
//   credentials  the directory where `tollgate dev` wrote the clients' keys
//   apiURL       the API's stage URL on the plain listener
//   mtlsAPIURL   the same on the mTLS listener ("" without one)
//   resource     the resource server's identifier (RFC 8707 resource)
//   metadataURL  the API's protected resource metadata URL (RFC 9728 §3)
//   clients      client ids by name: key, mtls, selfsigned, dpop; and
//                dpopSecret
export const input = JSON.parse(process.argv[2] ?? '{}');

// discover reads the pool's discovery document with openid-client:
// http is allowed because the server runs on loopback.
export async function discover(clientId, metadata, auth, options = {}) {
  return client.discovery(new URL(input.issuer), clientId, metadata, auth, {
    execute: [client.allowInsecureRequests],
    ...options,
  });
}

// credential reads a file tollgate dev generated.
export async function credential(name) {
  return readFile(join(input.credentials, name), 'utf8');
}

// privateJWK imports a client's generated private JWK ({name}.jwk.json),
// returning the key and its kid.
export async function privateJWK(name) {
  const jwk = JSON.parse(await credential(`${name}.jwk.json`));
  return { key: await jose.importJWK(jwk, jwk.alg), kid: jwk.kid, alg: jwk.alg };
}

// decode returns a JWT's protected header and claims, unverified: the Go
// test verifies tokens itself; the scripts report what they received.
export function decode(jwt) {
  return { header: jose.decodeProtectedHeader(jwt), claims: jose.decodeJwt(jwt) };
}

// answer is what a test asserts of an HTTP response.
export async function answer(res) {
  const body = await res.text();
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate') ?? '',
    contentType: res.headers.get('content-type') ?? '',
    body,
  };
}

// errorOf describes an error thrown by openid-client: its OAuth 2 error
// code when the server answered with one.
export function errorOf(err) {
  return {
    name: err?.name ?? '',
    code: err?.code ?? '',
    error: err?.error ?? '',
    errorDescription: err?.error_description ?? '',
    status: err?.status ?? err?.response?.status ?? 0,
    message: String(err?.message ?? err),
  };
}

// main runs fn and prints its result as JSON.
export function main(fn) {
  fn().then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
    },
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      if (err?.cause) process.stderr.write(`cause: ${JSON.stringify(err.cause)}\n`);
      process.exit(1);
    },
  );
}

export { client, jose };
