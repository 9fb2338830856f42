use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, PASSWORD};

#[tokio::test]
async fn malformed_oversized_and_mistyped_bodies_get_clear_errors() {
    let app = spawn_app().await;
    let post = |body: String, ct: &'static str| {
        app.client.post(app.url("/api/auth/login")).header("content-type", ct).body(body).send()
    };
    let res = post("{\"email\": ".into(), "application/json").await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "bad_request");

    let res = post("email=a".into(), "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "unsupported_media_type");

    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(200_000));
    let res = post(huge, "application/json").await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "payload_too_large");

    let res = post(json!({"email": 1, "password": "x", "tenant": "a"}).to_string(), "application/json").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.json::<Value>().await.unwrap()["errors"]["email"].is_array());

    let res = post(
        json!({"email": "a@b.c", "password": "x", "tenant": "a", "company_id": "x"}).to_string(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"errors": {"company_id": ["is not a permitted field"]}}));
}

#[tokio::test]
async fn unknown_fields_are_refused_on_authenticated_writes_too() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    for field in ["tenant", "company_id", "is_owner", "password_hash", "role"] {
        app.as_user(&access, "acme").put("/api/v1/users/me", json!({ "name": "New", field: "x" }), 422).await;
    }
    let me: Value = app.get_me(&access, "acme").await.json().await.unwrap();
    assert_eq!(me["data"]["name"], "Owner of acme", "nothing was half-applied");
    assert_eq!(me["data"]["role"], "owner");
}

#[tokio::test]
async fn profile_updates_validate_and_apply() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let me = app.as_user(&access, "acme");
    let refused = me.put("/api/v1/users/me", json!({ "name": "  ", "locale": "fr", "password": "short" }), 422).await;
    let errors = &refused["errors"];
    assert!(
        errors["name"].is_array()
            && errors["locale"].is_array()
            && errors["password"].is_array()
            && errors["current_password"].is_array(),
        "{errors}"
    );
    let body = me.put("/api/v1/users/me", json!({ "name": "Olívia", "locale": "es" }), 200).await;
    assert_eq!(body["data"]["name"], "Olívia");
    assert_eq!(body["data"]["locale"], "es");
}

#[tokio::test]
async fn unknown_api_routes_are_json_404_and_health_endpoints_answer() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/nothing-here")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "not_found");
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ready");
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
}

/// A NUL byte cannot be stored in PostgreSQL text: found by the API fuzzer as a 500. A name or a
/// search says so beside the field.
#[tokio::test]
async fn a_nul_byte_in_text_is_a_clear_error_not_a_500() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    let body = as_owner.post("/api/v1/departments", json!({ "name": "Sales\u{0}Team" }), 422).await;
    assert_eq!(body["errors"]["name"][0], "must not contain control characters");
    let body = as_owner.get("/api/v1/users?search=ab%00cd", 422).await;
    assert_eq!(body["errors"]["search"][0], "must not contain control characters");
    // An empty typed parameter is refused; an empty search is no search.
    as_owner.get("/api/v1/users?role=", 422).await;
    as_owner.get("/api/v1/users?search=", 200).await;
}
