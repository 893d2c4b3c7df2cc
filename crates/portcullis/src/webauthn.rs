//! The WebAuthn relying party (W3C Web Authentication Level 2, through
//! webauthn-rs) for the MFA pages: security keys (`webauthn-roaming`) and
//! the device's own authenticator (`webauthn-platform`, user verification
//! required).
//!
//! Invariants: the RP ID is the issuer's host and the issuer's origin the
//! only origin accepted (§7.1 step 9, §7.2 step 13: an assertion made for
//! another site is refused); attestation is `none` (§5.4.7); a ceremony's
//! state lives only server-side and is answered once; an assertion is
//! checked against the credentials of the user it was started for; a sign
//! count that does not grow is refused as a possible clone (§6.1.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use webauthn_rs::prelude::{
    AuthenticatorAttachment, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, SecurityKey,
    SecurityKeyAuthentication, SecurityKeyRegistration, Url, Uuid, Webauthn, WebauthnBuilder,
};

use portcullis_core::mfa::{Kind, UserVerification};

/// Why a ceremony could not start or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebauthnFailure {
    /// The issuer's host is not a domain (an IP address): browsers refuse
    /// WebAuthn there.
    Unavailable,
    /// The browser's answer did not verify (wrong origin, another user's
    /// credential, a bad signature, a sign count that went back).
    Refused(String),
    /// What was stored could not be read back.
    Corrupt,
}

/// A ceremony's state between the page and its answer.
#[derive(Serialize, Deserialize)]
enum Ceremony {
    RegisterKey(SecurityKeyRegistration),
    RegisterPasskey(PasskeyRegistration),
    CheckKey(SecurityKeyAuthentication),
    CheckPasskey(PasskeyAuthentication),
    /// A passkey sign-in: no user named until the browser answers.
    SignIn(DiscoverableAuthentication),
}

/// A stored credential.
#[derive(Serialize, Deserialize)]
enum Credential {
    Key(SecurityKey),
    Passkey(Passkey),
}

/// The relying party of this issuer.
pub struct RelyingParty {
    inner: Option<Webauthn>,
    uv: UserVerification,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("available", &self.inner.is_some())
            .finish()
    }
}

/// A user's WebAuthn handle: fixed per user id, revealing nothing of it
/// (the first 16 bytes of its SHA-256).
fn user_handle(user_id: &str) -> Uuid {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user_id.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_ref()[..16]);
    Uuid::from_bytes(b)
}

fn b64u(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn refused(e: impl std::fmt::Display) -> WebauthnFailure {
    WebauthnFailure::Refused(e.to_string())
}

impl RelyingParty {
    /// The relying party for `issuer` (named `name` to the person), asking
    /// security keys for `uv`.
    pub fn new(issuer: &str, name: &str, uv: UserVerification) -> Self {
        let inner = Url::parse(issuer).ok().and_then(|url| {
            let host = url.domain()?.to_string();
            let origin = Url::parse(&url.origin().ascii_serialization()).ok()?;
            WebauthnBuilder::new(&host, &origin)
                .ok()?
                .rp_name(name)
                .danger_set_user_presence_only_security_keys(uv == UserVerification::Discouraged)
                .build()
                .ok()
        });
        Self { inner, uv }
    }

    /// Whether WebAuthn can be offered (the issuer is on a domain name).
    pub fn available(&self) -> bool {
        self.inner.is_some()
    }

    fn rp(&self) -> Result<&Webauthn, WebauthnFailure> {
        self.inner.as_ref().ok_or(WebauthnFailure::Unavailable)
    }

    /// Starts registering a `kind` authenticator for the user: the options
    /// for `navigator.credentials.create` and the state to keep.
    pub fn start_registration(
        &self,
        kind: Kind,
        user_id: &str,
        email: &str,
    ) -> Result<(Value, String), WebauthnFailure> {
        let rp = self.rp()?;
        let handle = user_handle(user_id);
        // A device authenticator, or a security key that must verify the
        // person: webauthn-rs's passkey ceremony (user verification
        // required); otherwise its security-key one.
        let verified = kind == Kind::WebauthnPlatform || self.uv == UserVerification::Required;
        let (mut creation, state) = if verified {
            let (o, s) = rp
                .start_passkey_registration(handle, email, email, None)
                .map_err(refused)?;
            (o, Ceremony::RegisterPasskey(s))
        } else {
            let (o, s) = rp
                .start_securitykey_registration(
                    handle,
                    email,
                    email,
                    None,
                    None,
                    Some(AuthenticatorAttachment::CrossPlatform),
                )
                .map_err(refused)?;
            (o, Ceremony::RegisterKey(s))
        };
        if let Some(sel) = creation.public_key.authenticator_selection.as_mut() {
            // A hint to the browser: this device's own authenticator, or a
            // security key.
            sel.authenticator_attachment = Some(match kind {
                Kind::WebauthnPlatform => AuthenticatorAttachment::Platform,
                _ => AuthenticatorAttachment::CrossPlatform,
            });
        }
        let options = browser_options(&creation)?;
        let state = serde_json::to_string(&state).map_err(|_| WebauthnFailure::Corrupt)?;
        Ok((options, state))
    }

    /// Finishes a registration with the browser's `answer`: the credential
    /// to store and its id (base64url).
    pub fn finish_registration(
        &self,
        state: &str,
        answer: &str,
    ) -> Result<(String, String), WebauthnFailure> {
        let rp = self.rp()?;
        let answer: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        let credential = match serde_json::from_str(state).map_err(|_| WebauthnFailure::Corrupt)? {
            Ceremony::RegisterKey(s) => Credential::Key(
                rp.finish_securitykey_registration(&answer, &s)
                    .map_err(refused)?,
            ),
            Ceremony::RegisterPasskey(s) => Credential::Passkey(
                rp.finish_passkey_registration(&answer, &s)
                    .map_err(refused)?,
            ),
            _ => return Err(WebauthnFailure::Refused("not a registration".into())),
        };
        let id = match &credential {
            Credential::Key(k) => b64u(k.cred_id()),
            Credential::Passkey(p) => b64u(p.cred_id()),
        };
        let stored = serde_json::to_string(&credential).map_err(|_| WebauthnFailure::Corrupt)?;
        Ok((stored, id))
    }

    /// Starts an assertion with the stored `credential`: the options for
    /// `navigator.credentials.get` and the state to keep.
    pub fn start_authentication(
        &self,
        credential: &str,
    ) -> Result<(Value, String), WebauthnFailure> {
        let rp = self.rp()?;
        let (options, state) =
            match serde_json::from_str(credential).map_err(|_| WebauthnFailure::Corrupt)? {
                Credential::Key(k) => {
                    let (o, s) = rp.start_securitykey_authentication(&[k]).map_err(refused)?;
                    (o, Ceremony::CheckKey(s))
                }
                Credential::Passkey(p) => {
                    let (o, s) = rp.start_passkey_authentication(&[p]).map_err(refused)?;
                    (o, Ceremony::CheckPasskey(s))
                }
            };
        let options = serde_json::to_value(&options).map_err(|_| WebauthnFailure::Corrupt)?;
        let state = serde_json::to_string(&state).map_err(|_| WebauthnFailure::Corrupt)?;
        Ok((options, state))
    }

    /// Checks the browser's `answer` against the state and the stored
    /// `credential`: the credential with its new sign count, to store.
    pub fn finish_authentication(
        &self,
        state: &str,
        credential: &str,
        answer: &str,
    ) -> Result<String, WebauthnFailure> {
        let rp = self.rp()?;
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        let mut stored: Credential =
            serde_json::from_str(credential).map_err(|_| WebauthnFailure::Corrupt)?;
        let ceremony: Ceremony =
            serde_json::from_str(state).map_err(|_| WebauthnFailure::Corrupt)?;
        match (&mut stored, ceremony) {
            (Credential::Key(k), Ceremony::CheckKey(s)) => {
                let result = rp
                    .finish_securitykey_authentication(&answer, &s)
                    .map_err(refused)?;
                k.update_credential(&result);
            }
            (Credential::Passkey(p), Ceremony::CheckPasskey(s)) => {
                let result = rp
                    .finish_passkey_authentication(&answer, &s)
                    .map_err(refused)?;
                p.update_credential(&result);
            }
            _ => {
                return Err(WebauthnFailure::Refused(
                    "not this credential's assertion".into(),
                ));
            }
        }
        serde_json::to_string(&stored).map_err(|_| WebauthnFailure::Corrupt)
    }
}

/// The options as the browser takes them. Chromium refuses webauthn-rs's
/// `credProtect` request (CTAP 2.1 §12.1) unless a resident key is required
/// ("Requested protection policy is inconsistent"), and the policy is only a
/// request to the authenticator: user verification is checked here anyway.
fn browser_options(options: &impl Serialize) -> Result<Value, WebauthnFailure> {
    let mut v = serde_json::to_value(options).map_err(|_| WebauthnFailure::Corrupt)?;
    if let Some(ext) = v["publicKey"]["extensions"].as_object_mut() {
        ext.remove("credProtect");
        ext.remove("credentialProtectionPolicy");
        ext.remove("enforceCredentialProtectionPolicy");
    }
    Ok(v)
}

impl RelyingParty {
    /// Starts registering a passkey for the user: a discoverable credential
    /// (W3C Web Authentication §6.2.2: the authenticator keeps the user
    /// handle, so signing in needs no name), user verification required.
    pub fn start_passkey(
        &self,
        user_id: &str,
        email: &str,
    ) -> Result<(Value, String), WebauthnFailure> {
        let rp = self.rp()?;
        let (creation, state) = rp
            .start_passkey_registration(user_handle(user_id), email, email, None)
            .map_err(refused)?;
        let mut options = browser_options(&creation)?;
        options["publicKey"]["authenticatorSelection"]["residentKey"] = "required".into();
        options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = true.into();
        let state = serde_json::to_string(&Ceremony::RegisterPasskey(state))
            .map_err(|_| WebauthnFailure::Corrupt)?;
        Ok((options, state))
    }

    /// Starts a passkey sign-in (no user named; the browser may offer the
    /// passkeys it has in the username field's autofill).
    pub fn start_sign_in(&self) -> Result<(Value, String), WebauthnFailure> {
        let rp = self.rp()?;
        let (request, state) = rp.start_discoverable_authentication().map_err(refused)?;
        let options = browser_options(&request)?;
        let state = serde_json::to_string(&Ceremony::SignIn(state))
            .map_err(|_| WebauthnFailure::Corrupt)?;
        Ok((options, state))
    }

    /// The credential id (base64url) a passkey answer names, for finding
    /// its owner.
    pub fn credential_of(&self, answer: &str) -> Result<String, WebauthnFailure> {
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        Ok(b64u(answer.get_credential_id()))
    }

    /// Checks a passkey sign-in's `answer` against the stored `credential`
    /// of `user_id`: the credential with its new sign count.
    pub fn finish_sign_in(
        &self,
        state: &str,
        user_id: &str,
        credential: &str,
        answer: &str,
    ) -> Result<String, WebauthnFailure> {
        let rp = self.rp()?;
        let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
        let Ceremony::SignIn(state) =
            serde_json::from_str(state).map_err(|_| WebauthnFailure::Corrupt)?
        else {
            return Err(WebauthnFailure::Refused("not a sign-in".into()));
        };
        // The authenticator's user handle must be the owner's (§7.2 step 6).
        let (handle, _) = rp
            .identify_discoverable_authentication(&answer)
            .map_err(refused)?;
        if handle != user_handle(user_id) {
            return Err(WebauthnFailure::Refused("another user's handle".into()));
        }
        let Credential::Passkey(mut passkey) =
            serde_json::from_str(credential).map_err(|_| WebauthnFailure::Corrupt)?
        else {
            return Err(WebauthnFailure::Refused("not a passkey".into()));
        };
        let result = rp
            .finish_discoverable_authentication_v2(&answer, state, &passkey)
            .map_err(refused)?;
        passkey.update_credential(&result);
        serde_json::to_string(&Credential::Passkey(passkey)).map_err(|_| WebauthnFailure::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_address_issuer_has_no_relying_party_and_a_domain_has_one() {
        let ip = RelyingParty::new("http://127.0.0.1:3000/", "t", Default::default());
        assert_eq!(
            ip.start_registration(Kind::WebauthnRoaming, "auth0|1", "a@example.com")
                .err(),
            Some(WebauthnFailure::Unavailable)
        );
        let rp = RelyingParty::new("https://login.example.com/", "Example", Default::default());
        let (options, state) = rp
            .start_registration(Kind::WebauthnPlatform, "auth0|1", "a@example.com")
            .unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "login.example.com");
        assert_eq!(options["publicKey"]["attestation"], "none");
        assert_eq!(
            options["publicKey"]["authenticatorSelection"]["userVerification"],
            "required"
        );
        assert!(!state.is_empty());
        // The same user always has the same handle; another user another.
        assert_eq!(user_handle("auth0|1"), user_handle("auth0|1"));
        assert_ne!(user_handle("auth0|1"), user_handle("auth0|2"));
    }

    #[test]
    fn security_keys_are_asked_for_the_configured_user_verification() {
        let asked = |uv| {
            let rp = RelyingParty::new("https://login.example.com/", "Example", uv);
            let (o, _) = rp
                .start_registration(Kind::WebauthnRoaming, "auth0|1", "a@example.com")
                .unwrap();
            let sel = &o["publicKey"]["authenticatorSelection"];
            (
                sel["userVerification"].as_str().unwrap().to_string(),
                sel["authenticatorAttachment"].as_str().unwrap().to_string(),
            )
        };
        let cross = "cross-platform".to_string();
        assert_eq!(
            asked(UserVerification::Discouraged),
            ("discouraged".into(), cross.clone())
        );
        assert_eq!(
            asked(UserVerification::Preferred),
            ("preferred".into(), cross.clone())
        );
        assert_eq!(
            asked(UserVerification::Required),
            ("required".into(), cross)
        );
    }

    #[test]
    fn a_forged_answer_is_refused() {
        let rp = RelyingParty::new("https://login.example.com/", "Example", Default::default());
        let (_, state) = rp
            .start_registration(Kind::WebauthnRoaming, "auth0|1", "a@example.com")
            .unwrap();
        let forged = r#"{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"},"extensions":{}}"#;
        assert!(matches!(
            rp.finish_registration(&state, forged),
            Err(WebauthnFailure::Refused(_))
        ));
    }
}
