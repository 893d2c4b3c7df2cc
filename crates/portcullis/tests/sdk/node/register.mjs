// openid-client (panva's certified OpenID relying party, independent of
// Portcullis and of Auth0) registers itself through OAuth 2.0 Dynamic
// Client Registration (RFC 7591), finding registration_endpoint by
// discovery. Prints one JSON object of the registered metadata; the Rust
// test (tests/http/registration.rs) judges.
//
// Environment: ISSUER, REDIRECT_URI, and NODE_EXTRA_CA_CERTS for the test
// server's self-signed certificate.

import * as client from 'openid-client';

const { ISSUER, REDIRECT_URI } = process.env;
const config = await client.dynamicClientRegistration(new URL(ISSUER), {
  client_name: 'Registered by openid-client',
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_post',
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token'],
});
const m = config.clientMetadata();
console.log(JSON.stringify({
  client_id: m.client_id,
  has_secret: typeof m.client_secret === 'string' && m.client_secret.length > 0,
  client_name: m.client_name,
  redirect_uris: m.redirect_uris,
}));
