// openid-client (panva's certified OpenID relying party, independent of
// Portcullis and of Auth0) authenticates with private_key_jwt: it signs its
// own client assertion (with jose) from the application's private key and
// gets a token by client credentials. Prints one JSON object
// ({access_token}); the Rust test (tests/http/private_key_jwt.rs) judges.
//
// Environment: ISSUER, CLIENT_ID, PRIVATE_KEY (PKCS#8 PEM), AUDIENCE, and
// NODE_EXTRA_CA_CERTS for the test server's self-signed certificate.

import { createPrivateKey } from 'node:crypto';
import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, PRIVATE_KEY, AUDIENCE } = process.env;
const der = createPrivateKey(PRIVATE_KEY).export({ format: 'der', type: 'pkcs8' });
const key = await crypto.subtle.importKey(
  'pkcs8',
  der,
  { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  false,
  ['sign'],
);
const config = await client.discovery(new URL(ISSUER), CLIENT_ID, undefined, client.PrivateKeyJwt(key));
const tokens = await client.clientCredentialsGrant(config, { audience: AUDIENCE });
console.log(JSON.stringify({ access_token: tokens.access_token }));
