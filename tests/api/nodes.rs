//! Two `atrium serve` processes on one database, as two nodes behind a load balancer: whatever
//! one node learns (a failed sign-in, a password change, a quota used, a spare schema claimed, a
//! browser session) holds on the other at its next request.
use std::collections::HashSet;

use futures_util::future::join_all;
use reqwest::{Client, Response};
use serde_json::{json, Value};

use crate::helpers::{atrium_process, cnpj, form_sign_in, register_body, serve, spawn_app, token, TestApp, PASSWORD};

/// Two server processes on the app's database, signing with the app's secret (`settings`: extra
/// environment for both).
async fn two_nodes(app: &TestApp, settings: &[(&str, &str)]) -> [(tokio::process::Child, String); 2] {
    let start = || {
        let mut cmd = atrium_process(&app.db_url, &app.jwt_secret);
        cmd.env("ATRIUM_SPARE_SCHEMAS", "0");
        for (name, value) in settings {
            cmd.env(name, value);
        }
        serve(cmd)
    };
    [start().await, start().await]
}

async fn login(client: &Client, base: &str, email: &str, password: &str) -> Response {
    let body = json!({ "tenant": "acme", "email": email, "password": password });
    client.post(format!("{base}/api/auth/login")).json(&body).send().await.unwrap()
}

async fn me(client: &Client, base: &str, access: &str) -> Response {
    client.get(format!("{base}/api/v1/users/me")).bearer_auth(access).header("x-tenant", "acme").send().await.unwrap()
}

#[tokio::test]
async fn a_failed_sign_in_limit_reached_on_one_node_holds_on_the_other() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let [(_a, a), (_b, b)] = two_nodes(&app, &[("ATRIUM_LOGIN_FAILURES_PER_MINUTE", "3")]).await;
    let client = Client::new();
    for node in [&a, &b, &a] {
        assert_eq!(login(&client, node, "owner@acme.test", "not the password").await.status(), 401);
    }
    let on_b = login(&client, &b, "owner@acme.test", "not the password").await;
    assert_eq!(on_b.status(), 429, "node B counts node A's failures");
    assert!(on_b.headers().contains_key("retry-after"));
    assert_eq!(login(&client, &b, "owner@acme.test", PASSWORD).await.status(), 429, "paused, even the right one");
    assert_eq!(login(&client, &a, "owner@acme.test", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn a_password_change_or_deactivation_on_one_node_ends_tokens_on_the_other() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    for who in ["ana", "bia"] {
        let body =
            json!({ "name": who, "email": format!("{who}@acme.test"), "role": "attendant", "password": PASSWORD });
        as_owner.post("/api/v1/users", body, 201).await;
    }
    let [(_a, a), (_b, b)] = two_nodes(&app, &[]).await;
    let client = Client::new();
    let signed_in = |email: &'static str| {
        let (client, a) = (client.clone(), a.clone());
        async move {
            let res = login(&client, &a, email, PASSWORD).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()["data"]["access_token"].as_str().unwrap().to_string()
        }
    };
    let (ana, bia) = (signed_in("ana@acme.test").await, signed_in("bia@acme.test").await);
    for access in [&ana, &bia] {
        assert_eq!(me(&client, &b, access).await.status(), 200, "node B knows the token");
    }

    let change = json!({ "current_password": PASSWORD, "password": "a brand new passphrase" });
    let res = client
        .put(format!("{a}/api/v1/users/me"))
        .bearer_auth(&ana)
        .header("x-tenant", "acme")
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(me(&client, &b, &ana).await.status(), 401, "the password changed on node A");

    let bia_id = me(&client, &b, &bia).await.json::<Value>().await.unwrap()["data"]["id"].as_str().unwrap().to_string();
    let res = client
        .patch(format!("{a}/api/v1/users/{bia_id}"))
        .bearer_auth(&owner)
        .header("x-tenant", "acme")
        .json(&json!({ "active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(me(&client, &b, &bia).await.status(), 401, "deactivated on node A");
}

#[tokio::test]
async fn the_tenant_quota_is_one_quota_across_nodes() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    app.tenant("other", "owner@other.test", PASSWORD).await;
    sqlx::query("UPDATE public.plans SET api_requests_per_minute = 20 WHERE id = 'starter'")
        .execute(&app.pool)
        .await
        .unwrap();
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let [(_a, a), (_b, b)] = two_nodes(&app, &[]).await;
    let client = Client::new();
    let header = |res: &Response, name: &str| -> u64 {
        res.headers().get(name).unwrap_or_else(|| panic!("{name}")).to_str().unwrap().parse().unwrap()
    };

    // Windows are calendar minutes: start early enough in one that the test ends inside it.
    let first = me(&client, &a, &owner).await;
    assert_eq!(first.status(), 200);
    let used_before = if header(&first, "ratelimit-reset") < 20 {
        tokio::time::sleep(std::time::Duration::from_secs(header(&first, "ratelimit-reset") + 1)).await;
        0
    } else {
        1
    };
    for _ in used_before..10 {
        let res = me(&client, &a, &owner).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "ratelimit-limit"), 20);
    }
    // The nodes share their counts every 250 ms.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let on_b = me(&client, &b, &owner).await;
    assert_eq!(on_b.status(), 200);
    assert_eq!(header(&on_b, "ratelimit-remaining"), 9, "node B starts from node A's ten");
    for _ in 0..9 {
        assert_eq!(me(&client, &b, &owner).await.status(), 200);
    }
    let refused = me(&client, &b, &owner).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "ratelimit-remaining"), 0);
    assert!(header(&refused, "retry-after") >= 1);
    let body = refused.json::<Value>().await.unwrap();
    assert_eq!(body["errors"]["code"], "quota_exceeded", "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(me(&client, &a, &owner).await.status(), 429, "node A heard of node B's ten");

    // Another workspace's quota is its own.
    let other = token(&app.login_ok("other", "owner@other.test", PASSWORD).await, "access_token");
    let res = client.get(format!("{a}/api/v1/users/me")).bearer_auth(&other).header("x-tenant", "other");
    assert_eq!(res.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn spare_schema_claims_from_both_nodes_never_collide() {
    let app = spawn_app().await;
    // Both nodes keep spares ready and both take them, at once.
    let [(_a, a), (_b, b)] = two_nodes(&app, &[]).await;
    let [(_c, c), (_d, d)] = {
        let start = || {
            let mut cmd = atrium_process(&app.db_url, &app.jwt_secret);
            cmd.env("ATRIUM_SPARE_SCHEMAS", "3");
            serve(cmd)
        };
        [start().await, start().await]
    };
    let client = Client::new();
    let nodes = [a, b, c, d];
    let registrations = (0..12u32).map(|i| {
        let (client, base) = (client.clone(), nodes[i as usize % nodes.len()].clone());
        async move {
            let body = register_body(&format!("Parallel {i}"), &cnpj(40_000 + i));
            let res = client.post(format!("{base}/api/signup/register")).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    });
    for (status, body) in join_all(registrations).await {
        assert_eq!(status, 201, "{body}");
    }
    let schemas: Vec<String> =
        sqlx::query_scalar("SELECT schema_name FROM public.tenants WHERE slug LIKE 'parallel-%'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(schemas.len(), 12);
    assert_eq!(schemas.iter().collect::<HashSet<_>>().len(), 12, "one schema per workspace");
    for schema in &schemas {
        let owners: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM \"{schema}\".users")).fetch_one(&app.pool).await.unwrap();
        assert_eq!(owners, 1, "{schema} holds its own owner only");
    }
    let unclaimed_used: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM public.spare_schemas s JOIN public.tenants t ON t.schema_name = s.schema_name",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unclaimed_used, 0, "no schema is both a spare and a workspace's");
}

#[tokio::test]
async fn sessions_made_on_one_node_are_valid_on_the_other() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let [(_a, a), (_b, b)] = two_nodes(&app, &[]).await;

    // A browser session: signed in through node A, served by node B.
    let web = form_sign_in(&a, "owner@acme.test").await;
    let page = web.get(format!("{b}/users")).send().await.unwrap();
    assert_eq!(page.status(), 200, "signed in on node B");
    assert!(page.text().await.unwrap().contains("owner@acme.test"));

    // An API session: the refresh token from node A is rotated by node B, once.
    let client = Client::new();
    let pair = login(&client, &a, "owner@acme.test", PASSWORD).await.json::<Value>().await.unwrap();
    let refresh = pair["data"]["refresh_token"].as_str().unwrap();
    let rotate =
        |base: &str| client.post(format!("{base}/api/auth/refresh")).json(&json!({ "refresh_token": refresh })).send();
    let rotated = rotate(&b).await.unwrap();
    assert_eq!(rotated.status(), 200);
    let rotated = rotated.json::<Value>().await.unwrap();
    let access = rotated["data"]["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&client, &a, &access).await.status(), 200);
    // Within the grace for a lost answer, node A answers the successor node B issued, not another.
    let again = rotate(&a).await.unwrap();
    assert_eq!(again.status(), 200);
    let again = again.json::<Value>().await.unwrap();
    assert_eq!(again["data"]["refresh_token"], rotated["data"]["refresh_token"]);
    let successor =
        client.post(format!("{a}/api/auth/refresh")).json(&json!({ "refresh_token": again["data"]["refresh_token"] }));
    assert_eq!(successor.send().await.unwrap().status(), 200);
    assert_eq!(rotate(&b).await.unwrap().status(), 401, "spent once its successor was used, on every node");

    // Signing out on node B ends the browser session on node A.
    let out = web.post(format!("{b}/rpc/logout")).header("accept", "text/html").send().await.unwrap();
    assert!(out.status().is_redirection() || out.status().is_success());
    assert!(web.get(format!("{a}/users")).send().await.unwrap().status().is_redirection(), "signed out everywhere");
}
