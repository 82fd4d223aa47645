// private_key_jwt (RFC 7523 §2.2): key-client authenticates with a JWT
// signed by the key tollgate dev generated for it, through openid-client's
// PrivateKeyJwt, and gets tokens with and without a resource indicator
// (RFC 8707). A replayed assertion (the same jti) is refused.

import { input, discover, privateJWK, decode, errorOf, answer, main, client, jose } from './lib.mjs';

main(async () => {
  const { key, kid, alg } = await privateJWK('key-client');
  const config = await discover(input.clients.key, undefined, client.PrivateKeyJwt({ key, kid }));
  const metadata = config.serverMetadata();
  const out = { discovery: metadata };

  const plain = await client.clientCredentialsGrant(config, { scope: `${input.resource}/reports.read` });
  out.token = { tokenType: plain.token_type, scope: plain.scope ?? '', ...decode(plain.access_token) };

  const bound = await client.clientCredentialsGrant(config, { scope: `${input.resource}/reports.read`, resource: input.resource });
  out.resourceToken = { tokenType: bound.token_type, ...decode(bound.access_token) };

  try {
    await client.clientCredentialsGrant(config, { resource: 'https://elsewhere.example' });
    out.foreignResource = { error: '' };
  } catch (err) {
    out.foreignResource = errorOf(err);
  }

  // The same assertion twice: its jti is recorded until its exp, so the
  // second use is refused (RFC 7523 §3, item 7).
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new jose.SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg, kid })
    .setIssuer(input.clients.key)
    .setSubject(input.clients.key)
    .setAudience(metadata.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
  const form = () => new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: input.clients.key,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });
  out.assertionFirst = await answer(await fetch(metadata.token_endpoint, { method: 'POST', body: form() }));
  out.assertionReplayed = await answer(await fetch(metadata.token_endpoint, { method: 'POST', body: form() }));
  return out;
});
