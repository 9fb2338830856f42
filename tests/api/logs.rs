//! The server binary in production mode: it refuses to start without its environment stated, its
//! logs are JSON lines naming the route and never a token or a password, and SIGTERM stops it after
//! the requests in flight.
use std::{process::Stdio, time::Duration};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{serve, spawn_app, PASSWORD};

const KEY: &str = "9c1f0be4d27a83e5f6b0c4d9e2a17f38b5c6d0e1f2a3b4c5d6e7f8091a2b3c4d";

fn server(db_url: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_atrium"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ATRIUM_ENV", "production")
        .env("DATABASE_URL", db_url)
        .env("ATRIUM_PUBLIC_URL", "https://atrium.example")
        .env("ATRIUM_JWT_SECRET", KEY)
        // Nothing is paid or mailed in this test: these only have to be well-formed.
        .env("ATRIUM_ASAAS_API_KEY", "$aact_test_key")
        .env("ATRIUM_ASAAS_BASE_URL", "http://127.0.0.1:9/v3")
        .env("ATRIUM_ASAAS_WEBHOOK_TOKEN", "q7Vx2LcP9sKfT3mWbE8nYz1RjH5uGd4AoI6eNt0Ck")
        .env("ATRIUM_SMTP_URL", "smtp://127.0.0.1:9")
        .env("ATRIUM_MAIL_FROM", "Atrium <no-reply@atrium.example>")
        .env("ATRIUM_SPARE_SCHEMAS", "0")
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Starts `atrium serve` in production mode and waits until it answers; its process and base URL.
async fn serve_production(db_url: &str) -> (tokio::process::Child, String) {
    serve(server(db_url)).await
}

#[tokio::test]
async fn the_server_refuses_to_start_without_a_stated_environment() {
    let app = spawn_app().await;
    let out = server(&app.db_url).env_remove("ATRIUM_ENV").output().await.unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ATRIUM_ENV is not set"), "{stderr}");
    let out = server(&app.db_url).arg("demo").output().await.unwrap();
    assert!(!out.status.success(), "no demo workspace in production");
    assert!(String::from_utf8_lossy(&out.stderr).contains("development only"));
}

#[tokio::test]
async fn production_logs_are_json_lines_with_the_route_and_no_secret() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let (mut child, base) = serve_production(&app.db_url).await;
    let client = reqwest::Client::new();

    let token = "acme.SECRET-INVITATION-TOKEN-0123456789abcdefghijklmn";
    client.get(format!("{base}/invitation/{token}")).send().await.unwrap();
    let login = json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD });
    let res = client.post(format!("{base}/api/auth/login")).json(&login).send().await.unwrap();
    let access = res.json::<Value>().await.unwrap()["data"]["access_token"].as_str().unwrap().to_string();
    let me = client.get(format!("{base}/api/v1/users/me")).bearer_auth(&access).header("x-tenant", "acme");
    assert_eq!(me.send().await.unwrap().status(), 200);
    child.start_kill().unwrap();

    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Ok(Some(line)) = reader.next_line().await {
        lines.push(line);
    }
    let all = lines.join("\n");
    for secret in ["SECRET-INVITATION-TOKEN", PASSWORD, access.as_str()] {
        assert!(!all.contains(secret), "a log line holds {secret}");
    }
    let events: Vec<Value> = lines.iter().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let answered =
        |route: &str| events.iter().find(|e| e["message"] == "answered" && e["span"]["route"] == route).cloned();
    let invitation = answered("/invitation/{token}").expect("the invitation page's line");
    assert!(invitation["span"]["request_id"].is_string() && invitation["latency_ms"].is_number());
    let me = answered("/api/v1/users/me").expect("users/me's line");
    assert_eq!(me["status"], 200);
    assert_eq!(me["span"]["tenant"], "acme");
    assert!(me["span"]["user_id"].is_string(), "{me}");
}

#[tokio::test]
async fn sigterm_stops_the_server_after_the_requests_in_flight() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let (mut child, base) = serve_production(&app.db_url).await;
    let client = reqwest::Client::new();
    // A sign-in (argon2: tens of milliseconds) in flight when the signal arrives still answers.
    let login = json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD });
    let in_flight = tokio::spawn(client.post(format!("{base}/api/auth/login")).json(&login).send());
    tokio::time::sleep(Duration::from_millis(5)).await;
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let answer = in_flight.await.unwrap().expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    let status = tokio::time::timeout(Duration::from_secs(25), child.wait()).await.expect("stops").unwrap();
    assert!(status.success(), "{status:?}");
    assert!(client.get(format!("{base}/healthz")).send().await.is_err(), "no new connections");
}
