//! The one sign-up of a database connection, behind both the hosted signup
//! page and Auth0's `POST /dbconnections/signup`: validate, hash the password
//! with argon2id, store, and write Auth0's `ss` / `fs` audit events.

use portcullis_core::clients::Client;
use portcullis_core::secrets::Secret;
use portcullis_core::users::{DatabaseConnection, User, UserCreate, UserRefusal};
use portcullis_store::StoreError;

use crate::app::AppState;
use crate::audit::{Code, Event};

/// What a sign-up came to. Each refusal has been audited (`fs`).
pub enum SignUp {
    /// Stored; `ss` audited.
    Created(Box<User>),
    /// The request does not make a valid user (a validation message, as the
    /// Management API words it, or the connection's password policy).
    Invalid(UserRefusal),
    /// A user with this e-mail address (or username) exists already.
    Exists,
    /// The connection takes no sign-ups (`disable_signup`).
    Disabled,
}

/// The validation message without the Management API's prefix, as people read it.
fn plain(message: &str) -> &str {
    message
        .strip_prefix("Payload validation error: ")
        .unwrap_or(message)
}

/// Signs up `create` in `db` for `client`, from `ip`.
pub async fn sign_up(
    app: &AppState,
    client: &Client,
    db: &DatabaseConnection,
    create: UserCreate,
    ip: &str,
) -> Result<SignUp, StoreError> {
    let email = create.email.clone().unwrap_or_default();
    if db.options.disable_signup {
        refused(
            app,
            client,
            &db.name,
            &email,
            ip,
            "Signups are disabled for this connection",
        )
        .await;
        return Ok(SignUp::Disabled);
    }
    let now = app.now();
    let (user, password) =
        match create.into_user(db, portcullis_core::random::hex(12), app.issuer(), now) {
            Ok(x) => x,
            Err(e) => {
                refused(app, client, &db.name, &email, ip, plain(&e.message())).await;
                return Ok(SignUp::Invalid(e));
            }
        };
    let hash = app.hash_password(Secret::new(password)).await;
    match app.store.insert_user(&user, Some(&hash), now).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            refused(
                app,
                client,
                &db.name,
                &email,
                ip,
                "The user already exists.",
            )
            .await;
            return Ok(SignUp::Exists);
        }
        Err(e) => return Err(e),
    }
    app.audit(
        Event::new(Code::Ss, "Successful signup")
            .client(client)
            .user(&user)
            .ip(ip),
    )
    .await;
    after_sign_up(app, &user, &client.client_id);
    Ok(SignUp::Created(Box::new(user)))
}

/// The mails a sign-up earns when the tenant asks for them by enabling the
/// template (Auth0's `verify_email` and `welcome_email`): sent off the
/// request path, so the answer does not wait for the mail relay.
pub(crate) fn after_sign_up(app: &AppState, user: &portcullis_core::users::User, client_id: &str) {
    let (app, user, client_id) = (app.clone(), user.clone(), client_id.to_string());
    tokio::spawn(async move {
        use portcullis_core::email_templates::TemplateName;
        if let Some(t) = crate::http::tenant_mail::enabled(&app, TemplateName::VerifyEmail).await {
            let ttl = match t.url_lifetime_in_seconds {
                0 => portcullis_core::tickets::DEFAULT_TTL,
                n => n,
            };
            let made = crate::http::email_verification::create(
                &app,
                &crate::http::email_verification::VerificationFor {
                    user: &user,
                    client_id: Some(&client_id),
                    result_url: t.result_url.as_deref(),
                    ttl,
                },
            )
            .await;
            match made {
                Ok(link) => {
                    crate::http::email_verification::mail(
                        &app,
                        &user,
                        Some(&client_id),
                        &link,
                        ttl,
                    )
                    .await;
                }
                Err(e) => tracing::error!(error = %e, "could not make the verification link"),
            }
        }
        if let Some(r) = crate::http::tenant_mail::rendered(
            &app,
            TemplateName::WelcomeEmail,
            &user,
            None,
            Some(&client_id),
        )
        .await
        {
            let msg = crate::mailer::Message {
                to: &user.email,
                subject: &r.subject,
                body: &r.text,
                html: Some(&r.html),
                from: Some(&r.from),
            };
            if let Err(e) = app.send_mail(msg).await {
                tracing::error!(error = %e, "could not send the welcome e-mail");
            }
        }
    });
}

/// Auth0's `fs`: a refused sign-up, with the address it was for.
async fn refused(
    app: &AppState,
    client: &Client,
    connection: &str,
    email: &str,
    ip: &str,
    reason: &str,
) {
    app.audit(Event {
        user_name: Some(email),
        connection: Some(connection),
        ..Event::new(Code::Fs, reason).client(client).ip(ip)
    })
    .await;
}
