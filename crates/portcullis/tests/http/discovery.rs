//! Discovery, JWKS and health endpoints.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::on_both_backends;

on_both_backends!(
    discovery_document_names_issuer_and_endpoints,
    jwks_publishes_current_and_next_keys_with_certificates,
    health_and_readiness_answer_ok,
    unknown_route_and_method_answer_json_errors
);

/// OpenID Connect Discovery 1.0 §3–4: `issuer` equals the URL the document was
/// fetched from, and the fields list what the server supports.
async fn discovery_document_names_issuer_and_endpoints(srv: crate::support::TestServer) {
    let res = srv
        .http
        .get(format!("{}/.well-known/openid-configuration", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let d: Value = res.json().await.unwrap();
    assert_eq!(d["issuer"], format!("{}/", srv.url));
    assert_eq!(d["token_endpoint"], format!("{}/oauth/token", srv.url));
    assert_eq!(d["jwks_uri"], format!("{}/.well-known/jwks.json", srv.url));
    assert_eq!(
        d["authorization_endpoint"],
        format!("{}/authorize", srv.url)
    );
    assert_eq!(d["userinfo_endpoint"], format!("{}/userinfo", srv.url));
    assert_eq!(
        d["end_session_endpoint"],
        format!("{}/oidc/logout", srv.url)
    );
    assert!(
        d["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&"authorization_code".into())
    );
    // Back-Channel Logout 1.0 §2.1, with `sid` in the logout token.
    assert_eq!(d["backchannel_logout_supported"], true);
    assert_eq!(d["backchannel_logout_session_supported"], true);
    // RFC 9449 §5.1 (docs/dpop.md): ES256 is what Auth0's SDKs sign with.
    let dpop_algs = d["dpop_signing_alg_values_supported"].as_array().unwrap();
    assert!(dpop_algs.iter().any(|a| a == "ES256"), "{d}");
    assert!(
        !dpop_algs.iter().any(|a| a == "none" || a == "HS256"),
        "{d}"
    );
    // private_key_jwt (RFC 7523) with Auth0's algorithms.
    assert!(
        d["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"private_key_jwt".into())
    );
    assert_eq!(
        d["token_endpoint_auth_signing_alg_values_supported"],
        serde_json::json!(["RS256", "RS384", "PS256"])
    );
    // RFC 7591: listed as Auth0 lists it (the tenant flag turns it on).
    assert_eq!(
        d["registration_endpoint"],
        format!("{}/oidc/register", srv.url)
    );
    // RFC 9126 §5: pushed requests, offered and not required of everyone.
    assert_eq!(
        d["pushed_authorization_request_endpoint"],
        format!("{}/oauth/par", srv.url)
    );
    assert_eq!(d["require_pushed_authorization_requests"], false);
    // RFC 8628 §4: the device flow's endpoint and grant.
    assert_eq!(
        d["device_authorization_endpoint"],
        format!("{}/oauth/device/code", srv.url)
    );
    assert!(
        d["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&"urn:ietf:params:oauth:grant-type:device_code".into())
    );
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(d["subject_types_supported"], serde_json::json!(["public"]));
    assert!(
        d["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&"client_secret_basic".into())
    );
}

/// Auth0 publishes the current and next keys; each carries `kid` (here the RFC
/// 7638 thumbprint), `use`, `alg` and a certificate with its SHA-1 thumbprint.
async fn jwks_publishes_current_and_next_keys_with_certificates(srv: crate::support::TestServer) {
    let res = srv
        .http
        .get(format!("{}/.well-known/jwks.json", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let jwks: Value = res.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
    for k in keys {
        assert_eq!(k["kty"], "RSA");
        assert_eq!(k["use"], "sig");
        assert_eq!(k["alg"], "RS256");
        let (n, e) = (k["n"].as_str().unwrap(), k["e"].as_str().unwrap());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(n).unwrap().len(),
            256,
            "RSA-2048 modulus"
        );
        assert_eq!(k["kid"], portcullis_core::keys::rsa_thumbprint(n, e));
        let cert = STANDARD.decode(k["x5c"][0].as_str().unwrap()).unwrap();
        let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert);
        assert_eq!(k["x5t"], URL_SAFE_NO_PAD.encode(sha1.as_ref()));
        assert!(
            k.get("d").is_none() && k.get("p").is_none(),
            "no private parts"
        );
    }
}

async fn health_and_readiness_answer_ok(srv: crate::support::TestServer) {
    for path in ["/healthz", "/readyz"] {
        let res = srv
            .http
            .get(format!("{}{path}", srv.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

/// Unknown routes and methods answer in Auth0's error shape, with security headers.
async fn unknown_route_and_method_answer_json_errors(srv: crate::support::TestServer) {
    let res = srv
        .http
        .get(format!("{}/no/such/path", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["statusCode"], 404);
    let res = srv
        .http
        .delete(format!("{}/.well-known/jwks.json", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["statusCode"], 405);
}
