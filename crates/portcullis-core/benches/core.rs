//! In-process hot paths of the protocol core: `cargo bench -p portcullis-core`.
//! A plain timing loop (no benchmark framework): each piece runs for about one
//! second after a short warm-up, and the mean time per call is printed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use portcullis_core::client_grants::ClientGrant;
use portcullis_core::clients::ClientPayload;
use portcullis_core::keys::{Alg, KeyEncryptionKey, KeyState, SigningKey, generate};
use portcullis_core::protocol::client_auth::{self, AuthMethodUsed, ClientCredentials};
use portcullis_core::protocol::params::Params;
use portcullis_core::protocol::{authorize, client_credentials};
use portcullis_core::resource_servers::ResourceServerPayload;
use portcullis_core::secrets::{Secret, hash_secret};
use portcullis_core::tokens::UserAccessToken;
use serde_json::json;

fn time<R>(name: &str, mut f: impl FnMut() -> R) {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        black_box(f());
    }
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(1) {
        black_box(f());
        n += 1;
    }
    let per = start.elapsed().as_secs_f64() / n as f64;
    println!(
        "{name:<48} {:>10.2} µs/op {:>12.0} ops/s (one core)",
        per * 1e6,
        1.0 / per
    );
}

fn main() {
    let kek = KeyEncryptionKey::from_bytes(&[7u8; 32]).unwrap();
    let client = serde_json::from_value::<ClientPayload>(json!({
        "name": "m2m", "app_type": "non_interactive",
    }))
    .unwrap()
    .into_new_client("bench-client".into(), "default")
    .unwrap();
    let spa = serde_json::from_value::<ClientPayload>(json!({
        "name": "spa", "app_type": "spa", "callbacks": ["https://app.example/cb"],
    }))
    .unwrap()
    .into_new_client("bench-spa".into(), "default")
    .unwrap();
    let api = serde_json::from_value::<ResourceServerPayload>(json!({
        "identifier": "https://api.example.com", "scopes": [{"value": "read:messages"}, {"value": "write:messages"}],
    }))
    .unwrap()
    .into_new("rs_1".into())
    .unwrap();
    let grant = ClientGrant {
        id: "cgr_1".into(),
        client_id: "bench-client".into(),
        audience: "https://api.example.com".into(),
        scope: vec!["read:messages".into()],
        allow_all_scopes: false,
        organization_usage: None,
        allow_any_organization: false,
    };
    let secret = "a-client-secret-of-the-usual-length-0123456789abcdef";
    let stored_hash = hash_secret(secret);
    let scope: Vec<String> = vec!["openid".into(), "profile".into(), "read:messages".into()];

    let claims = json!({"iss": "https://id.example.com/", "sub": "auth0|1", "aud": "https://api.example.com", "iat": 1, "exp": 2, "scope": "read:messages"});
    for alg in Alg::ALL {
        let g = generate(alg, &kek, "bench", 2026).unwrap();
        let k = SigningKey::open_alg(
            &kek,
            &g.kid,
            alg,
            KeyState::Current,
            &g.sealed_private_key,
            &g.certificate_der,
        )
        .unwrap();
        time(
            &format!("{} sign (pre-parsed key, compact JWS)", alg.as_str()),
            || portcullis_core::jose::sign(&k, &claims),
        );
        let token = portcullis_core::jose::sign(&k, &claims);
        time(&format!("{} verify", alg.as_str()), || {
            portcullis_core::jose::verify::<serde_json::Value>(&token, |_| Some(&k)).is_ok()
        });
    }
    time("client_credentials::decide (claims)", || {
        client_credentials::decide(client_credentials::Input {
            issuer: "https://id.example.com/",
            client: &client,
            audience: "https://api.example.com",
            api: Some(&api),
            grant: Some(&grant),
            requested_scope: None,
            now: 1_800_000_000,
            organization: None,
            associated: false,
        })
    });
    time("UserAccessToken::claims", || {
        UserAccessToken {
            issuer: "https://id.example.com/",
            user_id: "auth0|1",
            client_id: "bench-spa",
            api: Some(&api),
            scope: &scope,
            permissions: &[],
            now: 1_800_000_000,
            browser_flow: false,
            jti: "j".into(),
        }
        .claims()
    });
    time("client authentication (SHA-256 + constant time)", || {
        let creds = ClientCredentials {
            client_id: "bench-client".into(),
            secret: Some(Secret::new(secret)),
            method: AuthMethodUsed::Post,
        };
        client_auth::authenticate(&creds, Some((client.clone(), Some(stored_hash.clone()))))
    });
    let pairs: Vec<(String, String)> = [
        ("client_id", "bench-spa"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid profile email"),
        ("state", "s"),
        ("nonce", "n"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    time("authorize request validation", || {
        let params = Params::from_pairs(pairs.clone()).unwrap();
        authorize::validate(&params, Some(&spa)).is_ok()
    });
}
