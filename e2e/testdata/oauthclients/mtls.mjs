// Mutual TLS (RFC 8705): mtls-client (tls_client_auth, a certificate from
// the dev CA) and selfsigned-client (self_signed_tls_client_auth) get
// certificate-bound tokens through openid-client's TlsClientAuth, at the
// discovery document's mtls_endpoint_aliases, over undici connections
// that present their certificates. The API accepts such a token only
// over a connection presenting the same certificate (§3).

import { X509Certificate, createHash } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { input, discover, credential, decode, errorOf, answer, main, client } from './lib.mjs';

// agent connects presenting the client's certificate (name), or none.
async function agent(name) {
  const ca = await credential('ca.crt.pem');
  if (!name) return new Agent({ connect: { ca } });
  return new Agent({ connect: { ca, cert: await credential(`${name}.crt.pem`), key: await credential(`${name}.key.pem`) } });
}

// thumbprint is a certificate's x5t#S256 (RFC 8705 §3.1).
async function thumbprint(name) {
  const der = new X509Certificate(await credential(`${name}.crt.pem`)).raw;
  return createHash('sha256').update(der).digest('base64url');
}

async function flow(name, clientId) {
  const dispatcher = await agent(name);
  const viaAgent = (url, options) => undiciFetch(url, { ...options, dispatcher });
  const config = await discover(clientId, { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), { [client.customFetch]: viaAgent });
  const out = { certificateThumbprint: await thumbprint(name) };
  const tokens = await client.clientCredentialsGrant(config, { scope: `${input.resource}/reports.read` });
  const token = tokens.access_token;
  out.token = { tokenType: tokens.token_type, ...decode(token) };

  const reports = `${input.mtlsAPIURL}/reports`;
  const bearer = { authorization: `Bearer ${token}` };
  out.withCertificate = await answer(await undiciFetch(reports, { dispatcher, headers: bearer }));
  out.withoutCertificate = await answer(await undiciFetch(reports, { dispatcher: await agent(''), headers: bearer }));
  out.otherCertificate = await answer(await undiciFetch(reports, {
    dispatcher: await agent(name === 'mtls-client' ? 'selfsigned-client' : 'mtls-client'),
    headers: bearer,
  }));
  out.plainListener = await answer(await fetch(`${input.apiURL}/reports`, { headers: bearer }));
  // The DPoP-only route refuses a certificate-bound token.
  out.dpopRoute = await answer(await undiciFetch(`${input.mtlsAPIURL}/dpop`, { dispatcher, headers: bearer }));
  return out;
}

main(async () => {
  const out = {};
  const plain = await discover(input.clients.mtls, { use_mtls_endpoint_aliases: true }, client.TlsClientAuth());
  out.mtlsAliases = plain.serverMetadata().mtls_endpoint_aliases ?? null;
  out.mtls = await flow('mtls-client', input.clients.mtls);
  out.selfSigned = await flow('selfsigned-client', input.clients.selfsigned);

  // Without a certificate, at the plain token endpoint, the client cannot
  // authenticate (RFC 6749 §5.2 invalid_client).
  const noCert = await discover(input.clients.mtls, undefined, client.TlsClientAuth());
  try {
    await client.clientCredentialsGrant(noCert, { scope: `${input.resource}/reports.read` });
    out.noCertificateToken = { error: '' };
  } catch (err) {
    out.noCertificateToken = errorOf(err);
  }
  return out;
});
