//! Whether an authorization request can be answered now, needs the login page, or
//! fails (OpenID Connect Core §3.1.2.1 `prompt` and `max_age`, §3.1.2.6 errors).

use super::authorize::{AuthorizeErrorCode, AuthorizeRequest, ErrorRedirect};
use crate::UnixTime;

/// The browser's signed-in session, if any.
#[derive(Debug, Clone, Copy)]
pub struct SessionState {
    pub auth_time: UnixTime,
    pub user_blocked: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Issue the response for the session's user.
    Proceed,
    /// Show the login page (a fresh authentication is needed).
    Login,
    /// Show the consent page.
    Consent,
    Fail(ErrorRedirect),
}

/// `needs_consent`: the client is third-party and the user has not consented to
/// the requested scopes yet (or `prompt=consent`).
pub fn decide(
    req: &AuthorizeRequest,
    session: Option<SessionState>,
    needs_consent: bool,
    now: UnixTime,
) -> Decision {
    let fresh_enough = |s: &SessionState| req.max_age.is_none_or(|max| now - s.auth_time <= max);
    match session {
        Some(s) if s.user_blocked => Decision::Fail(ErrorRedirect::to(
            req,
            AuthorizeErrorCode::AccessDenied,
            "user is blocked",
        )),
        Some(s) if !req.prompt.login && fresh_enough(&s) => {
            if needs_consent || req.prompt.consent {
                if req.prompt.none {
                    Decision::Fail(ErrorRedirect::to(
                        req,
                        AuthorizeErrorCode::ConsentRequired,
                        "Consent required",
                    ))
                } else {
                    Decision::Consent
                }
            } else {
                Decision::Proceed
            }
        }
        _ if req.prompt.none => Decision::Fail(ErrorRedirect::to(
            req,
            AuthorizeErrorCode::LoginRequired,
            "Login required",
        )),
        _ => Decision::Login,
    }
}
