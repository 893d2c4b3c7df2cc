//! Pure protocol decisions: synchronous, total functions over parsed input. They take
//! `now` and stored records as arguments and never read a clock, a socket or a store.

pub mod authorization_code;
pub mod authorize;
pub mod backchannel_logout;
pub mod bearer;
pub mod client_assertion;
pub mod client_auth;
pub mod client_credentials;
pub mod device_code;
pub mod discovery;
pub mod dpop;
pub mod errors;
pub mod grant_type;
pub mod par;
pub mod params;
pub mod password;
pub mod passwordless;
pub mod pkce;
pub mod prompt;
pub mod refresh_token;
pub mod registration;
pub mod token_exchange;
pub mod token_request;
