//! Departments (and the users they hold): other tenants' ids, and plan limits under concurrent creates.
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{department_id, spawn_app, staffed, token, user_id, PASSWORD};

#[tokio::test]
async fn another_tenants_ids_answer_404_exactly_like_missing_ones() {
    let app = spawn_app().await;
    let a = staffed(&app, "alpha").await;
    let b = staffed(&app, "beta").await;
    let b_user = user_id(&app, &b["owner"], "beta", "attendant@beta.test").await;
    let b_dept = department_id(&app, &b["owner"], "beta", "B").await;
    let a_dept = department_id(&app, &a["owner"], "alpha", "A").await;
    let a_user = user_id(&app, &a["owner"], "alpha", "attendant@alpha.test").await;
    let missing = uuid::Uuid::new_v4().to_string();

    use reqwest::Method as M;
    let as_a = app.as_user(&a["owner"], "alpha");
    let not_found = json!({ "errors": { "detail": "Not found", "code": "not_found" } });
    for foreign in [&b_user, &missing] {
        for (method, path, body) in [
            (M::GET, format!("/api/v1/users/{foreign}"), None),
            (M::PUT, format!("/api/v1/users/{foreign}"), Some(json!({ "name": "hijack" }))),
            (M::PATCH, format!("/api/v1/users/{foreign}"), Some(json!({ "active": false }))),
            (M::POST, format!("/api/v1/departments/{a_dept}/users"), Some(json!({ "user_id": foreign }))),
            (M::DELETE, format!("/api/v1/departments/{a_dept}/users/{foreign}"), None),
        ] {
            assert_eq!(as_a.request(method, &path, body, 404).await, not_found);
        }
    }
    for foreign in [&b_dept, &missing] {
        for (method, path, body) in [
            (M::GET, format!("/api/v1/departments/{foreign}"), None),
            (M::PUT, format!("/api/v1/departments/{foreign}"), Some(json!({ "name": "hijack" }))),
            (M::DELETE, format!("/api/v1/departments/{foreign}"), None),
            (M::GET, format!("/api/v1/departments/{foreign}/users"), None),
            (M::POST, format!("/api/v1/departments/{foreign}/users"), Some(json!({ "user_id": a_user }))),
            (M::DELETE, format!("/api/v1/departments/{foreign}/users/{a_user}"), None),
        ] {
            assert_eq!(as_a.request(method, &path, body, 404).await, not_found);
        }
    }
    let (_, still) = app.get_json(&b["owner"], "beta", &format!("/api/v1/users/{b_user}")).await;
    assert_eq!(still["data"]["active"], true);
    assert_eq!(still["data"]["name"], "attendant");
    app.as_user(&b["owner"], "beta").get(&format!("/api/v1/departments/{b_dept}"), 200).await;
}

#[tokio::test]
async fn plan_limits_hold_exactly_under_20_concurrent_creates() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    // Starter: 5 users, 3 departments. Leave one slot of each.
    let as_owner = app.as_user(&owner, "acme");
    for i in 0..3 {
        as_owner
            .post("/api/v1/users", json!({ "name": "U", "email": format!("u{i}@acme.test"), "role": "attendant" }), 201)
            .await;
    }
    for i in 0..2 {
        as_owner.post("/api/v1/departments", json!({ "name": format!("D{i}") }), 201).await;
    }
    let users = join_all((0..20).map(|i| {
        app.post(
            &owner,
            "acme",
            "/api/v1/users",
            json!({ "name": "C", "email": format!("c{i}@acme.test"), "role": "attendant" }),
        )
    }))
    .await;
    let depts =
        join_all((0..20).map(|i| app.post(&owner, "acme", "/api/v1/departments", json!({ "name": format!("C{i}") }))))
            .await;
    for (resource, responses, limit) in [("users", users, 5), ("departments", depts, 3)] {
        let created = responses.iter().filter(|r| r.status() == 201).count();
        assert_eq!(created, 1, "{resource}");
        for res in responses.into_iter().filter(|r| r.status() != 201) {
            assert_eq!(res.status(), 403);
            let body = res.json::<Value>().await.unwrap();
            assert_eq!(body["errors"]["code"], "plan_limit_reached");
            assert_eq!(body["errors"]["limit"], limit);
            assert_eq!(body["errors"]["resource"], resource);
        }
    }
}

/// The member picker's answer for a browser signed in as `email`.
async fn picker(app: &crate::helpers::TestApp, email: &str, search: &str) -> Vec<serde_json::Value> {
    let web = crate::helpers::browser();
    let res = web
        .post(app.url("/rpc/login"))
        .form(&[("tenant", "acme"), ("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = web.post(app.url("/rpc/member_candidates")).json(&json!({ "search": search })).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Vec<serde_json::Value>>().await.unwrap()
}

#[tokio::test]
async fn supervisors_pick_members_by_name_without_the_directory() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    let sales = department_id(&app, &staff["owner"], "acme", "Sales").await;
    let attendant = user_id(&app, &staff["owner"], "acme", "attendant@acme.test").await;
    app.as_user(&staff["owner"], "acme")
        .post(&format!("/api/v1/departments/{sales}/users"), json!({ "user_id": attendant }), 201)
        .await;

    let seen = picker(&app, "supervisor@acme.test", "").await;
    assert_eq!(seen.len(), 4, "{seen:?}");
    for person in &seen {
        assert!(person["email"].is_null() && person["role"].is_null(), "{person}");
    }
    let picked = seen.iter().find(|p| p["id"] == attendant.as_str()).unwrap();
    assert_eq!(picked["departments"], json!(["Sales"]));
    assert_eq!(picker(&app, "supervisor@acme.test", "acme.test").await.len(), 0, "no finding people by email");
    assert_eq!(picker(&app, "supervisor@acme.test", "atten").await.len(), 1, "by name");

    let directory = picker(&app, "manager@acme.test", "acme.test").await;
    assert_eq!(directory.len(), 4, "managers find by email and see it");
    assert!(directory.iter().all(|p| p["email"].is_string() && p["role"].is_string()));
}
