// DPoP (RFC 9449): dpop-client, a client with a secret whose tokens must
// be DPoP-bound, gets a token through openid-client's DPoP handle and calls
// the API with it (fetchProtectedResource signs a fresh proof per call).
// Then what an attacker holding the token could try, each of which the
// gateway must refuse: the token as a plain bearer token, a replayed
// proof, and proofs built with jose that break one rule each (§4.3).

import { input, discover, decode, errorOf, answer, main, client, jose } from './lib.mjs';

main(async () => {
  const config = await discover(input.clients.dpop, input.clients.dpopSecret);
  const metadata = config.serverMetadata();
  const keyPair = await client.randomDPoPKeyPair('ES256');
  const DPoP = client.getDPoPHandle(config, keyPair);
  const out = { dpopAlgs: metadata.dpop_signing_alg_values_supported ?? [] };

  // The client must send a proof (dpop_bound_access_tokens, RFC 9449 §5.2).
  try {
    await client.clientCredentialsGrant(config, { scope: `${input.resource}/reports.read` });
    out.withoutProof = { error: '' };
  } catch (err) {
    out.withoutProof = errorOf(err);
  }

  const tokens = await client.clientCredentialsGrant(config, { scope: `${input.resource}/reports.read` }, { DPoP });
  const token = tokens.access_token;
  out.token = { tokenType: tokens.token_type, ...decode(token) };
  const publicJwk = await jose.exportJWK(keyPair.publicKey);
  out.keyThumbprint = await jose.calculateJwkThumbprint(publicJwk, 'sha256');

  // fetchProtectedResource goes through customFetch: capture the proof it
  // sends, to replay it below.
  const captured = {};
  config[client.customFetch] = (url, options) => {
    captured[url] = new Headers(options.headers).get('dpop') ?? '';
    return fetch(url, options);
  };
  const reports = new URL(`${input.apiURL}/reports`);
  const protectedCall = async (url) => {
    try {
      return await answer(await client.fetchProtectedResource(config, token, url, 'GET', null, new Headers(), { DPoP }));
    } catch (err) {
      return { status: err?.response?.status ?? 0, wwwAuthenticate: err?.response?.headers?.get('www-authenticate') ?? '', error: errorOf(err) };
    }
  };
  out.call = await protectedCall(reports);
  out.dpopRoute = await protectedCall(new URL(`${input.apiURL}/dpop`));
  delete config[client.customFetch];

  const call = async (url, headers) => answer(await fetch(url, { headers }));
  out.asBearer = await call(reports, { authorization: `Bearer ${token}` });
  out.withoutProofAtAPI = await call(reports, { authorization: `DPoP ${token}` });
  out.replayed = await call(reports, { authorization: `DPoP ${token}`, dpop: captured[reports.href] ?? '' });

  // Hostile proofs: each breaks one rule of RFC 9449 §4.3.
  const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
  const now = Math.floor(Date.now() / 1000);
  const proof = async ({ htm = 'GET', htu = reports.href, iat = now, key = keyPair.privateKey, alg = 'ES256', jwk = publicJwk, typ = 'dpop+jwt', withAth = true } = {}) => {
    const claims = { htm, htu, iat, jti: crypto.randomUUID() };
    if (withAth) claims.ath = ath;
    return new jose.SignJWT(claims).setProtectedHeader({ alg, typ, jwk }).sign(key);
  };
  const unsecured = (() => {
    const enc = (o) => jose.base64url.encode(JSON.stringify(o));
    return `${enc({ alg: 'none', typ: 'dpop+jwt', jwk: publicJwk })}.${enc({ htm: 'GET', htu: reports.href, iat: now, jti: crypto.randomUUID(), ath })}.`;
  })();
  const secret = new TextEncoder().encode('a-shared-secret-of-32-bytes-long!');
  const hostile = {
    fresh: await proof(),
    algNone: unsecured,
    hs256: await proof({ alg: 'HS256', key: secret, jwk: undefined }),
    staleIat: await proof({ iat: now - 3600 }),
    futureIat: await proof({ iat: now + 3600 }),
    wrongHtm: await proof({ htm: 'POST' }),
    wrongHtu: await proof({ htu: `${input.apiURL}/elsewhere` }),
    noAth: await proof({ withAth: false }),
    wrongTyp: await proof({ typ: 'JWT' }),
    otherKey: await (async () => {
      const other = await client.randomDPoPKeyPair('ES256');
      return proof({ key: other.privateKey, jwk: await jose.exportJWK(other.publicKey) });
    })(),
  };
  out.hostile = {};
  for (const [name, p] of Object.entries(hostile)) {
    out.hostile[name] = await call(reports, { authorization: `DPoP ${token}`, dpop: p });
  }

  // At the token endpoint, a bad proof is 400 invalid_dpop_proof (§5).
  const tokenProof = async (claims) => new jose.SignJWT({ htm: 'POST', htu: metadata.token_endpoint, iat: now, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk }).sign(keyPair.privateKey);
  const tokenRequest = async (dpop) => answer(await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { dpop, authorization: `Basic ${btoa(`${input.clients.dpop}:${input.clients.dpopSecret}`)}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  }));
  out.tokenEndpoint = {
    staleIat: await tokenRequest(await tokenProof({ iat: now - 3600 })),
    wrongHtu: await tokenRequest(await tokenProof({ htu: `${input.issuer}/elsewhere` })),
    algNone: await tokenRequest(unsecured),
  };
  return out;
});
