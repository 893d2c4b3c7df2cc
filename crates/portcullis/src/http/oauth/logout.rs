//! Ending the browser session: Auth0's `GET /v2/logout` and OpenID Connect
//! RP-Initiated Logout 1.0 at `GET /oidc/logout`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portcullis_core::clients::Client;
use portcullis_core::protocol::params::Params;
use portcullis_core::secrets::hash_secret;
use serde::Deserialize;

use crate::app::AppState;
use crate::audit::Event;
use crate::http::cookies;
use crate::http::flows::{PageError, PageResult};
use crate::http::pages::Notice;
use crate::http::pages::Pages as _;

/// The query's parameters, or the error page for a repeated one.
fn params(app: &AppState, q: Option<&str>) -> Result<Params, Box<Response>> {
    Params::from_pairs(form_urlencoded::parse(q.unwrap_or("").as_bytes()).into_owned()).map_err(
        |_| {
            Box::new(cannot_sign_out(
                app,
                None,
                "Invalid request: a parameter was sent more than once.".into(),
            ))
        },
    )
}

/// Ends the browser's session, if any, and returns the cookie that clears it.
async fn end_session(
    app: &AppState,
    headers: &HeaderMap,
    client: Option<&Client>,
) -> Result<String, PageError> {
    if let Some(token) = cookies::get(headers, cookies::SESSION)
        && let Some(s) = app
            .store
            .find_session(
                &hash_secret(&token),
                app.now(),
                app.settings().await?.idle_seconds(),
            )
            .await?
    {
        // Told once: a concurrent logout of the same session finds it ended.
        if app.store.end_session(&s.id, app.now()).await? {
            tell_applications(app, &s.id).await?;
        }
        app.audit(Event {
            client_id: client.map(|c| c.client_id.as_str()),
            client_name: client.map(|c| c.name.as_str()),
            user_id: Some(&s.user_id),
            ..Event::new(crate::audit::Code::Slo, "User successfully logged out")
        })
        .await;
    }
    Ok(cookies::clear(
        cookies::SESSION,
        &crate::http::cookies::scope(app),
    ))
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn signed_out(app: &AppState, client: Option<&Client>) -> Response {
    app.pages.notice(
        StatusCode::OK,
        Notice::new("logout-complete__title", "logout-complete__description").back_to(client),
    )
}

/// A logout request that cannot be carried out: the session is left as it
/// was; a sentence for the person, `detail` for the application's developers.
fn cannot_sign_out(app: &AppState, client: Option<&Client>, detail: String) -> Response {
    app.pages.notice(
        StatusCode::BAD_REQUEST,
        Notice::new("error-page__logoutTitle", "error-page__logoutDescription")
            .detail(detail)
            .back_to(client),
    )
}

/// `GET /v2/logout?client_id&returnTo[&federated]`: `returnTo` must be one of the
/// application's Allowed Logout URLs (without `client_id`, the tenant's);
/// without it, the first of them, or a page.
pub async fn v2_logout(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let p = match params(&app, q.as_deref()) {
        Ok(p) => p,
        Err(r) => return Ok(*r),
    };
    let client = match p.get("client_id") {
        Some(id) => app.client(id).await?.map(|(c, _)| c),
        None => None,
    };
    let tenant_urls = app.settings().await?.allowed_logout_urls;
    let target = match (p.get("returnTo"), &client) {
        (Some(to), Some(c)) if c.allowed_logout_urls.iter().any(|u| u == to) => {
            Some(to.to_string())
        }
        // Auth0: without an application, the tenant's Allowed Logout URLs.
        (Some(to), None) if tenant_urls.iter().any(|u| u == to) => Some(to.to_string()),
        (Some(to), _) => {
            return Ok(cannot_sign_out(
                &app,
                client.as_ref(),
                format!(
                    "Logout URL not allowed: '{to}' is not in the Allowed Logout URLs of the application (send its client_id too)."
                ),
            ));
        }
        (None, Some(c)) => c.allowed_logout_urls.first().cloned(),
        (None, None) => None,
    };
    // Signing out of the dashboard ends the dashboard session only.
    let cookie = match &client {
        Some(c) if crate::http::member_sign_in::is_dashboard(c) => {
            crate::http::member_sign_in::end_session(&app, &headers).await?
        }
        _ => end_session(&app, &headers, client.as_ref()).await?,
    };
    let res = match target {
        Some(t) => crate::http::found(&t),
        None => signed_out(&app, client.as_ref()),
    };
    Ok(with_cookie(res, &cookie))
}

#[derive(Deserialize)]
struct HintClaims {
    aud: String,
}

/// `GET /oidc/logout` (RP-Initiated Logout 1.0 §2–3): `id_token_hint` or
/// `client_id` names the application; `post_logout_redirect_uri` must be one of
/// its Allowed Logout URLs; `state` is passed back.
pub async fn oidc_logout(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> PageResult {
    let p = match params(&app, q.as_deref()) {
        Ok(p) => p,
        Err(r) => return Ok(*r),
    };
    let bad = |m: &str| {
        Ok(cannot_sign_out(
            &app,
            None,
            format!("Invalid logout request: {m}"),
        ))
    };
    // An expired ID token is still a fine hint (§2); only its signature matters.
    let hinted = match p.get("id_token_hint") {
        Some(t) => match app.verify::<HintClaims>(t) {
            Ok(c) => Some(c.aud),
            Err(_) => return bad("The id_token_hint is not a valid ID token from this server."),
        },
        None => None,
    };
    let client_id = match (hinted, p.get("client_id")) {
        (Some(h), Some(c)) if h != c => return bad("client_id does not match the id_token_hint."),
        (Some(h), _) => Some(h),
        (None, c) => c.map(str::to_string),
    };
    let client = match &client_id {
        Some(id) => app.client(id).await?.map(|(c, _)| c),
        None => None,
    };
    let target = match (p.get("post_logout_redirect_uri"), &client) {
        (Some(to), Some(c)) if c.allowed_logout_urls.iter().any(|u| u == to) => {
            let mut t = to.to_string();
            if let Some(state) = p.get("state") {
                let sep = if t.contains('?') { '&' } else { '?' };
                t = format!(
                    "{t}{sep}{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("state", state)
                        .finish()
                );
            }
            Some(t)
        }
        (Some(_), _) => {
            return bad(
                "post_logout_redirect_uri is not in the Allowed Logout URLs of the application named by id_token_hint or client_id.",
            );
        }
        (None, _) => None,
    };
    let cookie = end_session(&app, &headers, client.as_ref()).await?;
    let res = match target {
        Some(t) => crate::http::found(&t),
        None => signed_out(&app, client.as_ref()),
    };
    Ok(with_cookie(res, &cookie))
}

/// OpenID Connect Back-Channel Logout 1.0: session `session_id` has ended;
/// each application it signed in to that registered a back-channel logout
/// URL is sent a logout token (signed with the application's ID-token
/// algorithm), in the background (`backchannel::Sender`).
pub async fn tell_applications(
    app: &AppState,
    session_id: &str,
) -> Result<(), portcullis_store::StoreError> {
    let (user, clients) = app.store.session_clients(session_id).await?;
    let Some(user) = user else {
        return Ok(());
    };
    let keys = app.keys();
    let now = app.now();
    let mut deliveries = Vec::new();
    for client_id in clients {
        let Some((client, _)) = app.client(&client_id).await? else {
            continue;
        };
        for url in client.backchannel_logout_urls() {
            let claims = portcullis_core::protocol::backchannel_logout::logout_token(
                app.issuer(),
                &client.client_id,
                &user,
                session_id,
                now,
            );
            deliveries.push(crate::backchannel::Delivery {
                client_id: client.client_id.clone(),
                client_name: client.name.clone(),
                user_id: user.clone(),
                url: url.clone(),
                token: keys.sign(client.jwt_configuration.alg, &claims),
            });
        }
    }
    app.backchannel.spawn(deliveries, app.auditor.clone());
    Ok(())
}
