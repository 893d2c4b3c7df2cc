// openid-client (panva's certified OpenID relying party, independent of
// Portcullis and of Auth0) uses DPoP (RFC 9449): it makes its own ES256 key,
// gets a bound token by client credentials, and calls the Management API
// with it, answering the server's nonce challenges as the RFC says (it
// retries once on use_dpop_nonce). Prints one JSON object; the Rust test
// (tests/http/dpop.rs) judges.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, and NODE_EXTRA_CA_CERTS
// for the test server's self-signed certificate.

import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, CLIENT_SECRET } = process.env;
const config = await client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET);
const keyPair = await client.randomDPoPKeyPair('ES256');
const DPoP = client.getDPoPHandle(config, keyPair);
const tokens = await client.clientCredentialsGrant(
  config,
  { audience: `${ISSUER}api/v2/` },
  { DPoP },
);
const res = await client.fetchProtectedResource(
  config,
  tokens.access_token,
  new URL(`${ISSUER}api/v2/clients?fields=client_id`),
  'GET',
  undefined,
  undefined,
  { DPoP },
);
const jwk = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
console.log(
  JSON.stringify({
    token_type: tokens.token_type,
    access_token: tokens.access_token,
    jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    status: res.status,
    body: await res.json(),
  }),
);
