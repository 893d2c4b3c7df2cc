//! The last step of every grant: sign what `portcullis_core::issuance` planned,
//! start a refresh-token family when the grant earns one, and answer with a
//! typed token response (RFC 6749 §5.1).
//!
//! Invariants:
//! - The access token is signed before the ID token, which carries its
//!   `at_hash`; both with the algorithm their audience chose.
//! - A token response is never cached (`Cache-Control: no-store`, RFC 6749 §5.1).
//! - Claims a script may not set are logged, never silently dropped.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::issuance::{Plan, access_alg};
use portcullis_core::organizations::{OrgClaims, Organization};
use portcullis_core::protocol::refresh_token as rt;
use portcullis_core::resource_servers::ResourceServer;
use portcullis_core::secrets::hash_secret;
use portcullis_core::tokens::AccessTokenClaims;
use portcullis_store::{NewRefreshToken, StoreError};
use serde::Serialize;

use std::sync::Arc;

use portcullis_store::TenantStore;

use crate::keyring::KeySet;

/// Auth0 keeps 200 active refresh tokens per user and application; the oldest
/// goes first.
pub const MAX_FAMILIES_PER_USER_AND_CLIENT: i64 = 200;

/// Signs an access token in its API's dialect (with its API's algorithm):
/// RFC 9068 tokens carry `typ: at+jwt`, `client_id` instead of `azp` and no
/// `gty` (RFC 9068 §2); the others Auth0's profile.
pub fn sign_access(
    keys: &KeySet,
    api: Option<&ResourceServer>,
    claims: &AccessTokenClaims,
) -> String {
    let alg = access_alg(api);
    if api.is_some_and(|a| a.token_dialect.is_rfc9068()) {
        keys.sign_at_jwt(alg, &claims.rfc9068())
    } else {
        keys.sign(alg, claims)
    }
}

/// Signed tokens of a plan.
pub struct Signed {
    pub access_token: String,
    pub access: AccessTokenClaims,
    pub id_token: Option<String>,
}

/// What issuing needs, and nothing else: the tenant's store (for refresh-token
/// families), this node's signing keys as they were when the request began, and
/// the names tokens carry. Built per request by `AppState::issuance`.
pub struct Issuer<'a> {
    pub store: &'a TenantStore,
    pub keys: Arc<KeySet>,
    /// The `iss` of every token.
    pub issuer: &'a str,
    /// `<issuer>api/v2/`, which only the Management API's own grants may name.
    pub management_audience: &'a str,
}

impl<'a> Issuer<'a> {
    /// Signs `plan`: the access token with its API's algorithm, then the ID token
    /// (bound to it) with the client's.
    pub fn sign(&self, mut plan: Plan, api: Option<&ResourceServer>, client: &Client) -> Signed {
        log_refused(&plan);
        let access_token = sign_access(&self.keys, api, &plan.access);
        plan.bind_access_token(&access_token);
        Signed {
            access_token,
            id_token: plan
                .id
                .as_ref()
                .map(|id| self.keys.sign(client.jwt_configuration.alg, id)),
            access: plan.access,
        }
    }

    /// Signs only the ID token of `plan` (`/delegation`, and browser responses
    /// without an access token).
    pub fn sign_id_only(&self, plan: &Plan, client: &Client) -> Option<String> {
        log_refused(plan);
        plan.id
            .as_ref()
            .map(|id| self.keys.sign(client.jwt_configuration.alg, id))
    }

    /// A user grant of `client` for `user` at `now` with what every grant shares
    /// filled in (the issuer, the Management API guard, a new `jti`, no `gty`, no
    /// ID token); callers set the rest with struct update syntax.
    pub fn user_grant(
        &self,
        client: &'a Client,
        user: &'a portcullis_core::users::User,
        api: Option<&'a ResourceServer>,
        scope: &'a [String],
        scripts: &'a portcullis_core::scripts::ScriptResult,
        now: i64,
    ) -> portcullis_core::issuance::UserGrant<'a> {
        portcullis_core::issuance::UserGrant {
            issuer: self.issuer,
            management_audience: self.management_audience,
            client,
            user,
            api,
            scope,
            permissions: Vec::new(),
            gty: None,
            browser_flow: false,
            scripts,
            now,
            jti: portcullis_core::random::alphanumeric(24),
            id_token: None,
            org: None,
            cnf: None,
        }
    }

    /// The user's permissions for `api`, read only when it enforces RBAC (a
    /// grant for such an API without them grants no API scope: fail closed).
    pub async fn permissions(
        &self,
        user_id: &str,
        api: Option<&ResourceServer>,
    ) -> Result<Vec<String>, StoreError> {
        self.permissions_in(user_id, api, None).await
    }

    /// As [`Self::permissions`], inside organization `org_id` when given: then
    /// only what the member's organization roles hold (Auth0's rule: tenant
    /// roles do not reach into an organization).
    pub async fn permissions_in(
        &self,
        user_id: &str,
        api: Option<&ResourceServer>,
        org_id: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        match (api, org_id) {
            (Some(a), Some(org)) if a.enforce_policies => {
                self.store
                    .organization_member_permissions(org, user_id, &a.id)
                    .await
            }
            (Some(a), None) if a.enforce_policies => {
                self.store.held_permissions(user_id, &a.id).await
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The organization of a grant in `org_id` for `user_id`, with its
    /// claims: `None` outside organizations; `Err(Gone)` when the
    /// organization was deleted or the user is no longer a member (the grant
    /// must be refused).
    pub async fn organization(
        &self,
        org_id: Option<&str>,
        user_id: &str,
    ) -> Result<Result<Option<(Organization, OrgClaims)>, Gone>, StoreError> {
        let Some(id) = org_id else {
            return Ok(Ok(None));
        };
        let Some(org) = self.store.get_organization(id).await? else {
            return Ok(Err(Gone));
        };
        if !self.store.is_organization_member(id, user_id).await? {
            return Ok(Err(Gone));
        }
        let claims = self.org_claims(&org).await?;
        Ok(Ok(Some((org, claims))))
    }

    /// `org_id`, and `org_name` when the tenant allows names in tokens.
    pub async fn org_claims(&self, org: &Organization) -> Result<OrgClaims, StoreError> {
        // Read only for grants in an organization.
        let with_name = self
            .store
            .tenant_settings()
            .await?
            .allow_organization_name_in_authentication_api;
        Ok(OrgClaims::of(org, with_name))
    }

    /// Plans, starts the refresh-token family when `refresh` is given, and signs:
    /// the issuing half of every user grant.
    pub async fn issue_user_grant(
        &self,
        grant: portcullis_core::issuance::UserGrant<'_>,
        refresh: Option<FamilyStart<'_>>,
    ) -> Result<(Signed, Option<IssuedRefresh>), StoreError> {
        let (api, client) = (grant.api, grant.client);
        let plan = portcullis_core::issuance::plan(grant);
        let refresh = match refresh {
            Some(f) => Some(self.start_family(f).await?),
            None => None,
        };
        Ok((self.sign(plan, api, client), refresh))
    }

    /// The code exchange's issuing half: as [`Self::issue_user_grant`], and the
    /// code's row records the access token's `jti` and the family in the same
    /// write that starts the family. `None` when the code was replayed while
    /// it was being redeemed: nothing was stored or signed, and the replay has
    /// nothing of this redemption's to revoke (RFC 6749 §4.1.2).
    pub async fn issue_code_grant(
        &self,
        grant: portcullis_core::issuance::UserGrant<'_>,
        refresh: Option<FamilyStart<'_>>,
        code_hash: &str,
    ) -> Result<Option<(Signed, Option<IssuedRefresh>)>, StoreError> {
        let (api, client, now) = (grant.api, grant.client, grant.now);
        let jti = grant.jti.clone();
        let plan = portcullis_core::issuance::plan(grant);
        let recorded = match refresh {
            Some(f) => {
                let (new, issued) = new_family(f);
                let recorded = self
                    .store
                    .start_refresh_family_for_code(
                        &new,
                        MAX_FAMILIES_PER_USER_AND_CLIENT,
                        code_hash,
                        &jti,
                        now,
                    )
                    .await?;
                recorded.then_some(Some(issued))
            }
            None => self
                .store
                .record_code_issuance(code_hash, &jti, None)
                .await?
                .then_some(None),
        };
        Ok(recorded.map(|refresh| (self.sign(plan, api, client), refresh)))
    }

    /// Starts a family with its first token (at most
    /// [`MAX_FAMILIES_PER_USER_AND_CLIENT`] per user and application), in one
    /// write.
    pub async fn start_family(&self, f: FamilyStart<'_>) -> Result<IssuedRefresh, StoreError> {
        let now = f.now;
        let (new, issued) = new_family(f);
        self.store
            .start_refresh_family(&new, MAX_FAMILIES_PER_USER_AND_CLIENT, now)
            .await?;
        Ok(issued)
    }
}

/// A new family's first token: what is stored (by hash) and what is handed out.
fn new_family(f: FamilyStart<'_>) -> (NewRefreshToken, IssuedRefresh) {
    let cfg = &f.client.refresh_token;
    let token = portcullis_core::random::url_token();
    let expires_at = rt::absolute_expiry(cfg, f.now);
    let id = format!("rt_{}", portcullis_core::random::alphanumeric(24));
    let new = NewRefreshToken {
        family_id: id.clone(),
        id: id.clone(),
        token_hash: hash_secret(&token),
        client_id: f.client.client_id.clone(),
        user_id: f.user_id.to_string(),
        session_id: f.session_id.map(str::to_string),
        audience: f.audience.map(str::to_string),
        scope: f.scope.join(" "),
        rotating: rt::is_rotating(cfg),
        generation: 0,
        expires_at,
        idle_expires_at: rt::idle_expiry(cfg, f.now, expires_at),
        organization_id: f.organization_id.map(str::to_string),
        dpop_jkt: f.dpop_jkt,
    };
    let issued = IssuedRefresh {
        token,
        family_id: id,
    };
    (new, issued)
}

/// Auth0 leaves out a custom claim it will not set without failing the flow;
/// the developer learns of it from the log.
fn log_refused(plan: &Plan) {
    for (token, claims) in &plan.refused {
        tracing::warn!(token, claims = ?claims, "custom claims from a script were left out");
    }
}

/// What a new refresh-token family is for.
pub struct FamilyStart<'a> {
    pub client: &'a Client,
    pub user_id: &'a str,
    pub session_id: Option<&'a str>,
    pub audience: Option<&'a str>,
    pub scope: &'a [String],
    pub now: i64,
    /// The organization the grant was in: the family keeps it.
    pub organization_id: Option<&'a str>,
    /// RFC 9449 §5: the DPoP key a public client's family is bound to
    /// (`protocol::dpop::refresh_binding`).
    pub dpop_jkt: Option<String>,
}

/// The organization of a grant is gone, or its user is no longer a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

/// A refresh token as handed out, and its family.
pub struct IssuedRefresh {
    pub token: String,
    pub family_id: String,
}

/// RFC 6749 §5.1's successful response (with OpenID Connect Core §3.1.3.3's
/// `id_token`).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// RFC 8693 §2.2.1: what a token exchange issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
    pub expires_in: i64,
    pub token_type: &'static str,
    /// Auth0's `mfa-recovery-code` grant: the code that replaces the one
    /// just spent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

impl TokenResponse {
    /// An access token (and its ID token, if any); the scope is left out
    /// when empty.
    pub fn from_signed(s: Signed, refresh_token: Option<String>) -> Self {
        let mut r = Self::access(s.access_token, &s.access);
        r.id_token = s.id_token;
        r.refresh_token = refresh_token;
        r
    }

    /// An access token alone (client credentials, token exchange).
    pub fn access(access_token: String, claims: &AccessTokenClaims) -> Self {
        Self {
            access_token: Some(access_token),
            id_token: None,
            refresh_token: None,
            scope: (!claims.scope.is_empty()).then(|| claims.scope.clone()),
            issued_token_type: None,
            expires_in: claims.exp - claims.iat,
            // RFC 9449 §5: a bound token is a DPoP token.
            token_type: if claims.cnf.is_some() {
                portcullis_core::protocol::dpop::TOKEN_TYPE
            } else {
                "Bearer"
            },
            recovery_code: None,
        }
    }

    /// An ID token alone (`/delegation`).
    pub fn id_only(id_token: String, expires_in: i64) -> Self {
        Self {
            access_token: None,
            id_token: Some(id_token),
            refresh_token: None,
            scope: None,
            issued_token_type: None,
            expires_in,
            token_type: "Bearer",
            recovery_code: None,
        }
    }
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        no_store(Json(self).into_response())
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
pub fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}
