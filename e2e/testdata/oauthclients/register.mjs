// Dynamic client registration (RFC 7591) under the pool's policy: an
// initial access token (key-client's, with the clients.register scope)
// registers a private_key_jwt client whose public key is sent as jwks;
// the new client then gets a token with its own key. A request without
// the initial access token, and one outside the policy, are refused.

import { input, discover, privateJWK, decode, errorOf, main, client, jose } from './lib.mjs';

main(async () => {
  const out = {};
  const { key, kid } = await privateJWK('key-client');
  const admin = await discover(input.clients.key, undefined, client.PrivateKeyJwt({ key, kid }));
  out.registrationEndpoint = admin.serverMetadata().registration_endpoint ?? '';
  const initial = await client.clientCredentialsGrant(admin, { scope: `${input.resource}/clients.register` });

  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  jwk.kid = await jose.calculateJwkThumbprint(jwk);
  const metadata = {
    client_name: 'registered-by-e2e',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    scope: `${input.resource}/reports.read`,
    jwks: { keys: [jwk] },
  };
  const register = (meta, options = {}) => client.dynamicClientRegistration(
    new URL(input.issuer), meta, client.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }),
    { execute: [client.allowInsecureRequests], ...options },
  );

  try {
    await register(metadata);
    out.withoutInitialToken = { error: '' };
  } catch (err) {
    out.withoutInitialToken = errorOf(err);
  }
  try {
    await register({ ...metadata, token_endpoint_auth_method: 'client_secret_basic', jwks: undefined }, { initialAccessToken: initial.access_token });
    out.outsidePolicy = { error: '' };
  } catch (err) {
    out.outsidePolicy = errorOf(err);
  }

  const registered = await register(metadata, { initialAccessToken: initial.access_token });
  const meta = registered.clientMetadata();
  out.registered = { clientId: meta.client_id, authMethod: meta.token_endpoint_auth_method ?? '', hasSecret: Boolean(meta.client_secret) };
  const tokens = await client.clientCredentialsGrant(registered, { scope: `${input.resource}/reports.read` });
  out.token = { tokenType: tokens.token_type, ...decode(tokens.access_token) };
  return out;
});
