//! Portcullis: an OpenID Connect / OAuth 2.0 identity server that speaks Auth0's
//! protocol. This crate is the shell around the protocol core: configuration,
//! start-up, the HTTP routes and the CLI.

pub mod app;
pub mod audit;
pub mod backchannel;
pub mod bootstrap;
pub mod brute_force;
pub mod bulk_jobs;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod generation;
pub mod http;
pub mod i18n;
pub mod import_mail;
pub mod issuance;
pub mod jobs;
pub mod keyring;
pub mod log_streams;
pub mod mail_templates;
pub mod mailer;
pub mod metrics;
pub mod scripts;
pub mod server;
pub mod sms_gateway;
pub mod templates;
pub mod triggers;
pub mod upstream_client;
pub mod webauthn;
