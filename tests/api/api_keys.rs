//! API keys: created once-shown by managers, checked without argon2, acting with their role,
//! bound to their tenant, refused where only a person may act, revoked at once.
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, staffed, TestApp};

/// A new key of `role` made by `creator` (a person's access token) in `slug`.
async fn new_key(app: &TestApp, creator: &str, slug: &str, role: &str) -> Value {
    app.as_user(creator, slug)
        .post("/api/v1/api-keys", json!({ "name": format!("{role} robot"), "role": role }), 201)
        .await
}

fn key_of(created: &Value) -> String {
    created["data"]["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_key_is_shown_once_stored_as_a_digest_and_acts_with_its_role() {
    let app = spawn_app().await;
    let people = staffed(&app, "acme").await;
    let created = new_key(&app, &people["owner"], "acme", "manager").await;
    let data = &created["data"];
    let key = key_of(&created);
    let prefix = data["prefix"].as_str().unwrap();
    // atr_<12 hex>_<64 hex>: 256 bits of secret.
    let secret = key.strip_prefix(&format!("atr_{prefix}_")).expect("atr_<prefix>_<secret>");
    assert_eq!(prefix.len(), 12);
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(data["name"], "manager robot");
    assert_eq!(data["role"], "manager");

    // Only the prefix and a digest are kept.
    let stored: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT prefix, secret_hash FROM t_acme.api_keys").fetch_all(&app.pool).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, prefix);
    assert_eq!(stored[0].1.len(), 32);
    assert!(!String::from_utf8_lossy(&stored[0].1).contains(secret));

    // The list never shows the key again.
    let listed = app.as_user(&people["owner"], "acme").get("/api/v1/api-keys", 200).await;
    let first = &listed["data"][0];
    assert_eq!(first["prefix"], prefix);
    assert_eq!(first["created_by"], "Owner of acme");
    assert!(first.get("key").is_none(), "{listed}");
    assert!(!listed.to_string().contains(secret));

    // It acts as a manager: reads the users, creates a department (and is counted by the quota).
    let as_key = app.as_user(&key, "acme");
    as_key.get("/api/v1/users", 200).await;
    as_key.post("/api/v1/departments", json!({ "name": "Integrations" }), 201).await;
    let res = app.call(reqwest::Method::GET, &key, "acme", "/api/v1/departments", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("ratelimit-remaining"));
    // A user it creates without a password is invited (by nobody in particular).
    as_key
        .post("/api/v1/users", json!({ "name": "Invited", "email": "invited@acme.test", "role": "attendant" }), 201)
        .await;
    let invitations = app.as_user(&people["owner"], "acme").get("/api/v1/invitations", 200).await;
    assert_eq!(invitations["data"][0]["invited_by"], Value::Null);

    // A supervisor key reads departments (supervisor and above), not the users list (manager).
    let supervisor = key_of(&new_key(&app, &people["owner"], "acme", "supervisor").await);
    app.as_user(&supervisor, "acme").get("/api/v1/users", 403).await;
    app.as_user(&supervisor, "acme").get("/api/v1/departments", 200).await;

    // Its last use is recorded with the client's address.
    let mut used = Value::Null;
    for _ in 0..50 {
        let listed = app.as_user(&people["owner"], "acme").get("/api/v1/api-keys", 200).await;
        used = listed["data"].as_array().unwrap().iter().find(|k| k["prefix"] == prefix).unwrap().clone();
        if used["last_used_at"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(used["last_used_at"].is_string(), "{used}");
    assert_eq!(used["last_used_address"], "127.0.0.1");
}

#[tokio::test]
async fn a_key_is_refused_where_only_a_person_may_act() {
    let app = spawn_app().await;
    let people = staffed(&app, "acme").await;
    let key = key_of(&new_key(&app, &people["owner"], "acme", "owner").await);
    let as_key = app.as_user(&key, "acme");
    // It may ask who it is: the key, with its role.
    let me = as_key.get("/api/v1/users/me", 200).await;
    assert_eq!(me["data"]["name"], "owner robot");
    assert_eq!(me["data"]["role"], "owner");
    use reqwest::Method as M;
    for (method, path, body) in [
        (M::GET, "/api/v1/api-keys", None),
        (M::POST, "/api/v1/api-keys", Some(json!({ "name": "child", "role": "attendant" }))),
        (M::PUT, "/api/v1/users/me", Some(json!({ "current_password": "x", "password": "a-new-long-password-9" }))),
        (M::POST, "/api/v1/users/me/mfa", None),
        (M::GET, "/api/v1/users/me/sessions", None),
        (M::DELETE, "/api/v1/sessions", None),
        (M::GET, "/api/v1/billing/plan", None),
        (M::POST, "/api/v1/billing/checkout", Some(json!({ "plan": "enterprise" }))),
    ] {
        let body = as_key.request(method.clone(), path, body, 403).await;
        assert_eq!(body["errors"]["code"], "api_key_not_allowed", "{method} {path}: {body}");
    }
}

#[tokio::test]
async fn keys_are_made_by_managers_up_to_their_own_role_with_a_future_expiry() {
    let app = spawn_app().await;
    let people = staffed(&app, "acme").await;
    let as_manager = app.as_user(&people["manager"], "acme");
    let refused = as_manager.post("/api/v1/api-keys", json!({ "name": "boss", "role": "owner" }), 422).await;
    assert_eq!(refused["errors"]["role"][0], "is above your own role");
    let bad = as_manager
        .post("/api/v1/api-keys", json!({ "name": "", "role": "robot", "expires_at": "2020-01-01T00:00:00Z" }), 422)
        .await;
    assert!(bad["errors"]["name"].is_array(), "{bad}");
    assert!(bad["errors"]["role"].is_array(), "{bad}");
    assert_eq!(bad["errors"]["expires_at"][0], "must be in the future");
    let junk = as_manager
        .post("/api/v1/api-keys", json!({ "name": "x", "role": "attendant", "expires_at": "tomorrow" }), 422)
        .await;
    assert!(junk["errors"]["expires_at"].is_array(), "{junk}");
    let ok = as_manager
        .post(
            "/api/v1/api-keys",
            json!({ "name": "nightly export", "role": "manager", "expires_at": "2099-01-01T00:00:00Z" }),
            201,
        )
        .await;
    assert_eq!(ok["data"]["expires_at"], "2099-01-01T00:00:00Z");
    for role in ["supervisor", "attendant"] {
        app.as_user(&people[role], "acme")
            .post("/api/v1/api-keys", json!({ "name": "x", "role": "attendant" }), 403)
            .await;
        app.as_user(&people[role], "acme").get("/api/v1/api-keys", 403).await;
    }
    // No field the API does not know.
    as_manager.post("/api/v1/api-keys", json!({ "name": "x", "role": "attendant", "tenant": "other" }), 422).await;
}

#[tokio::test]
async fn another_tenants_forged_expired_or_revoked_keys_are_refused() {
    let app = spawn_app().await;
    let acme = staffed(&app, "acme").await;
    let beta = staffed(&app, "beta").await;
    let created = new_key(&app, &acme["owner"], "acme", "manager").await;
    let key = key_of(&created);
    let id = created["data"]["id"].as_str().unwrap().to_string();
    app.as_user(&key, "acme").get("/api/v1/users", 200).await;

    // Another tenant's header: that tenant has no such key.
    let foreign = app.as_user(&key, "beta").get("/api/v1/users", 401).await;
    assert_eq!(foreign["errors"]["code"], "unauthorized");
    // The right prefix with another secret.
    let prefix = created["data"]["prefix"].as_str().unwrap();
    let forged = format!("atr_{prefix}_{}", "0".repeat(64));
    app.as_user(&forged, "acme").get("/api/v1/users", 401).await;
    // A key id of another tenant cannot be revoked from here: 404 like a missing one.
    app.as_user(&beta["owner"], "beta").delete(&format!("/api/v1/api-keys/{id}"), 404).await;
    app.as_user(&key, "acme").get("/api/v1/users", 200).await;

    // Expired.
    let expiring = new_key(&app, &acme["owner"], "acme", "supervisor").await;
    sqlx::query("UPDATE t_acme.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(uuid::Uuid::parse_str(expiring["data"]["id"].as_str().unwrap()).unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    app.as_user(&key_of(&expiring), "acme").get("/api/v1/departments", 401).await;

    // Revoked: refused at its next request, on this node and on another one behind the same
    // proxy (nothing about a key is cached).
    let other_node = app.another_node(&app.jwt_secret, None).await;
    let on_other_node = |key: String| {
        let request = app.client.get(format!("{other_node}/api/v1/users")).bearer_auth(key).header("x-tenant", "acme");
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(on_other_node(key.clone()).await, 200);
    app.as_user(&acme["manager"], "acme").delete(&format!("/api/v1/api-keys/{id}"), 204).await;
    app.as_user(&key, "acme").get("/api/v1/users", 401).await;
    assert_eq!(on_other_node(key.clone()).await, 401);
    app.as_user(&acme["manager"], "acme").delete(&format!("/api/v1/api-keys/{id}"), 404).await;
}
