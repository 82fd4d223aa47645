// RFC 9728: the API's protected resource metadata, fetched where a client
// finds it, and the resource_metadata parameter of a 401's challenge
// (§5.1) that points there.

import { input, answer, main } from './lib.mjs';

main(async () => {
  const out = {};
  const res = await fetch(input.metadataURL);
  out.metadata = { ...(await answer(res)) };
  try {
    out.metadata.json = JSON.parse(out.metadata.body);
  } catch {
    out.metadata.json = null;
  }
  out.noToken = await answer(await fetch(`${input.apiURL}/reports`));
  out.badToken = await answer(await fetch(`${input.apiURL}/reports`, { headers: { authorization: 'Bearer not-a-token' } }));
  out.health = await answer(await fetch(`${input.apiURL}/health`));
  return out;
});
