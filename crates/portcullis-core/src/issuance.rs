//! The tokens a successful user grant issues, planned with no I/O: the access
//! token's claims after the flow's Rules and Actions, and the ID token's
//! (OpenID Connect Core §2). Every user grant (authorization code, password,
//! refresh, the browser's implicit and hybrid responses, `/delegation`) plans
//! through here; the shell only signs what is planned.
//!
//! Invariants:
//! - One `now` per request: the caller passes it; nothing here reads a clock.
//! - A script cannot give a user an administrative Management API scope, nor
//!   set a restricted or standard claim; what it may not set is reported in
//!   `Plan::refused`, never silently dropped.
//! - `at_hash` binds the ID token to the access token as signed (OpenID Connect
//!   Core §3.3.2.11), so it is added after signing: [`Plan::bind_access_token`].

use crate::UnixTime;
use crate::clients::Client;
use crate::management;
use crate::resource_servers::ResourceServer;
use crate::scripts::{self, ScriptResult, TokenKind};
use crate::tokens::{self, AccessTokenClaims, IdTokenClaims, UserAccessToken};
use crate::users::User;

/// What an ID token is about, beyond the grant itself.
#[derive(Debug, Default, Clone)]
pub struct IdTokenRequest<'a> {
    /// The scope choosing the profile claims (a refresh may narrow it).
    pub scope: &'a [String],
    pub nonce: Option<String>,
    /// The browser session (`sid`).
    pub sid: Option<&'a str>,
    /// Sent when `max_age` was asked or the grant is a fresh sign-in.
    pub auth_time: Option<UnixTime>,
    /// The code issued beside it (`c_hash`, hybrid flow).
    pub code: Option<&'a str>,
    /// OpenID Connect Core §2 `amr`: how the user authenticated, when more
    /// than a password (`["mfa"]` after a second factor, as Auth0 writes it).
    pub amr: Option<&'a [&'static str]>,
    /// OpenID Connect Core §2 `acr`: the policy the login satisfied, when
    /// the request asked for one with `acr_values` (Auth0 answers the PAPE
    /// multi-factor policy after a second factor).
    pub acr: Option<&'a str>,
}

/// A successful user grant.
pub struct UserGrant<'a> {
    pub issuer: &'a str,
    /// `<issuer>api/v2/`: scripts may not widen a user's token for it.
    pub management_audience: &'a str,
    pub client: &'a Client,
    pub user: &'a User,
    pub api: Option<&'a ResourceServer>,
    /// The scope granted.
    pub scope: &'a [String],
    /// The user's permissions for `api` when it enforces RBAC (see
    /// `tokens::UserAccessToken::permissions`); empty otherwise.
    pub permissions: Vec<String>,
    /// Auth0's `gty` marker (`password`, `refresh_token`); `None` for codes and
    /// browser responses.
    pub gty: Option<&'static str>,
    /// Implicit and hybrid responses use the API's web lifetime.
    pub browser_flow: bool,
    pub scripts: &'a ScriptResult,
    pub now: UnixTime,
    /// The access token's `jti` (RFC 9068 §2.2).
    pub jti: String,
    /// `Some` when an ID token is issued.
    pub id_token: Option<IdTokenRequest<'a>>,
    /// The organization the grant is in: both tokens carry `org_id` (and
    /// `org_name` when the tenant allows it).
    pub org: Option<crate::organizations::OrgClaims>,
    /// RFC 9449 §6.1: the DPoP key the access token is bound to.
    pub cnf: Option<crate::protocol::dpop::Confirmation>,
}

/// The planned claims, ready to sign.
#[derive(Debug, Clone)]
pub struct Plan {
    pub access: AccessTokenClaims,
    pub id: Option<IdTokenClaims>,
    /// Custom claims the scripts asked for and may not set: `(token, reasons)`.
    pub refused: Vec<(&'static str, Vec<String>)>,
}

impl Plan {
    /// Binds the ID token to the signed access token (`at_hash`).
    pub fn bind_access_token(&mut self, signed: &str) {
        if let Some(id) = &mut self.id {
            id.at_hash = Some(tokens::half_hash(signed));
        }
    }
}

/// Plans the tokens of `g`.
pub fn plan(g: UserGrant<'_>) -> Plan {
    let mut access = UserAccessToken {
        issuer: g.issuer,
        user_id: &g.user.user_id,
        client_id: &g.client.client_id,
        api: g.api,
        scope: g.scope,
        permissions: &g.permissions,
        now: g.now,
        browser_flow: g.browser_flow,
        jti: g.jti,
    }
    .claims();
    access.gty = g.gty.map(str::to_string);
    access.cnf = g.cnf;
    if let Some(o) = &g.org {
        access.org_id = Some(o.org_id.clone());
        access.org_name = o.org_name.clone();
    }
    let mut refused = Vec::new();
    let r = apply_scripts(&mut access, g.scripts, g.management_audience);
    if !r.is_empty() {
        refused.push(("access_token", r));
    }
    let id = g.id_token.map(|req| {
        // A Rule's `context.jwtConfiguration.scopes` chooses the profile claims.
        let profile_scope = g.scripts.id_token_scope.as_deref().unwrap_or(req.scope);
        let mut profile = tokens::user_claims(g.user, profile_scope);
        let r = scripts::apply_claims(&mut profile, &g.scripts.id_token, TokenKind::IdToken);
        if !r.is_empty() {
            refused.push(("id_token", r));
        }
        IdTokenClaims {
            iss: g.issuer.to_string(),
            sub: g.user.user_id.clone(),
            aud: g.client.client_id.clone(),
            iat: g.now,
            exp: g.now
                + g.scripts
                    .id_token_lifetime_or(g.client.jwt_configuration.lifetime_in_seconds),
            nonce: req.nonce,
            sid: req.sid.map(str::to_string),
            auth_time: req.auth_time,
            at_hash: None,
            c_hash: req.code.map(tokens::half_hash),
            amr: req.amr.map(|a| a.iter().map(|m| m.to_string()).collect()),
            acr: req.acr.map(str::to_string),
            org_id: g.org.as_ref().map(|o| o.org_id.clone()),
            org_name: g.org.as_ref().and_then(|o| o.org_name.clone()),
            profile,
        }
    });
    Plan {
        access,
        id,
        refused,
    }
}

/// Applies what the scripts asked for to an access token (scope changes, then
/// custom claims); returns the claims left out. A user's token for the
/// Management API keeps only the `current_user` scopes; a client-credentials
/// token keeps what its grant allows.
pub fn apply_scripts(
    claims: &mut AccessTokenClaims,
    r: &ScriptResult,
    management_audience: &str,
) -> Vec<String> {
    if r.is_empty() {
        return Vec::new();
    }
    let management_api = claims.aud.contains(management_audience);
    if r.scope.is_some() || !r.add_scopes.is_empty() || !r.remove_scopes.is_empty() {
        claims.scope = r.access_scope(&claims.scope);
        let machine = claims.gty.as_deref() == Some("client-credentials");
        if management_api && !machine {
            claims.scope = crate::scope::parse(&claims.scope)
                .into_iter()
                .filter(|s| management::is_user_scope(s))
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    scripts::apply_claims(
        &mut claims.extra,
        &r.access_token,
        TokenKind::AccessToken { management_api },
    )
}

/// The algorithm an access token for `api` is signed with (the API's
/// `signing_alg`; RS256 for tokens good only at `/userinfo`).
pub fn access_alg(api: Option<&ResourceServer>) -> crate::keys::Alg {
    api.map_or(crate::keys::Alg::Rs256, |a| a.signing_alg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::ClientPayload;
    use crate::users::UserCreate;

    fn client() -> Client {
        serde_json::from_value::<ClientPayload>(
            serde_json::json!({"name": "Shop", "app_type": "spa"}),
        )
        .unwrap()
        .into_new_client("c1".into(), "t")
        .unwrap()
    }

    fn user() -> User {
        let create = UserCreate {
            user_id: None,
            connection: Some(crate::users::DATABASE_CONNECTION.into()),
            email: Some("ada@example.com".into()),
            password: Some("Corr3ct-horse".into()),
            ..Default::default()
        };
        create
            .into_user(
                &crate::users::DatabaseConnection::preview(),
                "u1".into(),
                "https://id.example/",
                1_000,
            )
            .unwrap()
            .0
    }

    fn grant<'a>(
        client: &'a Client,
        user: &'a User,
        scope: &'a [String],
        scripts: &'a ScriptResult,
    ) -> UserGrant<'a> {
        UserGrant {
            issuer: "https://id.example/",
            management_audience: "https://id.example/api/v2/",
            client,
            user,
            api: None,
            scope,
            permissions: vec![],
            gty: Some("password"),
            browser_flow: false,
            scripts,
            now: 5_000,
            jti: "j".into(),
            id_token: Some(IdTokenRequest {
                scope,
                nonce: Some("n".into()),
                sid: Some("s"),
                auth_time: Some(4_000),
                code: Some("the-code"),
                amr: None,
                acr: None,
            }),
            org: None,
            cnf: None,
        }
    }

    #[test]
    fn one_now_sets_both_tokens_times_and_at_hash_binds_after_signing() {
        let (c, u) = (client(), user());
        let scope: Vec<String> = vec!["openid".into(), "profile".into()];
        let scripts = ScriptResult::default();
        let mut p = plan(grant(&c, &u, &scope, &scripts));
        let id = p.id.clone().unwrap();
        assert_eq!((p.access.iat, id.iat), (5_000, 5_000));
        assert_eq!(id.exp, 5_000 + c.jwt_configuration.lifetime_in_seconds);
        assert_eq!(p.access.gty.as_deref(), Some("password"));
        assert_eq!(
            id.c_hash.as_deref(),
            Some(tokens::half_hash("the-code").as_str())
        );
        assert_eq!(id.at_hash, None);
        p.bind_access_token("signed.access.token");
        assert_eq!(
            p.id.unwrap().at_hash,
            Some(tokens::half_hash("signed.access.token"))
        );
    }

    #[test]
    fn refused_script_claims_are_reported() {
        let (c, u) = (client(), user());
        let scope: Vec<String> = vec!["openid".into()];
        let mut scripts = ScriptResult::default();
        scripts.id_token.insert("sub".into(), "x".into());
        scripts
            .access_token
            .insert("https://example.com/roles".into(), "admin".into());
        let p = plan(grant(&c, &u, &scope, &scripts));
        assert_eq!(p.refused.len(), 1);
        assert_eq!(p.refused[0].0, "id_token");
        assert_eq!(p.access.extra["https://example.com/roles"], "admin");
    }
}
