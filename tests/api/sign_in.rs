//! Sign-in that holds under attack: failure limits taken before hashing, per address with a
//! per-account ceiling, the owner told; the current password limited like a login; the tenant
//! header sent once; access tokens with issuer, audience, type and a rotatable key.
use std::time::{SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use futures_util::future::join_all;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use app::server::settings::Settings;

use crate::helpers::{client_from, spawn_app, spawn_app_with, test_settings, token, TestApp, PASSWORD, PUBLIC_URL};

async fn login_from(app: &TestApp, client: &reqwest::Client, password: &str) -> u16 {
    let res = client
        .post(app.url("/api/auth/login"))
        .json(&json!({ "tenant": "acme", "email": "owner@acme.test", "password": password }))
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test]
async fn parallel_guesses_cannot_exceed_the_failure_limit() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let guesses = (0..16).map(|i| {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        async move {
            let body = json!({ "tenant": "acme", "email": "owner@acme.test", "password": format!("guess number {i}") });
            client.post(url).json(&body).send().await.unwrap().status().as_u16()
        }
    });
    let answers = join_all(guesses).await;
    let checked = answers.iter().filter(|s| **s == 401).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(checked, 5, "exactly the limit of guesses were checked: {answers:?}");
    assert_eq!(refused, 11, "{answers:?}");
}

#[tokio::test]
async fn a_stranger_guessing_cannot_lock_the_owner_out_and_the_owner_is_told() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let stranger = client_from("127.0.0.2");
    for _ in 0..5 {
        assert_eq!(login_from(&app, &stranger, "wrong password!").await, 401);
    }
    assert_eq!(login_from(&app, &stranger, PASSWORD).await, 429, "that address waits, even with the password");
    // The owner, from their own address, signs in as usual.
    assert_eq!(login_from(&app, &client_from("127.0.0.3"), PASSWORD).await, 200);
    let mails = app.mail.wait_for("owner@acme.test", 1, std::time::Duration::from_secs(10)).await;
    let notice = mails.iter().find(|m| m.subject.starts_with("Sign-in attempts blocked")).expect("the notice");
    assert!(notice.text.contains("127.0.0.2"), "{}", notice.text);
}

#[tokio::test]
async fn guesses_spread_over_addresses_meet_the_account_ceiling() {
    let app = spawn_app_with(Settings { login_failures_per_hour: 8, ..test_settings() }).await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    for i in 0..8 {
        let from = client_from(&format!("127.0.1.{}", 10 + i));
        assert_eq!(login_from(&app, &from, "wrong password!").await, 401);
    }
    let res = client_from("127.0.1.99")
        .post(app.url("/api/auth/login"))
        .json(&json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
}

#[tokio::test]
async fn the_current_password_of_a_password_change_is_limited_like_a_login() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&data, "access_token");
    for i in 1..=5 {
        let body = json!({ "current_password": format!("wrong guess {i}"), "password": "a brand new passphrase" });
        app.as_user(&access, "acme").put("/api/v1/users/me", body, 422).await;
    }
    let body = json!({ "current_password": PASSWORD, "password": "a brand new passphrase" });
    let refused = app.as_user(&access, "acme").put("/api/v1/users/me", body, 429).await;
    assert_eq!(refused["errors"]["code"], "rate_limited");
    assert_eq!(app.login("acme", "owner@acme.test", PASSWORD).await.status(), 429, "the same allowance as sign-in");
}

#[tokio::test]
async fn x_tenant_sent_twice_is_refused_like_a_missing_one() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    for values in [["acme", "acme"], ["acme", "other"], ["other", "acme"]] {
        let res = app
            .client
            .get(app.url("/api/v1/users/me"))
            .bearer_auth(&access)
            .header("X-Tenant", values[0])
            .header("X-Tenant", values[1])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{values:?}");
    }
    assert_eq!(app.get_me(&access, "acme").await.status(), 200);
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// Re-signs a real token's claims with `changes` applied (and the header's `typ` and `kid`).
fn forged(real: &str, secret: &str, changes: Value, typ: Option<&str>) -> String {
    let mut parts = real.split('.');
    let header = decode(parts.next().unwrap());
    let mut claims = decode(parts.next().unwrap());
    for (k, v) in changes.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut h = Header::new(Algorithm::HS256);
    h.typ = typ.map(str::to_string);
    h.kid = header["kid"].as_str().map(str::to_string);
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

#[tokio::test]
async fn access_tokens_name_issuer_audience_type_and_key_and_each_is_checked() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let header = decode(access.split('.').next().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert!(header["kid"].as_str().is_some_and(|k| k.len() == 16));
    let claims = decode(access.split('.').nth(1).unwrap());
    assert_eq!(claims["iss"], PUBLIC_URL);
    assert_eq!(claims["aud"], format!("{PUBLIC_URL}/api"));
    assert_eq!(claims["nbf"], claims["iat"]);
    assert!(claims["sid"].is_string());

    let secret = app.jwt_secret.clone();
    let control = forged(&access, &secret, json!({}), Some("at+jwt"));
    assert_eq!(app.get_me(&control, "acme").await.status(), 200, "a faithful re-signing passes");
    let cases = [
        ("nbf in the future", forged(&access, &secret, json!({ "nbf": now() + 3600 }), Some("at+jwt"))),
        ("another issuer", forged(&access, &secret, json!({ "iss": "https://evil.example" }), Some("at+jwt"))),
        ("another audience", forged(&access, &secret, json!({ "aud": "https://evil.example/api" }), Some("at+jwt"))),
        ("typ JWT", forged(&access, &secret, json!({}), Some("JWT"))),
        ("no typ", forged(&access, &secret, json!({}), None)),
        ("another key", forged(&access, "some-other-secret-0123456789abcdef", json!({}), Some("at+jwt"))),
    ];
    for (what, forged) in cases {
        assert_eq!(app.get_me(&forged, "acme").await.status(), 401, "{what}");
    }
}

#[tokio::test]
async fn the_secret_rotates_without_signing_anyone_out() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let before = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let new_secret = "rotated-secret-9c1f0be4d27a83e5f6b0c4d9e2a17f38";
    // A node that signs with the new secret and still accepts the old one.
    let rotated = app.another_node(new_secret, Some(&app.jwt_secret)).await;
    let get_me = |base: String, token: String| {
        let client = app.client.clone();
        async move {
            client
                .get(format!("{base}/api/v1/users/me"))
                .bearer_auth(token)
                .header("X-Tenant", "acme")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(get_me(rotated.clone(), before.clone()).await, 200, "a token of the previous key");
    let res = app
        .client
        .post(format!("{rotated}/api/auth/login"))
        .json(&json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let after = token(&res.json::<Value>().await.unwrap()["data"], "access_token");
    assert_ne!(decode(after.split('.').next().unwrap())["kid"], decode(before.split('.').next().unwrap())["kid"]);
    assert_eq!(get_me(rotated.clone(), after.clone()).await, 200);
    assert_eq!(get_me(app.address.clone(), after.clone()).await, 401, "a node without the new key");
    // Once the previous key is dropped, its tokens stop working.
    let finished = app.another_node(new_secret, None).await;
    assert_eq!(get_me(finished.clone(), before).await, 401);
    assert_eq!(get_me(finished, after).await, 200);
}

async fn login_forwarded(app: &TestApp, forwarded_for: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "tenant": "acme", "email": "owner@acme.test", "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_and_sessions_see_the_forwarded_client() {
    let trusted = vec!["127.0.0.1/32".parse().unwrap()];
    let app = spawn_app_with(Settings { trusted_proxies: trusted, ..test_settings() }).await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    // A forged first hop is ignored: the proxy appended the real client last.
    for _ in 0..5 {
        assert_eq!(login_forwarded(&app, "6.6.6.6, 203.0.113.7", "wrong password!").await.status(), 401);
    }
    assert_eq!(login_forwarded(&app, "203.0.113.7", PASSWORD).await.status(), 429, "that client waits");
    let res = login_forwarded(&app, "203.0.113.8", PASSWORD).await;
    assert_eq!(res.status(), 200, "another client behind the same proxy does not");
    let access = token(&res.json::<Value>().await.unwrap()["data"], "access_token");
    let list = app.as_user(&access, "acme").get("/api/v1/users/me/sessions", 200).await;
    assert_eq!(list["data"][0]["address"], "203.0.113.8");
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_header_changes_nothing() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    for i in 0..5 {
        let res = login_forwarded(&app, &format!("203.0.113.{i}"), "wrong password!").await;
        assert_eq!(res.status(), 401);
    }
    // Every guess counted against the real peer: a new header does not buy another five.
    assert_eq!(login_forwarded(&app, "203.0.113.99", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn the_per_address_limit_is_one_limit_across_app_processes() {
    let app = spawn_app_with(Settings { auth_requests_per_minute: 4, ..test_settings() }).await;
    let other = app.another_node(&app.jwt_secret, None).await;
    for _ in 0..2 {
        assert_eq!(app.refresh("x").await.status(), 401);
    }
    let refresh_on_b =
        || app.client.post(format!("{other}/api/auth/refresh")).json(&json!({ "refresh_token": "x" })).send();
    for _ in 0..2 {
        assert_eq!(refresh_on_b().await.unwrap().status(), 401);
    }
    assert_eq!(app.refresh("x").await.status(), 429, "node A counts node B's requests");
    assert_eq!(refresh_on_b().await.unwrap().status(), 429);
}
