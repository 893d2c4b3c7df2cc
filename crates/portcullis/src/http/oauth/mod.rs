//! The OAuth 2.0 / OpenID Connect endpoints, at Auth0's paths.

pub mod authorize;
pub mod client_auth;
pub mod code;
pub mod device;
pub mod grant_scripts;
pub mod introspect;
pub mod legacy;
pub mod logout;
pub mod mfa;
pub mod par;
pub mod password;
pub mod passwordless;
pub mod refresh;
pub mod registration;
pub mod token;
pub mod token_exchange;
pub mod userinfo;
