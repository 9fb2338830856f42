use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use app::server::settings::Settings;

use crate::helpers::{spawn_app, spawn_app_with, test_settings, token, PASSWORD};

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn login_returns_the_contract_and_a_complete_access_token() {
    let app = spawn_app().await;
    let t = app.tenant("acme", "Owner@Acme.test", PASSWORD).await;
    // Email matching is case-insensitive.
    let data = app.login_ok("acme", "owner@acme.TEST", PASSWORD).await;
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["expires_in"], 900);
    assert_eq!(data["tenant"], json!({ "slug": "acme", "name": "Company acme" }));
    let user = &data["user"];
    assert_eq!(user["id"], t.owner_id.to_string());
    assert_eq!(user["role"], "owner");
    assert_eq!(user["active"], true);
    assert_eq!(user["locale"], "en");
    assert!(user.get("password_hash").is_none());

    let c = claims(&token(&data, "access_token"));
    assert_eq!(c["sub"], t.owner_id.to_string());
    assert_eq!(c["tenant"], "acme");
    assert_eq!(c["company_id"], t.id.to_string());
    assert_eq!(c["role"], "owner");
    assert_eq!(c["is_owner"], true);
    assert_eq!(c["email"], "Owner@Acme.test");
    assert_eq!(c["token_type"], "access");
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 900);
    assert!(c["jti"].is_string());
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD.decode(token(&data, "access_token").split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
}

#[tokio::test]
async fn every_kind_of_bad_credentials_gets_the_same_answer() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let expected = json!({ "errors": { "detail": "Invalid credentials", "code": "invalid_credentials" } });
    for (tenant, email, password) in [
        ("nope", "owner@acme.test", PASSWORD),
        ("acme", "nobody@acme.test", PASSWORD),
        ("acme", "owner@acme.test", "wrong password!"),
        ("NOT A SLUG", "owner@acme.test", PASSWORD),
    ] {
        let res = app.login(tenant, email, password).await;
        assert_eq!(res.status(), 401, "{tenant}/{email}");
        assert_eq!(res.json::<Value>().await.unwrap(), expected);
    }
}

#[tokio::test]
async fn missing_fields_get_a_field_map() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .json(&json!({ "tenant": "acme", "password": "" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "errors": { "email": ["can't be blank"], "password": ["can't be blank"] } })
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let first = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let r1 = token(&first, "refresh_token");

    let res = app.refresh(&r1).await;
    assert_eq!(res.status(), 200);
    let second = res.json::<Value>().await.unwrap()["data"].clone();
    let r2 = token(&second, "refresh_token");
    assert_ne!(r1, r2);
    assert_eq!(app.get_me(&token(&second, "access_token"), "acme").await.status(), 200);

    // Presenting the rotated token again, past the short grace for retries, is reuse: refused,
    // and the whole family dies with it.
    sqlx::query("UPDATE t_acme.refresh_tokens SET used_at = used_at - interval '1 minute' WHERE used_at IS NOT NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.refresh(&r1).await.status(), 401);
    assert_eq!(app.refresh(&r2).await.status(), 401, "the family was revoked");

    // Another login starts an independent family.
    let other = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    assert_eq!(app.refresh(&token(&other, "refresh_token")).await.status(), 200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let r = token(&data, "refresh_token");
    let res = app.client.post(app.url("/api/auth/logout")).json(&json!({ "refresh_token": r })).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.refresh(&r).await.status(), 401);
}

#[tokio::test]
async fn tokens_are_never_accepted_in_each_others_place() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let res = app.get_me(&token(&data, "refresh_token"), "acme").await;
    assert_eq!(res.status(), 401, "a refresh token as a Bearer");
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "unauthorized");
    assert_eq!(app.refresh(&token(&data, "access_token")).await.status(), 401, "an access token as a refresh token");
}

#[tokio::test]
async fn password_change_revokes_tokens_and_sessions() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let old = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&old, "access_token");

    let me = app.as_user(&access, "acme");
    let wrong = me
        .put(
            "/api/v1/users/me",
            json!({ "current_password": "not it at all", "password": "a brand new passphrase" }),
            422,
        )
        .await;
    assert_eq!(wrong, json!({ "errors": { "current_password": ["is incorrect"] } }));

    let body = me
        .put("/api/v1/users/me", json!({ "current_password": PASSWORD, "password": "a brand new passphrase" }), 200)
        .await;
    let fresh_access = body["tokens"]["access_token"].as_str().unwrap().to_string();

    assert_eq!(app.get_me(&access, "acme").await.status(), 401, "earlier access token");
    assert_eq!(app.refresh(&token(&old, "refresh_token")).await.status(), 401, "earlier refresh token");
    assert_eq!(app.get_me(&fresh_access, "acme").await.status(), 200, "the pair handed back");
    assert_eq!(app.login("acme", "owner@acme.test", PASSWORD).await.status(), 401);
    app.login_ok("acme", "owner@acme.test", "a brand new passphrase").await;
}

#[tokio::test]
async fn deactivated_users_lose_access_at_once() {
    let app = spawn_app().await;
    let t = app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    sqlx::query("UPDATE t_acme.users SET active = false, security_version = security_version + 1 WHERE id = $1")
        .bind(t.owner_id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get_me(&token(&data, "access_token"), "acme").await.status(), 401);
    assert_eq!(app.refresh(&token(&data, "refresh_token")).await.status(), 401);
    assert_eq!(app.login("acme", "owner@acme.test", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn failed_logins_per_account_are_limited() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    app.tenant("other", "owner@acme.test", PASSWORD).await;
    // Successful logins do not count against the account.
    for _ in 0..7 {
        app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    }
    for _ in 0..5 {
        assert_eq!(app.login("acme", "owner@acme.test", "wrong password!").await.status(), 401);
    }
    let res = app.login("acme", "OWNER@acme.test", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "rate_limited");
    // The same email in another tenant is another account.
    app.login_ok("other", "owner@acme.test", PASSWORD).await;
}

#[tokio::test]
async fn auth_requests_per_client_address_are_limited() {
    let app = spawn_app_with(Settings { auth_requests_per_minute: 4, ..test_settings() }).await;
    for _ in 0..4 {
        assert_eq!(app.refresh("x").await.status(), 401);
    }
    let res = app.refresh("x").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}
