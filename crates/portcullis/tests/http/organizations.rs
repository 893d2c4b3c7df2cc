//! Organizations (Auth0's): the Management API's shapes and refusals, the
//! login to an organization (`organization=`, the prompts, invitations), and
//! what tokens then carry (`org_id`, `org_name`, the organization roles'
//! permissions) through the code, refresh and client-credentials grants.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Browser, PASSWORD, Page, code_params, exchange, spa, user};
use crate::dbconnections::outbox_with;
use crate::rules_and_actions::{bind, deployed_action};
use crate::support::{TestServer, on_both_backends, verify_with_jwks};
use crate::token_endpoint::urlenc;

const DB: &str = "Username-Password-Authentication";
const API: &str = "https://orders.example/";

on_both_backends!(
    organizations_api_answers_in_auth0_shapes_and_refuses_bad_input_changing_nothing,
    members_roles_and_connections_are_managed_all_or_nothing,
    a_member_signs_in_to_an_organization_and_org_id_survives_refresh,
    organization_rules_refuse_with_auth0s_errors_and_make_no_membership,
    an_invitation_from_the_outbox_signs_up_the_invitee_as_a_member_once,
    invitations_are_refused_for_the_wrong_account_a_forged_ticket_or_bad_input,
    the_prompts_ask_for_the_organization_before_or_after_login,
    organization_roles_give_permissions_and_actions_see_the_organization,
    client_credentials_for_an_organization_follow_the_client_grant,
    the_login_page_shows_the_organizations_look_and_only_its_connections,
    an_expired_invitation_is_refused_and_makes_no_member,
    a_login_an_action_denies_makes_no_member,
    the_tenants_user_invitation_template_carries_the_link_escaped
);

async fn org(srv: &TestServer, body: Value) -> String {
    let (st, o) = srv.api(Method::POST, "/organizations", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    o["id"].as_str().unwrap().to_string()
}

/// An organization named `name` whose members sign in with the database
/// connection (with `assign`: anyone who does becomes a member).
async fn org_with_db(srv: &TestServer, name: &str, assign: bool) -> String {
    let db = srv.connection_id(DB).await;
    org(
        srv,
        json!({"name": name, "display_name": format!("{name} Inc."),
               "enabled_connections": [{"connection_id": db, "assign_membership_on_login": assign}]}),
    )
    .await
}

async fn add_member(srv: &TestServer, org: &str, uid: &str) {
    let (st, b) = srv
        .api(
            Method::POST,
            &format!("/organizations/{org}/members"),
            Some(json!({"members": [uid]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
}

async fn members(srv: &TestServer, org: &str) -> Vec<String> {
    let (st, m) = srv
        .api(Method::GET, &format!("/organizations/{org}/members"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    m.as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_string())
        .collect()
}

/// An SPA that may (`allow`) or must (`require`) sign in to organizations.
async fn org_app(srv: &TestServer, usage: &str, behavior: &str) -> String {
    spa(
        srv,
        json!({"organization_usage": usage, "organization_require_behavior": behavior,
               "initiate_login_uri": "https://app.example/login"}),
    )
    .await
}

/// Signs in through the login page from `first` (a redirect to it) and
/// exchanges the code: the token response.
async fn login_and_exchange(
    srv: &TestServer,
    b: &mut Browser,
    app: &str,
    first: &Page,
    email: &str,
) -> Value {
    let done = b.submit_login(first, email, PASSWORD).await;
    let p = done.redirect_params();
    let code = p
        .get("code")
        .unwrap_or_else(|| panic!("no code: {:?}", done.location));
    let (st, t) = exchange(srv, app, code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t
}

fn error_of(p: &Page) -> (String, String) {
    let q = p.redirect_params();
    (
        q.get("error").cloned().unwrap_or_default(),
        q.get("error_description").cloned().unwrap_or_default(),
    )
}

async fn organizations_api_answers_in_auth0_shapes_and_refuses_bad_input_changing_nothing(
    srv: TestServer,
) {
    let (st, o) = srv
        .api(
            Method::POST,
            "/organizations",
            Some(json!({"name": "acme", "display_name": "Acme Corp",
                        "branding": {"logo_url": "https://acme.example/logo.png",
                                     "colors": {"primary": "#0059d6", "page_background": "#f0f4ff"}},
                        "metadata": {"tier": "gold"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let id = o["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("org_") && id.len() == 20, "{id}");
    assert_eq!(
        o,
        json!({"id": id, "name": "acme", "display_name": "Acme Corp",
               "branding": {"logo_url": "https://acme.example/logo.png",
                            "colors": {"primary": "#0059d6", "page_background": "#f0f4ff"}},
               "metadata": {"tier": "gold"}})
    );
    // Refused, each with Auth0's status, and nothing stored.
    for (body, status, code) in [
        (
            json!({"name": "acme"}),
            StatusCode::CONFLICT,
            "organization_conflict",
        ),
        (
            json!({"name": "Acme Corp"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"display_name": "no name"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "b", "branding": {"logo_url": "http://b.example/l.png"}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "c", "branding": {"colors": {"primary": "blue", "page_background": "#fff"}}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "d", "metadata": {"n": 1}}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "e", "owner": "x"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "f", "enabled_connections": [{"connection_id": "con_nope"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"name": "g", "enabled_connections": [{"connection_id": "con_1"}, {"connection_id": "con_1"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
    ] {
        let (st, e) = srv
            .api(Method::POST, "/organizations", Some(body.clone()))
            .await;
        assert_eq!(st, status, "{body} → {e}");
        assert_eq!(e["errorCode"], code, "{e}");
        assert_eq!(e["statusCode"], status.as_u16(), "{e}");
    }
    let (_, all) = srv
        .api(Method::GET, "/organizations?include_totals=true", None)
        .await;
    assert_eq!(all["total"], 1, "nothing else was stored: {all}");

    // Get by id and by name; patch; metadata keys removed by null.
    let (st, by_name) = srv.api(Method::GET, "/organizations/name/acme", None).await;
    assert_eq!((st, &by_name["id"]), (StatusCode::OK, &json!(id)));
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/organizations/{id}"),
            Some(json!({"display_name": "Acme", "metadata": {"tier": null, "region": "eu"}, "branding": null})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        p,
        json!({"id": id, "name": "acme", "display_name": "Acme", "metadata": {"region": "eu"}})
    );
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/organizations/{id}"),
            Some(json!({"name": "NOT VALID"})),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, again) = srv
        .api(Method::GET, &format!("/organizations/{id}"), None)
        .await;
    assert_eq!(again, p, "a refused patch changes nothing");

    // Checkpoint paging walks every organization once.
    for n in 0..4 {
        org(&srv, json!({"name": format!("org-{n}")})).await;
    }
    let mut seen = Vec::new();
    let mut from = String::new();
    loop {
        let q = if from.is_empty() {
            "/organizations?take=2".to_string()
        } else {
            format!("/organizations?take=2&from={from}")
        };
        let (st, page) = srv.api(Method::GET, &q, None).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        for o in page["organizations"].as_array().unwrap() {
            seen.push(o["id"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(n) => from = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "in id order, each once");

    // Scopes are checked; unknown ids answer 404 in Auth0's shape.
    let (m2m, secret) = srv.new_m2m("reader").await;
    let aud = srv.management_audience();
    let (st, g) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": m2m, "audience": aud, "scope": ["read:clients"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    let narrow = srv.client_token(&m2m, &secret, &aud).await;
    let (st, e) = srv
        .api_with(&narrow, Method::GET, "/organizations", None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["errorCode"], "insufficient_scope");
    let (st, e) = srv
        .api(Method::GET, "/organizations/org_doesnotexist0000", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(e["message"], "No organization found by that id or name");

    let (st, _) = srv
        .api(Method::DELETE, &format!("/organizations/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv
        .api(Method::GET, &format!("/organizations/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn members_roles_and_connections_are_managed_all_or_nothing(srv: TestServer) {
    let o = org_with_db(&srv, "acme", false).await;
    let ada = user(&srv, "ada@example.com").await;
    let bob = user(&srv, "bob@example.com").await;
    // One unknown user: nobody is added.
    let (st, e) = srv
        .api(
            Method::POST,
            &format!("/organizations/{o}/members"),
            Some(json!({"members": [ada, "auth0|nobody"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    assert!(members(&srv, &o).await.is_empty());
    for bad in [json!({"members": []}), json!({"users": [ada]})] {
        let (st, _) = srv
            .api(
                Method::POST,
                &format!("/organizations/{o}/members"),
                Some(bad),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
    add_member(&srv, &o, &ada).await;
    add_member(&srv, &o, &bob).await;
    add_member(&srv, &o, &ada).await; // already a member: not an error
    let mut want = vec![ada.clone(), bob.clone()];
    want.sort();
    assert_eq!(members(&srv, &o).await, want);
    let (_, listed) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/members?include_totals=true"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 2);
    assert!(listed["members"][0]["email"].as_str().is_some(), "{listed}");
    assert!(
        listed["members"][0].get("roles").is_none(),
        "roles only when asked: {listed}"
    );

    // Organization roles: only for members, only existing roles.
    let (_, role) = srv
        .api(Method::POST, "/roles", Some(json!({"name": "Buyer"})))
        .await;
    let rid = role["id"].as_str().unwrap().to_string();
    let roles_path = format!("/organizations/{o}/members/{}/roles", urlenc(&ada));
    let (st, _) = srv
        .api(
            Method::POST,
            &roles_path,
            Some(json!({"roles": ["rol_nope"]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = srv
        .api(Method::POST, &roles_path, Some(json!({"roles": [rid]})))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, held) = srv.api(Method::GET, &roles_path, None).await;
    assert_eq!(
        held,
        json!([{"id": rid, "name": "Buyer", "description": ""}])
    );
    let (_, with_roles) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/members?fields=user_id,roles"),
            None,
        )
        .await;
    let ada_row = with_roles
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(ada))
        .unwrap()
        .clone();
    assert_eq!(
        ada_row,
        json!({"user_id": ada, "roles": [{"id": rid, "name": "Buyer"}]})
    );
    let outsider = user(&srv, "eve@example.com").await;
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/organizations/{o}/members/{}/roles", urlenc(&outsider)),
            Some(json!({"roles": [rid]})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "not a member");
    let (_, of_user) = srv
        .api(
            Method::GET,
            &format!("/users/{}/organizations", urlenc(&ada)),
            None,
        )
        .await;
    assert_eq!(of_user[0]["id"], json!(o));

    // Removing a member takes their organization roles with them.
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/organizations/{o}/members"),
            Some(json!({"members": [ada]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(members(&srv, &o).await, vec![bob.clone()]);
    add_member(&srv, &o, &ada).await;
    let (_, held) = srv.api(Method::GET, &roles_path, None).await;
    assert_eq!(held, json!([]));

    // Enabled connections.
    let db = srv.connection_id(DB).await;
    let path = format!("/organizations/{o}/enabled_connections");
    let (_, list) = srv.api(Method::GET, &path, None).await;
    assert_eq!(
        list,
        json!([{"connection_id": db, "assign_membership_on_login": false, "show_as_button": true,
                "is_signup_enabled": false, "connection": {"name": DB, "strategy": "auth0"}}])
    );
    let (st, e) = srv
        .api(Method::POST, &path, Some(json!({"connection_id": db})))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (st, _) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"connection_id": "con_nope"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("{path}/{db}"),
            Some(json!({"assign_membership_on_login": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["assign_membership_on_login"], true);
    let (_, one) = srv.api(Method::GET, &format!("{path}/{db}"), None).await;
    assert_eq!(one, p);
    let (st, _) = srv.api(Method::DELETE, &format!("{path}/{db}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv.api(Method::GET, &format!("{path}/{db}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, e) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"connection_id": db, "is_signup_enabled": true})),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "sign-up needs membership on login: {e}"
    );
    let (st, added) = srv
        .api(
            Method::POST,
            &path,
            Some(json!({"connection_id": db, "show_as_button": false})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    assert_eq!(added["show_as_button"], false);
}

async fn a_member_signs_in_to_an_organization_and_org_id_survives_refresh(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "acme", false).await;
    let ada = user(&srv, "ada@example.com").await;
    add_member(&srv, &o, &ada).await;

    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[
                ("organization", &o),
                ("scope", "openid profile offline_access"),
            ],
        ))
        .await;
    let t = login_and_exchange(&srv, &mut b, &app, &to, "ada@example.com").await;
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["org_id"], json!(o), "{id}");
    assert!(
        id.get("org_name").is_none(),
        "names only when the tenant allows them"
    );
    let rt = t["refresh_token"].as_str().unwrap().to_string();

    // The refresh keeps the organization (and rotates: SPAs rotate).
    let (st, r, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &app),
            ("refresh_token", &rt),
        ])
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let id = verify_with_jwks(&srv, r["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["org_id"], json!(o), "{id}");

    // Names: only when the tenant allows them, then also in tokens.
    let (st, _) = srv
        .api(
            Method::PATCH,
            "/tenants/settings",
            Some(json!({"allow_organization_name_in_authentication_api": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let to = b
        .authorize(&code_params(&app, &[("organization", "acme")]))
        .await;
    let code = to.redirect_params()["code"].clone(); // single sign-on
    let (st, t) = exchange(&srv, &app, &code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(
        (&id["org_id"], &id["org_name"]),
        (&json!(o), &json!("acme"))
    );
    // Without an organization the same login carries none.
    let to = b.authorize(&code_params(&app, &[])).await;
    let (_, t) = exchange(&srv, &app, &to.redirect_params()["code"]).await;
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert!(id.get("org_id").is_none(), "{id}");
    // The consent page of a login to the organization wears its name.
    let to = b
        .authorize(&code_params(
            &app,
            &[("organization", &o), ("prompt", "consent")],
        ))
        .await;
    let consent = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(
        consent.body.contains("<p class=\"app\">acme Inc.</p>"),
        "{}",
        consent.body
    );

    // Removed from the organization: the refresh token no longer stands.
    let next = r["refresh_token"].as_str().unwrap().to_string();
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/organizations/{o}/members"),
            Some(json!({"members": [ada]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, e, _) = srv
        .token_form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &app),
            ("refresh_token", &next),
        ])
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"], "invalid_grant");
}

async fn organization_rules_refuse_with_auth0s_errors_and_make_no_membership(srv: TestServer) {
    let o = org_with_db(&srv, "acme", false).await;
    let ada = user(&srv, "ada@example.com").await;
    let mut b = Browser::new(&srv);

    let deny = org_app(&srv, "deny", "no_prompt").await;
    let to = b
        .authorize(&code_params(&deny, &[("organization", &o)]))
        .await;
    assert_eq!(
        error_of(&to),
        (
            "invalid_request".into(),
            "parameter organization is not allowed for this client".into()
        )
    );
    let require = org_app(&srv, "require", "no_prompt").await;
    let to = b.authorize(&code_params(&require, &[])).await;
    assert_eq!(
        error_of(&to),
        (
            "invalid_request".into(),
            "parameter organization is required for this client".into()
        )
    );
    let allow = org_app(&srv, "allow", "no_prompt").await;
    let to = b
        .authorize(&code_params(
            &allow,
            &[("organization", "org_doesnotexist0000")],
        ))
        .await;
    assert_eq!(
        error_of(&to),
        (
            "invalid_request".into(),
            "parameter organization is invalid: org_doesnotexist0000".into()
        )
    );
    let to = b
        .authorize(&code_params(&allow, &[("organization", "acme")]))
        .await;
    assert_eq!(
        error_of(&to).1,
        "authorization request parameter organization must be an organization id"
    );

    // Not a member: access_denied after the login, no membership made.
    let to = b
        .authorize(&code_params(&allow, &[("organization", &o)]))
        .await;
    let done = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert_eq!(
        error_of(&done),
        (
            "access_denied".into(),
            format!("user {ada} is not part of the {o} organization")
        )
    );
    assert!(members(&srv, &o).await.is_empty());

    // A member whose connection is not enabled for it: refused too.
    add_member(&srv, &o, &ada).await;
    let db = srv.connection_id(DB).await;
    let (st, _) = srv
        .api(
            Method::DELETE,
            &format!("/organizations/{o}/enabled_connections/{db}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let to = b
        .authorize(&code_params(&allow, &[("organization", &o)]))
        .await;
    assert_eq!(
        error_of(&to),
        (
            "access_denied".into(),
            format!(
                "user {ada} belongs to connection {DB} that is not part of the {o} organization"
            )
        )
    );

    // `assign_membership_on_login`: a user of that connection becomes a member.
    let open = org_with_db(&srv, "open", true).await;
    let bob = user(&srv, "bob@example.com").await;
    let mut b2 = Browser::new(&srv);
    let to = b2
        .authorize(&code_params(&allow, &[("organization", &open)]))
        .await;
    let t = login_and_exchange(&srv, &mut b2, &allow, &to, "bob@example.com").await;
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &allow).await;
    assert_eq!(id["org_id"], json!(open));
    assert_eq!(members(&srv, &open).await, vec![bob]);
}

/// An invitation, as the Management API answers it.
async fn invite(srv: &TestServer, org: &str, body: Value) -> (StatusCode, Value) {
    srv.api(
        Method::POST,
        &format!("/organizations/{org}/invitations"),
        Some(body),
    )
    .await
}

/// The link in the newest mail of the outbox.
fn link_in(mail: &str) -> String {
    let start = mail.find("https://app.example/login?").expect("a link");
    mail[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == ')')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

async fn an_invitation_from_the_outbox_signs_up_the_invitee_as_a_member_once(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "acme", false).await;
    let (_, role) = srv
        .api(Method::POST, "/roles", Some(json!({"name": "Buyer"})))
        .await;
    let rid = role["id"].as_str().unwrap().to_string();
    let (st, inv) = invite(
        &srv,
        &o,
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "New@Example.com"},
               "client_id": app, "roles": [rid], "ttl_sec": 3600,
               "app_metadata": {"plan": "gold"}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");
    let inv_id = inv["id"].as_str().unwrap().to_string();
    assert!(inv_id.starts_with("uinv_"), "{inv}");
    let ticket = inv["ticket_id"].as_str().unwrap().to_string();
    assert_eq!(
        inv["invitation_url"],
        json!(format!(
            "https://app.example/login?invitation={ticket}&organization={o}&organization_name=acme"
        ))
    );
    assert_eq!(inv["roles"], json!([rid]));
    // The same answer later (the ticket is kept sealed, never in the clear).
    let (_, got) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/invitations/{inv_id}"),
            None,
        )
        .await;
    assert_eq!(got, inv);
    crate::support::with_server_db!(srv, |c| {
        let (stored,): (String,) = sqlx::query_as(
            "SELECT ticket_sealed || doc || ticket_hash FROM organization_invitations",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap();
        assert!(
            !stored.contains(&ticket),
            "the ticket is not stored in the clear"
        );
    });

    // The e-mail carries the link; the application passes it on to /authorize.
    let mails = outbox_with(&srv, 1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("Ann has invited you to join acme Inc."),
        "{}",
        mails[0]
    );
    let link = link_in(&mails[0]);
    let q: std::collections::HashMap<String, String> =
        form_urlencoded::parse(link.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(q["invitation"], ticket);

    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[
                ("invitation", &q["invitation"]),
                ("organization", &q["organization"]),
            ],
        ))
        .await;
    let loc = to.location.clone().unwrap();
    assert!(
        loc.starts_with("/u/signup?state="),
        "no account yet: sign-up ({loc})"
    );
    let page = b.get(&loc).await;
    assert!(
        page.body.contains("value=\"new@example.com\""),
        "the address filled in"
    );
    let done = b
        .post_form(
            "/u/signup",
            &[
                ("state", &page.input("state")),
                ("csrf", &page.input("csrf")),
                ("username", "new@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let (st, t) = exchange(&srv, &app, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["org_id"], json!(o));
    let uid = id["sub"].as_str().unwrap().to_string();
    assert_eq!(members(&srv, &o).await, vec![uid.clone()]);
    // Accepting verified the address and brought the invitation's metadata.
    let (_, u) = srv
        .api(Method::GET, &format!("/users/{}", urlenc(&uid)), None)
        .await;
    assert_eq!(
        (&u["email_verified"], &u["app_metadata"]["plan"]),
        (&json!(true), &json!("gold")),
        "{u}"
    );
    let (_, held) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/members/{}/roles", urlenc(&uid)),
            None,
        )
        .await;
    assert_eq!(held[0]["id"], json!(rid), "the invited roles");

    // Spent: gone from the API, and the link no longer works.
    let (st, _) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/invitations/{inv_id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let mut again = Browser::new(&srv);
    let to = again
        .authorize(&code_params(
            &app,
            &[("invitation", &ticket), ("organization", &o)],
        ))
        .await;
    assert_eq!(
        error_of(&to),
        (
            "invalid_request".into(),
            "invitation not found or already used".into()
        )
    );
}

async fn invitations_are_refused_for_the_wrong_account_a_forged_ticket_or_bad_input(
    srv: TestServer,
) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "acme", false).await;
    user(&srv, "ada@example.com").await;
    let eve = user(&srv, "eve@example.com").await;
    let base = json!({"inviter": {"name": "Ann"}, "invitee": {"email": "ada@example.com"},
                      "client_id": app, "send_invitation_email": false});
    let (st, inv) = invite(&srv, &o, base.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");
    let ticket = inv["ticket_id"].as_str().unwrap().to_string();
    assert!(
        crate::dbconnections::outbox(&srv).is_empty(),
        "no mail asked for"
    );

    // An existing account lands on the login page with its address.
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("invitation", &ticket), ("organization", &o)],
        ))
        .await;
    let loc = to.location.clone().unwrap();
    assert!(loc.starts_with("/u/login?state="), "{loc}");
    // Someone else signs in with it: refused, the invitation still stands.
    let done = b.submit_login(&to, "eve@example.com", PASSWORD).await;
    assert_eq!(
        error_of(&done),
        (
            "access_denied".into(),
            "the specified account is not allowed to accept the current invitation".into()
        )
    );
    assert!(members(&srv, &o).await.is_empty());
    let (st, _) = srv
        .api(
            Method::GET,
            &format!(
                "/organizations/{o}/invitations/{}",
                inv["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let _ = eve;

    // A forged ticket, or a real one for another organization.
    let other = org_with_db(&srv, "other", false).await;
    for (ticket, org) in [
        ("forged0000000000000000000000000", o.as_str()),
        (ticket.as_str(), other.as_str()),
    ] {
        let mut b = Browser::new(&srv);
        let to = b
            .authorize(&code_params(
                &app,
                &[("invitation", ticket), ("organization", org)],
            ))
            .await;
        assert_eq!(error_of(&to).1, "invitation not found or already used");
    }
    // An invitation without its organization.
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("invitation", &ticket)]))
        .await;
    assert_eq!(error_of(&to).0, "invalid_request");

    // Bad input at the Management API, nothing stored.
    let deny = org_app(&srv, "deny", "no_prompt").await;
    let no_route = spa(&srv, json!({"organization_usage": "allow"})).await;
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, message) in [
        (
            with("client_id", json!("nope")),
            "The specified client_id does not exist.",
        ),
        (
            with("client_id", json!(deny)),
            "The specified client_id does not allow organizations.",
        ),
        (
            with("connection_id", json!("con_nope")),
            "The specified connection does not exist.",
        ),
        (
            with("roles", json!(["rol_nope"])),
            "One or more of the specified roles do not exist: rol_nope",
        ),
        (
            with("client_id", json!(no_route)),
            "A default login route is required",
        ),
        (with("ttl_sec", json!(2_592_001)), "ttl_sec"),
        (
            with("invitee", json!({"email": "not-an-address"})),
            "invitee.email",
        ),
    ] {
        let (st, e) = invite(&srv, &o, body.clone()).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body} → {e}");
        assert!(
            e["message"].as_str().unwrap().contains(message),
            "{body} → {e}"
        );
    }
    let (_, list) = srv
        .api(
            Method::GET,
            &format!("/organizations/{o}/invitations"),
            None,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}

async fn the_prompts_ask_for_the_organization_before_or_after_login(srv: TestServer) {
    let o = org_with_db(&srv, "acme", false).await;
    let second = org_with_db(&srv, "globex", false).await;
    let ada = user(&srv, "ada@example.com").await;
    add_member(&srv, &o, &ada).await;
    add_member(&srv, &second, &ada).await;

    // Before: the organization's name, then the login to it.
    let app = org_app(&srv, "require", "pre_login_prompt").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&app, &[])).await;
    let loc = to.location.clone().unwrap();
    assert!(loc.starts_with("/u/organization?state="), "{loc}");
    let page = b.get(&loc).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<label for=\"organization\">Organization name</label>")
    );
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let wrong = b
        .post_form(
            "/u/organization",
            &[("state", &state), ("csrf", &csrf), ("organization", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("role=\"alert\""), "{}", wrong.body);
    let forged = b
        .post_form(
            "/u/organization",
            &[
                ("state", &state),
                ("csrf", "forged"),
                ("organization", "acme"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "CSRF");
    let to_login = b
        .post_form(
            "/u/organization",
            &[("state", &state), ("csrf", &csrf), ("organization", "Acme")],
        )
        .await;
    let t = login_and_exchange(&srv, &mut b, &app, &to_login, "ada@example.com").await;
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["org_id"], json!(o));

    // prompt=none cannot show the prompt.
    let to = b.authorize(&code_params(&app, &[("prompt", "none")])).await;
    assert_eq!(error_of(&to).0, "login_required");

    // After: the person picks one of theirs.
    let after = org_app(&srv, "require", "post_login_prompt").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&after, &[])).await;
    let chooser = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    let loc = chooser.location.clone().unwrap();
    assert!(loc.starts_with("/u/organization-selection?state="), "{loc}");
    let page = b.get(&loc).await;
    assert!(
        page.body.contains("acme Inc.") && page.body.contains("globex Inc."),
        "{}",
        page.body
    );
    let (state, csrf) = (page.input("state"), page.input("csrf"));
    let outsider = org_with_db(&srv, "initech", false).await;
    let refused = b
        .post_form(
            "/u/organization-selection",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("organization", &outsider),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "not one of hers");
    let done = b
        .post_form(
            "/u/organization-selection",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("organization", &second),
            ],
        )
        .await;
    // Another parked request (a fresh login page of this browser) cannot be
    // continued through the selection form: it would skip the login.
    let relogin = b
        .authorize(&code_params(&after, &[("prompt", "login")]))
        .await;
    let login_page = b.get(relogin.location.as_deref().unwrap()).await;
    let skipped = b
        .post_form(
            "/u/organization-selection",
            &[
                ("state", &login_page.input("state")),
                ("csrf", &login_page.input("csrf")),
                ("organization", &second),
            ],
        )
        .await;
    assert_eq!(skipped.status, StatusCode::BAD_REQUEST, "{}", skipped.body);
    assert!(skipped.location.is_none());
    let (st, t) = exchange(&srv, &after, &done.redirect_params()["code"]).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &after).await;
    assert_eq!(id["org_id"], json!(second));
    // Single sign-on asks again which one, and is not yet a silent
    // authentication (`ssa`) for the audit log.
    let (_, before) = srv.api(Method::GET, "/logs?q=type%3Assa", None).await;
    let again = b.authorize(&code_params(&after, &[])).await;
    assert!(
        again
            .location
            .as_deref()
            .unwrap()
            .starts_with("/u/organization-selection?state="),
        "{:?}",
        again.location
    );
    let (_, after_sso) = srv.api(Method::GET, "/logs?q=type%3Assa", None).await;
    assert_eq!(
        after_sso.as_array().unwrap().len(),
        before.as_array().unwrap().len()
    );

    // Someone in no organization is refused after the login.
    user(&srv, "bob@example.com").await;
    let mut b = Browser::new(&srv);
    let to = b.authorize(&code_params(&after, &[])).await;
    let done = b.submit_login(&to, "bob@example.com", PASSWORD).await;
    assert_eq!(
        error_of(&done),
        (
            "access_denied".into(),
            "client requires organization membership, but user does not belong to any organization"
                .into()
        )
    );
}

async fn organization_roles_give_permissions_and_actions_see_the_organization(srv: TestServer) {
    let (st, b) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(json!({"identifier": API, "name": "Orders",
                        "scopes": [{"value": "read:orders"}, {"value": "approve:orders"}],
                        "enforce_policies": true, "token_dialect": "access_token_authz"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let role = |name: &'static str, perm: &'static str| {
        let srv = &srv;
        async move {
            let (_, r) = srv
                .api(Method::POST, "/roles", Some(json!({"name": name})))
                .await;
            let id = r["id"].as_str().unwrap().to_string();
            let (st, _) = srv
                .api(
                    Method::POST,
                    &format!("/roles/{id}/permissions"),
                    Some(json!({"permissions": [{"resource_server_identifier": API, "permission_name": perm}]})),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED);
            id
        }
    };
    let approver = role("Approver", "approve:orders").await;
    let reader = role("Reader", "read:orders").await;
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org(
        &srv,
        json!({"name": "acme", "display_name": "Acme", "metadata": {"tier": "gold"},
               "enabled_connections": [{"connection_id": srv.connection_id(DB).await}]}),
    )
    .await;
    let ada = user(&srv, "ada@example.com").await;
    add_member(&srv, &o, &ada).await;
    // A tenant role (read) and an organization role (approve).
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/users/{}/roles", urlenc(&ada)),
            Some(json!({"roles": [reader]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = srv
        .api(
            Method::POST,
            &format!("/organizations/{o}/members/{}/roles", urlenc(&ada)),
            Some(json!({"roles": [approver]})),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let action = deployed_action(
        &srv,
        "org-claim",
        "post-login",
        r#"exports.onExecutePostLogin = async (event, api) => {
  if (event.organization) {
    api.idToken.setCustomClaim("https://example.com/org", event.organization.display_name + "/" + event.organization.metadata.tier);
  }
};"#,
    )
    .await;
    bind(&srv, "post-login", &[&action]).await;

    let scope = "openid read:orders approve:orders";
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("organization", &o), ("audience", API), ("scope", scope)],
        ))
        .await;
    let t = login_and_exchange(&srv, &mut b, &app, &to, "ada@example.com").await;
    let at = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert_eq!(at["org_id"], json!(o));
    assert_eq!(at["permissions"], json!(["approve:orders"]), "{at}");
    assert_eq!(at["scope"], "openid approve:orders", "{at}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert_eq!(id["https://example.com/org"], "Acme/gold", "{id}");

    // Outside the organization: the tenant role, and no organization claim.
    let to = b
        .authorize(&code_params(&app, &[("audience", API), ("scope", scope)]))
        .await;
    let (_, t) = exchange(&srv, &app, &to.redirect_params()["code"]).await;
    let at = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert_eq!(at["permissions"], json!(["read:orders"]), "{at}");
    let id = verify_with_jwks(&srv, t["id_token"].as_str().unwrap(), &app).await;
    assert!(id.get("https://example.com/org").is_none(), "{id}");
}

async fn client_credentials_for_an_organization_follow_the_client_grant(srv: TestServer) {
    let (st, b) = srv
        .api(
            Method::POST,
            "/resource-servers",
            Some(
                json!({"identifier": API, "name": "Orders", "scopes": [{"value": "read:orders"}]}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let o = org(&srv, json!({"name": "acme"})).await;
    let (m2m, secret) = srv.new_m2m("worker").await;
    let (st, g) = srv
        .api(
            Method::POST,
            "/client-grants",
            Some(json!({"client_id": m2m, "audience": API, "scope": ["read:orders"]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_str().unwrap().to_string();
    let ask = |org: Option<&str>| {
        let (m2m, secret, srv) = (m2m.clone(), secret.clone(), &srv);
        let org = org.map(str::to_string);
        async move {
            let mut form = vec![
                ("grant_type", "client_credentials".to_string()),
                ("client_id", m2m),
                ("client_secret", secret),
                ("audience", API.to_string()),
            ];
            if let Some(o) = org {
                form.push(("organization", o));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (st, t, _) = srv.token_form(&form).await;
            (st, t)
        }
    };
    // Auth0's default (`deny`): the parameter is refused.
    let (st, e) = ask(Some(&o)).await;
    assert_eq!(
        (st, &e["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_request")),
        "{e}"
    );
    let (st, t) = ask(None).await;
    assert_eq!(st, StatusCode::OK);
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert!(c.get("org_id").is_none());

    let (st, p) = srv
        .api(
            Method::PATCH,
            &format!("/client-grants/{gid}"),
            Some(json!({"organization_usage": "require", "allow_any_organization": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        (&p["organization_usage"], &p["allow_any_organization"]),
        (&json!("require"), &json!(true))
    );
    let (st, _) = ask(None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "required");
    let (st, e) = ask(Some("org_doesnotexist0000")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        e["error_description"],
        "parameter organization is invalid: org_doesnotexist0000"
    );
    let (st, t) = ask(Some(&o)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let c = verify_with_jwks(&srv, t["access_token"].as_str().unwrap(), API).await;
    assert_eq!(c["org_id"], json!(o), "{c}");
    let (_, listed) = srv
        .api(
            Method::GET,
            "/client-grants?allow_any_organization=true",
            None,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // Without `allow_any_organization`, only organizations the grant is
    // associated with.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/client-grants/{gid}"),
            Some(json!({"organization_usage": "allow", "allow_any_organization": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = ask(Some(&o)).await;
    assert_eq!(
        (st, &e["error"]),
        (StatusCode::FORBIDDEN, &json!("access_denied")),
        "{e}"
    );
    let path = format!("/organizations/{o}/client-grants");
    let (st, a) = srv
        .api(Method::POST, &path, Some(json!({"grant_id": gid})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(
        a,
        json!({"id": gid, "client_id": m2m, "audience": API, "scope": ["read:orders"],
               "organization_usage": "allow", "allow_any_organization": false})
    );
    let (_, list) = srv
        .api(
            Method::GET,
            &format!("{path}?audience={}", urlenc(API)),
            None,
        )
        .await;
    assert_eq!(list, json!([a]));
    let (st, t) = ask(Some(&o)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (st, _) = ask(None).await;
    assert_eq!(st, StatusCode::OK, "allow: the parameter is optional");
    // Auth0's `q` finds the clients by their grants' organizations.
    for (q, want) in [
        (
            format!("client_grant.organization_id:{o}"),
            vec![m2m.clone()],
        ),
        (
            "client_grant.allow_any_organization:true".to_string(),
            vec![],
        ),
        (
            format!(
                "client_grant.organization_id:{o} AND client_grant.allow_any_organization:false"
            ),
            vec![m2m.clone()],
        ),
    ] {
        let (st, found) = srv
            .api(Method::GET, &format!("/clients?q={}", urlenc(&q)), None)
            .await;
        assert_eq!(st, StatusCode::OK, "{found}");
        let ids: Vec<String> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["client_id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, want, "{q}");
    }
    let (st, _) = srv
        .api(Method::DELETE, &format!("{path}/{gid}"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = ask(Some(&o)).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "no longer associated");
    // A grant that denies organizations cannot be associated.
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/client-grants/{gid}"),
            Some(json!({"organization_usage": "deny"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = srv
        .api(Method::POST, &path, Some(json!({"grant_id": gid})))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
    let (st, _) = srv
        .api(Method::POST, &path, Some(json!({"grant_id": "cgr_nope"})))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn the_login_page_shows_the_organizations_look_and_only_its_connections(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let db = srv.connection_id(DB).await;
    let o = org(
        &srv,
        json!({"name": "acme", "display_name": "Acme & Co",
               "branding": {"logo_url": "https://acme.example/logo.png",
                            "colors": {"primary": "#ffd400", "page_background": "#102030"}},
               "enabled_connections": [{"connection_id": db}]}),
    )
    .await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("organization", &o)]))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        // minijinja writes `/` in attributes as `&#x2f;` (a browser reads it back).
        page.body
            .contains("src=\"https:&#x2f;&#x2f;acme.example&#x2f;logo.png\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Acme &amp; Co"),
        "escaped: {}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("/u/organization/{o}/branding.css")),
        "{}",
        page.body
    );
    let css = b.get(&format!("/u/organization/{o}/branding.css")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css"),
        "{:?}",
        css.headers
    );
    // Labels keep their contrast: dark text on the yellow button, light text
    // on the dark page.
    assert!(
        css.body.contains("background:#ffd400;color:#000000"),
        "{}",
        css.body
    );
    assert!(
        css.body
            .contains("body{background:#102030}.foot{color:#ffffff}"),
        "{}",
        css.body
    );
    // The page CSP is unchanged: styles only from us.
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'self'"), "{csp}");

    // An organization with no connection for this application offers none.
    let bare = org(&srv, json!({"name": "bare"})).await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("organization", &bare)]))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("No way to sign in"), "{}", page.body);
    let to = b
        .authorize(&code_params(
            &app,
            &[("organization", &bare), ("connection", DB)],
        ))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("not enabled for the organization"),
        "{}",
        page.body
    );

    // Sign-up into an organization only where its connection allows it.
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("organization", &o), ("screen_hint", "signup")],
        ))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let (st, _) = srv
        .api(
            Method::PATCH,
            &format!("/organizations/{o}/enabled_connections/{db}"),
            Some(json!({"assign_membership_on_login": true, "is_signup_enabled": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let to = b
        .authorize(&code_params(
            &app,
            &[("organization", &o), ("screen_hint", "signup")],
        ))
        .await;
    let page = b.get(to.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

async fn an_expired_invitation_is_refused_and_makes_no_member(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "acme", false).await;
    user(&srv, "ada@example.com").await;
    let (st, inv) = invite(
        &srv,
        &o,
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "ada@example.com"},
               "client_id": app, "send_invitation_email": false}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");
    let ticket = inv["ticket_id"].as_str().unwrap().to_string();
    // Its time runs out while the person is signing in.
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("invitation", &ticket), ("organization", &o)],
        ))
        .await;
    assert!(
        to.location
            .as_deref()
            .unwrap()
            .starts_with("/u/login?state=")
    );
    crate::support::with_server_db!(srv, |c| {
        sqlx::query("UPDATE organization_invitations SET expires_at = 1")
            .execute(&mut *c)
            .await
            .unwrap();
    });
    let done = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert_eq!(
        error_of(&done),
        (
            "invalid_request".into(),
            "invitation not found or already used".into()
        )
    );
    assert!(members(&srv, &o).await.is_empty(), "no membership made");
    // And a new request with it is refused at once.
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(
            &app,
            &[("invitation", &ticket), ("organization", &o)],
        ))
        .await;
    assert_eq!(
        error_of(&to).1,
        "invitation not found or already used",
        "{:?}",
        to.location
    );
}

async fn the_tenants_user_invitation_template_carries_the_link_escaped(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "acme", false).await;
    let (_, role) = srv
        .api(Method::POST, "/roles", Some(json!({"name": "Buyer"})))
        .await;
    let (st, t) = srv
        .api(
            Method::POST,
            "/email-templates",
            Some(json!({"template": "user_invitation", "from": "Acme <hello@acme.example>",
                        "subject": "{{ inviter.name }} invites you to {{ organization.display_name }}",
                        "body": "<p>Join {{ organization.name }} as {% for r in roles %}{{ r.name }}{% endfor %}: <a href=\"{{ url }}\">accept</a> ({{ user.email }})</p>",
                        "syntax": "liquid", "enabled": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let (st, inv) = invite(
        &srv,
        &o,
        json!({"inviter": {"name": "Ann <b>"}, "invitee": {"email": "new@example.com"},
               "client_id": app, "roles": [role["id"]]}),
    )
    .await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "markup in the inviter's name is refused: {inv}"
    );
    let (st, inv) = invite(
        &srv,
        &o,
        json!({"inviter": {"name": "Ann & Co"}, "invitee": {"email": "new@example.com"},
               "client_id": app, "roles": [role["id"]]}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{inv}");
    let mail = outbox_with(&srv, 1).await.remove(0);
    assert!(
        mail.contains("Subject: Ann & Co invites you to acme Inc."),
        "{mail}"
    );
    assert!(mail.contains("From: Acme <hello@acme.example>"), "{mail}");
    assert!(mail.contains("Join acme as Buyer"), "{mail}");
    assert!(mail.contains("(new@example.com)"), "{mail}");
    let url = inv["invitation_url"]
        .as_str()
        .unwrap()
        .replace('&', "&amp;");
    assert!(
        mail.contains(&format!("href=\"{url}\"")),
        "the link, escaped: {mail}"
    );
}

async fn a_login_an_action_denies_makes_no_member(srv: TestServer) {
    let app = org_app(&srv, "allow", "no_prompt").await;
    let o = org_with_db(&srv, "open", true).await;
    user(&srv, "ada@example.com").await;
    let action = deployed_action(
        &srv,
        "no-entry",
        "post-login",
        r#"exports.onExecutePostLogin = async (event, api) => {
  if (event.organization && event.organization.name === "open") api.access.deny("closed today");
};"#,
    )
    .await;
    bind(&srv, "post-login", &[&action]).await;
    let mut b = Browser::new(&srv);
    let to = b
        .authorize(&code_params(&app, &[("organization", &o)]))
        .await;
    let done = b.submit_login(&to, "ada@example.com", PASSWORD).await;
    assert_eq!(
        error_of(&done),
        ("access_denied".into(), "closed today".into())
    );
    assert!(
        members(&srv, &o).await.is_empty(),
        "membership on login waits for the scripts"
    );
}
