//! Organizations in the browser flow (Auth0's rules, decided by
//! `portcullis_core::organizations`):
//! - at `/authorize` ([`admit`]): whether the application may or must name
//!   an organization, which one (`organization=` by id, or by name where the
//!   tenant allows names), an invitation's ticket checked, and the prompt
//!   for the organization's name before the login (`pre_login_prompt`);
//! - after the login ([`enter`]): the user enters the organization only
//!   through a connection enabled for it, as a member or by becoming one
//!   (invitation, `assign_membership_on_login`), else `access_denied`; the
//!   choice among one's organizations (`post_login_prompt`);
//! - on the login page: only the organization's connections
//!   ([`login_connections`]), and its logo and colours ([`branding`],
//!   [`stylesheet`]: a stylesheet of validated colours, so the page CSP stays
//!   `style-src 'self'`).
//!
//! Invariant: a membership is made only in [`enter`], in one transaction with
//! the invitation it spends; a refused entry changes nothing stored.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::clients::Client;
use portcullis_core::organizations::{
    self, Admission, Entry, EntryFacts, Invitation, Organization, OrganizationUsage,
};
use portcullis_core::protocol::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use portcullis_core::secrets::hash_secret;
use portcullis_core::users::User;
use portcullis_store::{OrgConnection, StoreError};
use serde::Deserialize;

use crate::app::AppState;
use crate::http::client_addr::ClientAddr;
use crate::http::flows::{self, PageResult};
use crate::http::pages::Pages as _;

use super::transaction::{expired, load};

/// What `/authorize` does next.
pub enum Admitted {
    /// Go on with the request (its organization, if any, resolved to an id).
    Go(Box<AuthorizeRequest>),
    /// Answer with this (an error to the application, or the prompt).
    Answer(Response),
}

fn error(
    req: &AuthorizeRequest,
    code: AuthorizeErrorCode,
    why: impl Into<String>,
) -> ErrorRedirect {
    ErrorRedirect::to(req, code, why)
}

/// Auth0's description of an invitation that cannot be used.
const BAD_INVITATION: &str = "invitation not found or already used";

/// The organization `given` names: an id (`org_…`), or a name where the
/// tenant allows names; the error description otherwise.
pub(crate) async fn resolve(
    app: &AppState,
    given: &str,
) -> Result<Result<Organization, String>, StoreError> {
    let found = if given.starts_with("org_") {
        app.store.get_organization(given).await?
    } else if app
        .settings()
        .await?
        .allow_organization_name_in_authentication_api
    {
        app.store.get_organization_by_name(given).await?
    } else {
        return Ok(Err(organizations::must_be_id().to_string()));
    };
    Ok(found.ok_or_else(|| organizations::invalid(given)))
}

/// The live invitation a ticket stands for, to `org_id` from `client`.
async fn invitation(
    app: &AppState,
    ticket: &str,
    org_id: &str,
    client: &Client,
) -> Result<Option<Invitation>, StoreError> {
    Ok(app
        .store
        .find_organization_invitation(&hash_secret(ticket))
        .await?
        .filter(|i| i.is_live(app.now()))
        .filter(|i| i.organization_id == org_id && i.client_id == client.client_id))
}

/// `/authorize`'s organization rules, before any login (see the module doc).
pub async fn admit(
    app: &AppState,
    headers: &HeaderMap,
    peer: ClientAddr,
    client: &Client,
    mut req: AuthorizeRequest,
) -> Result<Admitted, StoreError> {
    let refuse = |req: &AuthorizeRequest, why: String| {
        Admitted::Answer(flows::deliver_error(
            app,
            error(req, AuthorizeErrorCode::InvalidRequest, why),
        ))
    };
    let admission = match organizations::admission(
        client.organization_usage,
        client.organization_require_behavior,
        req.organization.as_deref(),
    ) {
        Ok(a) => a,
        Err(why) => return Ok(refuse(&req, why.to_string())),
    };
    match admission {
        Admission::Outside | Admission::AskAfter => {
            if req.invitation.is_some() {
                return Ok(refuse(
                    &req,
                    "parameter organization is required with invitation".into(),
                ));
            }
            Ok(Admitted::Go(Box::new(req)))
        }
        Admission::AskBefore => {
            if req.invitation.is_some() {
                return Ok(refuse(
                    &req,
                    "parameter organization is required with invitation".into(),
                ));
            }
            // OpenID Connect Core §3.1.2.1: no page with prompt=none.
            if req.prompt.none {
                return Ok(Admitted::Answer(flows::deliver_error(
                    app,
                    error(
                        &req,
                        AuthorizeErrorCode::LoginRequired,
                        "the organization must be entered",
                    ),
                )));
            }
            let (id, cookie) = match flows::park(app, headers, &peer.text(), &req).await? {
                Ok(x) => x,
                Err(page) => return Ok(Admitted::Answer(page)),
            };
            let res = crate::http::found(&format!(
                "{}/u/organization?state={id}",
                app.config.base_path()
            ));
            Ok(Admitted::Answer(flows::with_new_cookie(res, cookie)))
        }
        Admission::Named(given) => {
            let org = match resolve(app, &given).await? {
                Ok(o) => o,
                Err(why) => return Ok(refuse(&req, why)),
            };
            req.organization = Some(org.id.clone());
            if let Some(ticket) = req.invitation.clone() {
                let Some(inv) = invitation(app, &ticket, &org.id, client).await? else {
                    return Ok(refuse(&req, BAD_INVITATION.into()));
                };
                land_on_invitation(app, headers, &mut req, &inv).await?;
                // From here on the request names the invitation by its id:
                // the ticket is not kept in the parked request.
                req.invitation = Some(inv.id.clone());
            }
            Ok(Admitted::Go(Box::new(req)))
        }
    }
}

/// An invitation's link lands on the sign-up page for the invited address
/// when it has no account yet, else on the login page with it filled in;
/// through the invitation's connection when it names one. A browser signed
/// in as someone else is asked to log in.
async fn land_on_invitation(
    app: &AppState,
    headers: &HeaderMap,
    req: &mut AuthorizeRequest,
    inv: &Invitation,
) -> Result<(), StoreError> {
    let email = portcullis_core::users::normalize_email(&inv.invitee.email);
    req.login_hint = Some(email.clone());
    let (_, known) = app
        .store
        .list_users(
            Some(&email),
            portcullis_store::Page {
                page: 0,
                per_page: 1,
            },
        )
        .await?;
    if known == 0 {
        req.screen_hint = Some("signup".into());
    }
    if let Some(id) = &inv.connection_id
        && let Some((c, _)) = app.store.get_connection(id).await?
    {
        req.connection = Some(c.name);
    }
    if let Some((_, user)) = flows::current_session(app, headers).await?
        && !inv.is_for(&user.email)
    {
        req.prompt.login = true;
    }
    Ok(())
}

/// Marks the redirect to the choice of organization: the sign-in is not
/// over yet (not a silent authentication to audit).
#[derive(Debug, Clone, Copy)]
struct SelectionStep;

/// Whether `res` sends the person to choose an organization.
pub fn is_selection(res: &Response) -> bool {
    res.extensions().get::<SelectionStep>().is_some()
}

/// Whether the signed-in user enters the request's organization.
pub enum Entered {
    /// The login is not to an organization.
    Outside,
    /// To this organization, as a member (or becoming one when the response
    /// is made: [`join`]).
    In(Box<Organization>),
    /// Answer with this instead (an error to the application, or the
    /// choice of organization).
    Answer(Response),
}

/// The organization's connections `user` has an identity in.
fn user_connections<'a>(
    conns: &'a [OrgConnection],
    user: &User,
) -> Vec<&'a organizations::EnabledConnection> {
    conns
        .iter()
        .filter(|c| user.identities.iter().any(|i| i.connection == c.name))
        .map(|c| &c.enabled)
        .collect()
}

/// What the entry rules say, with nothing written.
enum Outcome {
    Outside,
    Member(Organization),
    /// Becomes a member with these roles, accepting this invitation.
    Join {
        org: Organization,
        roles: Vec<String>,
        invitation: Option<Box<Invitation>>,
    },
    Answer(Response),
}

/// The entry decision for the request's organization (see the module doc);
/// reads only.
async fn decide(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    user: &User,
) -> Result<Outcome, StoreError> {
    let answer =
        |code, why: String| Outcome::Answer(flows::deliver_error(app, error(req, code, why)));
    let Some(org_id) = &req.organization else {
        return Ok(Outcome::Outside);
    };
    let Some(org) = app.store.get_organization(org_id).await? else {
        let why = organizations::invalid(org_id);
        return Ok(answer(AuthorizeErrorCode::InvalidRequest, why));
    };
    // `admit` keeps the invitation's id in the request (never its ticket).
    let inv = match &req.invitation {
        Some(id) => match app.store.get_organization_invitation(&org.id, id).await? {
            Some((i, _)) if i.is_live(app.now()) && i.client_id == client.client_id => Some(i),
            _ => {
                return Ok(answer(
                    AuthorizeErrorCode::InvalidRequest,
                    BAD_INVITATION.into(),
                ));
            }
        },
        None => None,
    };
    if let Some(i) = &inv
        && !i.is_for(&user.email)
    {
        return Ok(answer(
            AuthorizeErrorCode::AccessDenied,
            "the specified account is not allowed to accept the current invitation".into(),
        ));
    }
    let conns = app.store.organization_connections(&org.id).await?;
    let mut mine = user_connections(&conns, user);
    // An invitation through a named connection is accepted only through it.
    if let Some(cid) = inv.as_ref().and_then(|i| i.connection_id.as_ref()) {
        mine.retain(|c| c.connection_id == *cid);
    }
    let is_member = app
        .store
        .is_organization_member(&org.id, &user.user_id)
        .await?;
    let facts = EntryFacts {
        is_member,
        connections: &mine,
        invited: inv.is_some(),
    };
    Ok(match organizations::entry(facts) {
        Entry::Member if inv.is_none() => Outcome::Member(org),
        // An invitation to a member still gives its roles, and is spent.
        Entry::Member | Entry::Join => Outcome::Join {
            org,
            roles: inv.as_ref().map(|i| i.roles.clone()).unwrap_or_default(),
            invitation: inv.map(Box::new),
        },
        Entry::Refuse(r) => answer(
            AuthorizeErrorCode::AccessDenied,
            r.description(&user.user_id, user.connection(), org_id),
        ),
    })
}

/// After the login, before the post-login scripts, which see the
/// organization: whether the user may enter it (nothing is written here, so
/// a login an Action or a second factor then stops makes no member), or the
/// choice among one's organizations (`post_login_prompt`).
pub async fn enter(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    user: &User,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Entered, StoreError> {
    if req.organization.is_none() && client.organization_usage == OrganizationUsage::Require {
        // `post_login_prompt` (the other behaviours never get here without
        // an organization): the person picks one of theirs.
        let deny = |code, why: &str| {
            Ok(Entered::Answer(flows::deliver_error(
                app,
                error(req, code, why),
            )))
        };
        if req.prompt.none {
            return deny(
                AuthorizeErrorCode::InteractionRequired,
                "the organization must be chosen",
            );
        }
        if app
            .store
            .user_organizations(&user.user_id)
            .await?
            .is_empty()
        {
            return deny(
                AuthorizeErrorCode::AccessDenied,
                "client requires organization membership, but user does not belong to any organization",
            );
        }
        let mut parked = req.clone();
        parked.organization_selection = true;
        let (id, cookie) = match flows::park(app, headers, ip, &parked).await? {
            Ok(x) => x,
            Err(page) => return Ok(Entered::Answer(page)),
        };
        let mut res = crate::http::found(&format!(
            "{}/u/organization-selection?state={id}",
            app.config.base_path()
        ));
        res.extensions_mut().insert(SelectionStep);
        return Ok(Entered::Answer(flows::with_new_cookie(res, cookie)));
    }
    Ok(match decide(app, client, req, user).await? {
        Outcome::Outside => Entered::Outside,
        Outcome::Member(org) | Outcome::Join { org, .. } => Entered::In(Box::new(org)),
        Outcome::Answer(res) => Entered::Answer(res),
    })
}

/// When the response is made (after the scripts and any second factor): the
/// entry decided again and, when due, the member made with the invited roles
/// and the invitation spent, in one transaction. The organization, `None`
/// outside organizations, or the error to answer with.
pub async fn join(
    app: &AppState,
    client: &Client,
    req: &AuthorizeRequest,
    user: &User,
) -> Result<Result<Option<Organization>, Response>, StoreError> {
    match decide(app, client, req, user).await? {
        Outcome::Outside => Ok(Ok(None)),
        Outcome::Member(org) => Ok(Ok(Some(org))),
        Outcome::Join {
            org,
            roles,
            invitation,
        } => {
            let now = app.now();
            let accepted = invitation
                .as_ref()
                .map(|i| (i.id.as_str(), i.accepted_by(user, now)));
            let joined = app
                .store
                .join_organization(
                    &org.id,
                    &user.user_id,
                    &roles,
                    accepted.as_ref().map(|(id, u)| (*id, u)),
                    now,
                )
                .await?;
            if !joined {
                return Ok(Err(flows::deliver_error(
                    app,
                    error(req, AuthorizeErrorCode::InvalidRequest, BAD_INVITATION),
                )));
            }
            Ok(Ok(Some(org)))
        }
        Outcome::Answer(res) => Ok(Err(res)),
    }
}

/// The organization's enabled connections when the request is to one (the
/// login page offers only these); `None` outside organizations.
pub async fn login_connections(
    app: &AppState,
    req: &AuthorizeRequest,
) -> Result<Option<Vec<OrgConnection>>, StoreError> {
    match &req.organization {
        Some(id) => Ok(Some(app.store.organization_connections(id).await?)),
        None => Ok(None),
    }
}

/// Whether connection `name` may be used for the request: any outside
/// organizations, only the organization's own inside one.
pub async fn allows_connection(
    app: &AppState,
    req: &AuthorizeRequest,
    name: &str,
) -> Result<bool, StoreError> {
    Ok(match login_connections(app, req).await? {
        Some(conns) => conns.iter().any(|c| c.name == name),
        None => true,
    })
}

/// Inside an organization, sign-up is open only through a connection with
/// `is_signup_enabled`, or to the invitee of an invitation (Auth0's rule);
/// `db`'s `disable_signup` says so for the pages that offer it.
pub fn limit_sign_up(
    db: &mut portcullis_core::users::DatabaseConnection,
    in_org: Option<&[OrgConnection]>,
    invited: bool,
) {
    if let Some(conns) = in_org
        && !invited
        && !conns
            .iter()
            .any(|c| c.enabled.connection_id == db.id && c.enabled.is_signup_enabled)
    {
        db.options.disable_signup = true;
    }
}

/// The login page's organization header and stylesheet, when the request is
/// to an organization.
pub async fn branding(app: &AppState, req: &AuthorizeRequest) -> Option<serde_json::Value> {
    let id = req.organization.as_deref()?;
    let org = app.store.get_organization(id).await.ok().flatten()?;
    let b = org.branding.as_ref();
    Some(serde_json::json!({
        "id": org.id,
        "display_name": org.shown_name(),
        "logo_url": b.and_then(|b| b.logo_url.clone()),
        "colors": b.is_some_and(|b| b.colors.is_some()),
    }))
}

/// `GET /u/organization/{id}/branding.css`: the organization's colours as
/// a stylesheet (only validated `#rgb`/`#rrggbb` values go into it).
pub async fn stylesheet(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let org = match app.store.get_organization(&id).await {
        Ok(Some(o)) => o,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return flows::PageError(e).into_response(),
    };
    // Only validated `#rgb`/`#rrggbb` values reach the stylesheet.
    let css = org
        .branding
        .as_ref()
        .and_then(|b| b.colors.as_ref())
        .map(|c| {
            portcullis_core::branding::stylesheet(
                Some(&c.primary),
                Some(&portcullis_core::branding::Background::Colour(
                    c.page_background.clone(),
                )),
                None,
            )
        })
        .unwrap_or_default();
    let mut res = css.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

#[derive(Deserialize)]
pub struct StateQuery {
    state: Option<String>,
}

/// `GET /u/organization`: the name of the organization to sign in to
/// (`pre_login_prompt`).
pub async fn prompt_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> PageResult {
    let tx = match load(&app, &headers, q.state.as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return Ok(r),
    };
    Ok(render_prompt(&app, &tx, "", None))
}

fn render_prompt(
    app: &AppState,
    tx: &super::transaction::Transaction,
    name: &str,
    error: Option<&str>,
) -> Response {
    let error = error.map(|id| app.pages.text(id, &[]));
    app.pages.form_page(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "organization.html",
        minijinja::context! {
            title => "organization-picker__title",
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&tx.client))),
            state => &tx.id,
            csrf => &tx.csrf,
            name => name,
            error => error,
        },
        &tx.req.redirect_uri,
    )
}

/// `POST /u/organization`: the organization named, the request continues as
/// if `/authorize` had named it (names are always accepted here: the person
/// types a name).
pub async fn prompt_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match super::login::submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let name = form.get("organization").unwrap_or("").trim().to_lowercase();
    let org = if organizations::valid_name(&name) {
        app.store.get_organization_by_name(&name).await?
    } else {
        None
    };
    let Some(org) = org else {
        return Ok(render_prompt(
            &app,
            &tx,
            &name,
            Some("organization-picker__unknownOrganization"),
        ));
    };
    if !app.store.take_login_transaction(&tx.id).await? {
        return Ok(expired(&app, Some(&tx.client)));
    }
    let mut req = tx.req;
    req.organization = Some(org.id);
    crate::http::oauth::authorize::continue_authorization(&app, &headers, peer, &tx.client, req)
        .await
}

/// Whether `tx` is a request `enter` parked for the choice of organization.
fn parked_for_selection(tx: &super::transaction::Transaction) -> bool {
    tx.req.organization_selection
        && tx.req.organization.is_none()
        && tx.client.organization_usage == OrganizationUsage::Require
}

/// `GET /u/organization-selection`: the signed-in person's organizations
/// (`post_login_prompt`).
pub async fn selection_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StateQuery>,
) -> PageResult {
    let tx = match load(&app, &headers, q.state.as_deref(), None).await {
        Ok(tx) => tx,
        Err(r) => return Ok(r),
    };
    let Some((_, user)) = flows::current_session(&app, &headers).await? else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    if !parked_for_selection(&tx) {
        return Ok(expired(&app, Some(&tx.client)));
    }
    let orgs: Vec<serde_json::Value> = app
        .store
        .user_organizations(&user.user_id)
        .await?
        .iter()
        .map(|o| serde_json::json!({"id": o.id, "display_name": o.shown_name()}))
        .collect();
    Ok(app.pages.form_page(
        StatusCode::OK,
        "organization_selection.html",
        minijinja::context! {
            title => "organization-selection__title",
            client => minijinja::Value::from(minijinja::value::Serde(super::login::client_ctx(&tx.client))),
            state => &tx.id,
            csrf => &tx.csrf,
            organizations => minijinja::Value::from(minijinja::value::Serde(orgs)),
        },
        &tx.req.redirect_uri,
    ))
}

/// `POST /u/organization-selection`: one of the person's organizations
/// (any other is refused), then the response to the application.
pub async fn selection_submit(
    State(app): State<AppState>,
    peer: ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> PageResult {
    let (form, tx) = match super::login::submitted(&app, &headers, body).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let Some((session, user)) = flows::current_session(&app, &headers).await? else {
        return Ok(expired(&app, Some(&tx.client)));
    };
    // Only a request `enter` parked for this choice, after its login; never
    // a way around another page (re-authentication, consent).
    if !parked_for_selection(&tx) || user.blocked {
        return Ok(expired(&app, Some(&tx.client)));
    }
    let chosen = form.get("organization").unwrap_or("");
    let mine = app.store.user_organizations(&user.user_id).await?;
    if !mine.iter().any(|o| o.id == chosen) {
        return Ok(app.pages.message(
            StatusCode::BAD_REQUEST,
            "organization-selection__title",
            "organization-selection__invalidChoice",
        ));
    }
    if !app.store.take_login_transaction(&tx.id).await? {
        return Ok(expired(&app, Some(&tx.client)));
    }
    let mut req = tx.req;
    req.organization = Some(chosen.to_string());
    req.organization_selection = false;
    let api = super::transaction::api_of(&app, &req).await?;
    let request = flows::request_info(peer, &headers, "POST", flows::authorize_query(&req));
    flows::issue(
        &app,
        &tx.client,
        &req,
        api.as_ref(),
        &session,
        &user,
        &request,
        &headers,
    )
    .await
}
