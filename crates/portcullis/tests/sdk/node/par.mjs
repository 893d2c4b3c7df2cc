// openid-client (panva's certified OpenID relying party, independent of
// Portcullis and of Auth0) pushes an authorization request (RFC 9126) found
// through discovery, and builds the /authorize URL from its request_uri.
// Prints one JSON object ({url, verifier}); the Rust test
// (tests/http/par.rs) follows the URL in its browser and judges.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, and
// NODE_EXTRA_CA_CERTS for the test server's self-signed certificate.

import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
const config = await client.discovery(new URL(ISSUER), CLIENT_ID, CLIENT_SECRET);
const verifier = client.randomPKCECodeVerifier();
const url = await client.buildAuthorizationUrlWithPAR(config, {
  redirect_uri: REDIRECT_URI,
  scope: 'openid profile email',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state: 'pushed-state',
  nonce: 'pushed-nonce',
});
console.log(JSON.stringify({ url: url.href, verifier }));
