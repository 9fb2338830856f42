//! `GET /metrics`: never public, Prometheus' text format, routes and plans as labels, never a
//! tenant.
use reqwest::Client;
use serde_json::json;

use crate::helpers::{atrium_process, free_port, serve, spawn_app, spawn_app_with, test_settings, token, PASSWORD};
use app::server::settings::Settings;

const METRICS_TOKEN: &str = "metrics-token-for-the-test-0123456789";

#[tokio::test]
async fn metrics_are_hidden_without_a_token_and_refused_with_a_wrong_one() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(res.status(), 404, "no token configured: no metrics on the public address");

    let app = spawn_app_with(Settings { metrics_token: Some(METRICS_TOKEN.into()), ..test_settings() }).await;
    assert_eq!(app.client.get(app.url("/metrics")).send().await.unwrap().status(), 401);
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-for-the-test-0123456788");
    assert_eq!(wrong.send().await.unwrap().status(), 401);
    assert_eq!(app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap().status(), 200);
}

/// The metrics of one server process (a process of its own: the recorder is process-wide).
async fn scrape(client: &Client, base: &str) -> String {
    let res = client.get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    res.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_refusals_by_plan_without_tenants() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    sqlx::query("UPDATE public.plans SET api_requests_per_minute = 3 WHERE id = 'starter'")
        .execute(&app.pool)
        .await
        .unwrap();
    let private_port = free_port();
    let mut cmd = atrium_process(&app.db_url, &app.jwt_secret);
    cmd.env("ATRIUM_METRICS_TOKEN", METRICS_TOKEN)
        .env("ATRIUM_METRICS_ADDR", format!("127.0.0.1:{private_port}"))
        .env("ATRIUM_LOGIN_FAILURES_PER_MINUTE", "2")
        .env("ATRIUM_SPARE_SCHEMAS", "2");
    let (_node, base) = serve(cmd).await;
    let client = Client::new();

    let login = |password: &'static str| {
        let body = json!({ "tenant": "acme", "email": "owner@acme.test", "password": password });
        client.post(format!("{base}/api/auth/login")).json(&body).send()
    };
    let pair = login(PASSWORD).await.unwrap().json::<serde_json::Value>().await.unwrap();
    let access = token(&pair["data"], "access_token");
    let mut statuses = vec![];
    for _ in 0..4 {
        let res = client.get(format!("{base}/api/v1/users/me")).bearer_auth(&access).header("x-tenant", "acme");
        statuses.push(res.send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    for _ in 0..3 {
        login("not the password").await.unwrap();
    }
    client.get(format!("{base}/no/such/page/{}", uuid::Uuid::new_v4())).send().await.unwrap();

    let text = scrape(&client, &base).await;
    let has = |needle: &str| assert!(text.contains(needle), "{needle} missing from:\n{text}");
    has(r#"atrium_http_requests_total{route="/api/v1/users/me",method="GET",status="200"} 3"#);
    has(r#"atrium_http_requests_total{route="/api/v1/users/me",method="GET",status="429"} 1"#);
    has(r#"atrium_http_request_duration_seconds_bucket{route="/api/auth/login",method="POST",status="401",le="#);
    has(r#"route="unmatched""#);
    has("atrium_http_requests_in_flight");
    has(r#"atrium_quota_refusals_total{plan="starter"} 1"#);
    has(r#"atrium_rate_limited_total{limiter="sign_in"} 1"#);
    has("atrium_login_failures_total 2");
    has(r#"atrium_db_pool_connections{state="idle"}"#);
    has("atrium_db_pool_max_connections");
    has("atrium_db_up 1");
    has("atrium_spare_schemas_ready");
    has("atrium_outbox_backlog");
    assert!(!text.contains("acme"), "no tenant in any label");
    assert!(!text.contains("/no/such/page"), "unknown paths make no series of their own");

    // The private listener serves the same without a token, and nothing else.
    let private = format!("http://127.0.0.1:{private_port}");
    let res = client.get(format!("{private}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("atrium_http_requests_total"));
    assert_eq!(client.get(format!("{private}/api/auth/login")).send().await.unwrap().status(), 404);
}
