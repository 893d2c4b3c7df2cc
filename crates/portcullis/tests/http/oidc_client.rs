//! An independent OpenID Connect relying party (the `openidconnect` crate) signs in
//! against a running Portcullis: discovery, code + PKCE, ID token validation with
//! nonce, and userinfo.

use openidconnect::OAuth2TokenResponse;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl,
    Scope, TokenResponse,
};
use serde_json::json;

use crate::browser::{Browser, CALLBACK, PASSWORD, spa, user};
use crate::support::on_both_backends;

/// openidconnect's HTTP client trait, over reqwest (no second HTTP stack);
/// also the device flow's (`device_flow`).
pub(crate) async fn send(
    http: reqwest::Client,
    req: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, reqwest::Error> {
    let (parts, body) = req.into_parts();
    let mut rb = http.request(parts.method, parts.uri.to_string()).body(body);
    for (k, v) in parts.headers.iter() {
        rb = rb.header(k, v);
    }
    let res = rb.send().await?;
    let mut builder = openidconnect::http::Response::builder().status(res.status());
    for (k, v) in res.headers() {
        builder = builder.header(k, v);
    }
    Ok(builder
        .body(res.bytes().await?.to_vec())
        .expect("a valid response"))
}

on_both_backends!(openidconnect_crate_completes_discovery_code_pkce_and_userinfo);

async fn openidconnect_crate_completes_discovery_code_pkce_and_userinfo(
    srv: crate::support::TestServer,
) {
    let app = spa(&srv, json!({})).await;
    let uid = user(&srv, "ada@example.com").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let rp_http = |req| send(http.clone(), req);
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(srv.issuer.clone()).unwrap(), &rp_http)
            .await
            .expect("discovery");
    let client = CoreClient::from_provider_metadata(metadata, ClientId::new(app.clone()), None)
        .set_redirect_uri(RedirectUrl::new(CALLBACK.to_string()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let mut b = Browser::new(&srv);
    let to_login = b.get(url.as_str()).await;
    let back = b.submit_login(&to_login, "ada@example.com", PASSWORD).await;
    let params = back.redirect_params();
    assert_eq!(&params["state"], csrf.secret());
    let tokens = client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&rp_http)
        .await
        .expect("code exchange");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("ID token validates with nonce");
    assert_eq!(claims.subject().as_str(), uid);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    assert!(
        claims.updated_at().is_some(),
        "Auth0's ISO updated_at parses"
    );
    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&rp_http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject().as_str(), uid);
    assert_eq!(info.email().map(|e| e.as_str()), Some("ada@example.com"));
    // A wrong nonce is refused by the RP's own checks.
    assert!(
        id_token
            .claims(&client.id_token_verifier(), &Nonce::new("other".into()))
            .is_err()
    );
    // Refreshing gives a new ID token the RP validates (no nonce on refresh).
    let refresh = tokens
        .refresh_token()
        .expect("offline_access gives a refresh token");
    let refreshed = client
        .exchange_refresh_token(refresh)
        .unwrap()
        .request_async(&rp_http)
        .await
        .expect("refresh");
    let new_id = refreshed.id_token().expect("a new ID token on refresh");
    let new_claims = new_id
        .claims(&client.id_token_verifier(), |n: Option<&Nonce>| match n {
            None => Ok(()),
            Some(_) => Err("a refreshed ID token carries no nonce".to_string()),
        })
        .expect("refreshed ID token validates");
    assert_eq!(new_claims.subject().as_str(), uid);
    assert!(refreshed.refresh_token().is_some(), "rotated");
}
