//! Black-box tests: a real Portcullis on 127.0.0.1 over real HTTP, on SQLite and on
//! PostgreSQL (`PORTCULLIS_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`; each test gets its own schema).

mod accessible_pages;
mod audit_log;
mod auth0_sdk;
mod backup;
mod browser;
mod process;
mod support;

mod browser_flows;
mod cli;
mod cluster;
mod codemap;
mod connections;
mod crash;
mod dashboard_browser;
mod dashboard_members;
mod dbconnections;
mod deploy_cli;
mod discovery;
mod email_templates;
mod email_verification;
mod login_page;
mod management_auth;
mod management_client_grants;
mod management_clients;
mod management_grants;
mod management_resource_servers;
mod management_rules;
mod management_tickets;
mod management_users;
mod mfa;
mod mfa_browser;
mod mfa_pages;
mod oidc_client;
mod operations;
mod operator_safety;
mod organizations;
mod passkeys;
mod password_grant;
mod proxy;
mod rbac;
mod real_browser;
mod refresh_tokens;
mod rules_and_actions;
mod security;
mod soft_authenticator;
mod startup;
mod tenant_settings;
mod token_endpoint;
mod upstream;
mod user_import;
mod user_search;
mod webauthn_pages;
mod webdriver;
