//! Users: the role matrix of every team endpoint, role grants and the last owner, listing,
//! refused body fields, deactivation and invitations.
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{browser, department_id, form_sign_in, spawn_app, staffed, token, user_id, PASSWORD};

#[tokio::test]
async fn role_by_endpoint_matrix() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    // Limits are tested on their own; here every create should pass them.
    app.move_to_plan("acme", "enterprise").await;
    let owner = t["owner"].clone();
    let attendant_id = user_id(&app, &owner, "acme", "attendant@acme.test").await;
    let dept_id = department_id(&app, &owner, "acme", "Sales").await;

    use reqwest::Method as M;
    // (method, path, body, minimum role that may call it)
    let endpoints: Vec<(M, String, Option<Value>, &str)> = vec![
        (M::GET, "/api/v1/users/me".into(), None, "attendant"),
        (M::GET, "/api/v1/users".into(), None, "manager"),
        (M::GET, format!("/api/v1/users/{attendant_id}"), None, "manager"),
        (M::PATCH, format!("/api/v1/users/{attendant_id}"), Some(json!({ "name": "Renamed" })), "manager"),
        (M::GET, "/api/v1/company".into(), None, "manager"),
        (M::PUT, "/api/v1/company".into(), Some(json!({ "phone": "+55 11 5555-0000" })), "manager"),
        (M::GET, "/api/v1/departments".into(), None, "supervisor"),
        (M::GET, format!("/api/v1/departments/{dept_id}"), None, "supervisor"),
        (M::PUT, format!("/api/v1/departments/{dept_id}"), Some(json!({ "description": "x" })), "supervisor"),
        (M::GET, format!("/api/v1/departments/{dept_id}/users"), None, "supervisor"),
    ];
    let rank = |r: &str| ["attendant", "supervisor", "manager", "owner"].iter().position(|x| *x == r).unwrap();
    for (method, path, body, minimum) in &endpoints {
        for role in ["attendant", "supervisor", "manager", "owner"] {
            let res = app.call(method.clone(), &t[role], "acme", path, body.clone()).await;
            let expected = if rank(role) >= rank(minimum) { 200 } else { 403 };
            assert_eq!(res.status().as_u16(), expected, "{role} {method} {path}");
            if expected == 403 {
                assert_eq!(
                    res.json::<Value>().await.unwrap(),
                    json!({ "errors": { "detail": "Forbidden", "code": "forbidden" } })
                );
            }
        }
    }
    // Membership: add (201) and remove (204) from supervisor up.
    for role in ["attendant", "supervisor", "manager", "owner"] {
        let add = app
            .post(&t[role], "acme", &format!("/api/v1/departments/{dept_id}/users"), json!({ "user_id": attendant_id }))
            .await;
        assert_eq!(add.status().as_u16(), if rank(role) >= 1 { 201 } else { 403 }, "{role} adds a member");
        let remove = app
            .call(M::DELETE, &t[role], "acme", &format!("/api/v1/departments/{dept_id}/users/{attendant_id}"), None)
            .await;
        assert_eq!(remove.status().as_u16(), if rank(role) >= 1 { 204 } else { 403 }, "{role} removes a member");
    }
    // Creating: 201 from the minimum role up, 403 below.
    for role in ["attendant", "supervisor", "manager", "owner"] {
        let res = app.post(&t[role], "acme", "/api/v1/departments", json!({ "name": format!("By {role}") })).await;
        assert_eq!(res.status().as_u16(), if rank(role) >= 1 { 201 } else { 403 }, "{role} creates a department");
        let res = app
            .post(
                &t[role],
                "acme",
                "/api/v1/users",
                json!({ "name": "N", "email": format!("n-{role}@acme.test"), "role": "attendant" }),
            )
            .await;
        assert_eq!(res.status().as_u16(), if rank(role) >= 2 { 201 } else { 403 }, "{role} creates a user");
    }
}

#[tokio::test]
async fn nobody_grants_above_their_role_and_the_last_owner_stays() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let owner_id = user_id(&app, &t["owner"], "acme", "owner@acme.test").await;
    let manager_id = user_id(&app, &t["owner"], "acme", "manager@acme.test").await;
    let attendant_id = user_id(&app, &t["owner"], "acme", "attendant@acme.test").await;

    let as_manager = app.as_user(&t["manager"], "acme");
    as_manager.post("/api/v1/users", json!({ "name": "X", "email": "x@acme.test", "role": "owner" }), 422).await;
    as_manager.put(&format!("/api/v1/users/{attendant_id}"), json!({ "role": "owner" }), 422).await;
    // A manager cannot touch an owner.
    as_manager.put(&format!("/api/v1/users/{owner_id}"), json!({ "active": false }), 403).await;
    // Up to one's own role is fine.
    as_manager.put(&format!("/api/v1/users/{attendant_id}"), json!({ "role": "manager" }), 200).await;

    let as_owner = app.as_user(&t["owner"], "acme");
    let body = as_owner.put(&format!("/api/v1/users/{owner_id}"), json!({ "role": "manager" }), 409).await;
    assert_eq!(body["errors"]["code"], "last_owner");

    // Two owners demoting each other at the same moment: exactly one succeeds.
    as_owner.put(&format!("/api/v1/users/{manager_id}"), json!({ "role": "owner" }), 200).await;
    let second_owner = token(&app.login_ok("acme", "manager@acme.test", PASSWORD).await, "access_token");
    for _ in 0..5 {
        let (to_manager, to_owner) = (format!("/api/v1/users/{manager_id}"), format!("/api/v1/users/{owner_id}"));
        let demote = Some(json!({ "role": "manager" }));
        let (a, b) = tokio::join!(
            app.call(Method::PUT, &t["owner"], "acme", &to_manager, demote.clone()),
            app.call(Method::PUT, &second_owner, "acme", &to_owner, demote.clone()),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM t_acme.users WHERE role = 'owner' AND active")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(owners, 1, "statuses {statuses:?}");
        assert!(statuses == [200, 409] || statuses == [200, 403], "{statuses:?}");
        // Restore two owners for the next round.
        sqlx::query("UPDATE t_acme.users SET role = 'owner' WHERE id::text IN ($1, $2)")
            .bind(&owner_id)
            .bind(&manager_id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn nobody_changes_their_own_role_or_deactivates_themselves() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let owner_id = user_id(&app, &t["owner"], "acme", "owner@acme.test").await;
    let manager_id = user_id(&app, &t["owner"], "acme", "manager@acme.test").await;
    let as_owner = app.as_user(&t["owner"], "acme");
    // With a second owner, the last-owner rule no longer holds anyone back; this one does.
    as_owner.put(&format!("/api/v1/users/{manager_id}"), json!({ "role": "owner" }), 200).await;
    for change in [json!({ "role": "manager" }), json!({ "active": false })] {
        let body = as_owner.put(&format!("/api/v1/users/{owner_id}"), change, 409).await;
        assert_eq!(body["errors"]["code"], "own_access", "{body}");
    }
    // The rest of one's own row may change, and another owner may do what one may not.
    as_owner.put(&format!("/api/v1/users/{owner_id}"), json!({ "name": "Owner Renamed", "role": "owner" }), 200).await;
    let second = token(&app.login_ok("acme", "manager@acme.test", PASSWORD).await, "access_token");
    app.as_user(&second, "acme").put(&format!("/api/v1/users/{owner_id}"), json!({ "role": "manager" }), 200).await;
}

#[tokio::test]
async fn listing_pages_sorts_searches_and_filters() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    app.move_to_plan("acme", "enterprise").await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    for i in 0..24 {
        let role = if i % 3 == 0 { "supervisor" } else { "attendant" };
        let created = as_owner
            .post(
                "/api/v1/users",
                json!({ "name": format!("User {i:02}"), "email": format!("u{i:02}@acme.test"), "role": role }),
                201,
            )
            .await;
        if i == 5 {
            let id = created["data"]["id"].as_str().unwrap();
            app.call(Method::PATCH, &owner, "acme", &format!("/api/v1/users/{id}"), Some(json!({ "active": false })))
                .await;
        }
    }
    let page1 = as_owner.get("/api/v1/users", 200).await;
    let meta = &page1["meta"];
    assert_eq!(
        (&meta["current_page"], &meta["page_size"], &meta["total_pages"], &meta["total_count"]),
        (&json!(1), &json!(20), &json!(2), &json!(25))
    );
    assert_eq!(meta["total_count_capped"], false);
    assert!(meta["next_cursor"].is_string(), "a second page follows: {meta}");
    assert_eq!(page1["data"].as_array().unwrap().len(), 20);
    assert_eq!(page1["data"][0]["name"], "Owner of acme");
    let (_, page2) = app.get_json(&owner, "acme", "/api/v1/users?page=2&page_size=20").await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 5);
    assert_eq!(page2["data"][4]["name"], "User 23");
    let (_, desc) = app.get_json(&owner, "acme", "/api/v1/users?sort_by=email&sort_order=desc&page_size=3").await;
    let emails: Vec<&str> = desc["data"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["u23@acme.test", "u22@acme.test", "u21@acme.test"]);
    let (_, found) = app.get_json(&owner, "acme", "/api/v1/users?search=USER%201").await;
    assert_eq!(found["meta"]["total_count"], 10);
    let (_, sup) = app.get_json(&owner, "acme", "/api/v1/users?role=supervisor&active=true").await;
    assert_eq!(sup["meta"]["total_count"], 8);
    let (_, inactive) = app.get_json(&owner, "acme", "/api/v1/users?active=false").await;
    assert_eq!(inactive["data"][0]["name"], "User 05");
    let (_, past) = app.get_json(&owner, "acme", "/api/v1/users?page=9").await;
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["meta"]["total_count"], 25);
    let bad = as_owner.get("/api/v1/users?page=0&page_size=101&sort_by=password_hash&role=god&active=maybe", 422).await;
    for field in ["page", "page_size", "sort_by", "role", "active"] {
        assert!(bad["errors"][field].is_array(), "{field}: {bad}");
    }
    let (_, wild) = app.get_json(&owner, "acme", "/api/v1/users?search=%25").await;
    assert_eq!(wild["meta"]["total_count"], 0, "% is searched literally");
}

#[tokio::test]
async fn bodies_with_foreign_fields_are_refused() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let id = user_id(&app, &t["owner"], "acme", "attendant@acme.test").await;
    for (path, method, body) in [
        (
            "/api/v1/users".to_string(),
            Method::POST,
            json!({ "name": "A", "email": "a@acme.test", "role": "attendant", "company_id": "x" }),
        ),
        (
            "/api/v1/users".to_string(),
            Method::POST,
            json!({ "name": "A", "email": "a@acme.test", "role": "attendant", "tenant": "beta" }),
        ),
        (format!("/api/v1/users/{id}"), Method::PUT, json!({ "is_owner": true })),
        (format!("/api/v1/users/{id}"), Method::PATCH, json!({ "password_hash": "x" })),
        ("/api/v1/departments".to_string(), Method::POST, json!({ "name": "D", "company_id": "x" })),
        ("/api/v1/company".to_string(), Method::PUT, json!({ "slug": "other" })),
        ("/api/v1/company".to_string(), Method::PUT, json!({ "plan": "enterprise" })),
    ] {
        app.as_user(&t["owner"], "acme").request(method, &path, Some(body), 422).await;
    }
    let (_, list) = app.get_json(&t["owner"], "acme", "/api/v1/users?search=a@acme.test").await;
    assert_eq!(list["meta"]["total_count"], 0, "nothing was created");
}

#[tokio::test]
async fn deactivation_ends_tokens_and_sessions_at_once() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let id = user_id(&app, &t["owner"], "acme", "attendant@acme.test").await;
    let pair = app.login_ok("acme", "attendant@acme.test", PASSWORD).await;
    let browser = form_sign_in(&app.address, "attendant@acme.test").await;
    assert_eq!(browser.get(app.url("/")).send().await.unwrap().status(), 200, "signed in in a browser");
    let as_owner = app.as_user(&t["owner"], "acme");
    as_owner.patch(&format!("/api/v1/users/{id}"), json!({ "active": false }), 200).await;
    assert_eq!(app.get_me(&t["attendant"], "acme").await.status(), 401);
    assert_eq!(app.refresh(&token(&pair, "refresh_token")).await.status(), 401);
    assert!(browser.get(app.url("/")).send().await.unwrap().status().is_redirection(), "the web session ended");
    assert_eq!(app.login("acme", "attendant@acme.test", PASSWORD).await.status(), 401);
    as_owner.patch(&format!("/api/v1/users/{id}"), json!({ "active": true }), 200).await;
    app.login_ok("acme", "attendant@acme.test", PASSWORD).await;
}

#[tokio::test]
async fn users_created_without_a_password_get_a_working_invitation() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let body = app
        .as_user(&t["manager"], "acme")
        .post("/api/v1/users", json!({ "name": "Inês", "email": "ines@acme.test", "role": "attendant" }), 201)
        .await;
    let path = body["invitation_path"].as_str().unwrap().to_string();
    assert_eq!(app.login("acme", "ines@acme.test", "").await.status(), 422);
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "the invitation page opens without a session");
    // Before any password: the company, who invited (the manager, named "manager") and the address.
    let page = res.text().await.unwrap();
    assert!(page.contains("manager convidou você para a equipe de Company acme."), "{page}");
    assert!(page.contains("invitation-email") && page.contains("ines@acme.test"), "{page}");
    assert!(page.contains("name=\"password\"") && !page.contains("invitation-unusable"));
    let token = path.trim_start_matches("/invitation/");
    let browser = browser();
    let res = browser
        .post(app.url("/rpc/accept_invitation"))
        .header("accept", "text/html")
        .form(&[("token", token), ("password", "invited and chosen")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/");
    app.login_ok("acme", "ines@acme.test", "invited and chosen").await;
    let res = browser
        .post(app.url("/rpc/accept_invitation"))
        .header("accept", "application/json")
        .form(&[("token", token), ("password", "a second choice!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "an invitation works once");
    // A used link says so at once, without asking for a password or naming the person again.
    let page = app.client.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("invitation-unusable") && !page.contains("name=\"password\""), "{page}");
    assert!(!page.contains("ines@acme.test"));
    // So does a link that names nothing, and it tells nothing about any company.
    let forged = format!("/invitation/acme.{}", "A".repeat(43));
    let page = app.client.get(app.url(&forged)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("invitation-unusable") && !page.contains("Company acme"), "{page}");
}

#[tokio::test]
async fn each_user_shows_when_they_last_signed_in() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let as_owner = app.as_user(&t["owner"], "acme");
    let created = as_owner
        .post(
            "/api/v1/users",
            json!({ "name": "Nova", "email": "nova@acme.test", "role": "attendant", "password": PASSWORD }),
            201,
        )
        .await;
    let nova = created["data"]["id"].as_str().unwrap().to_string();
    // Someone who never signed in says so.
    let (_, before) = app.get_json(&t["owner"], "acme", &format!("/api/v1/users/{nova}")).await;
    assert!(before["data"]["last_sign_in_at"].is_null(), "{before}");

    let started = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    app.login_ok("acme", "nova@acme.test", PASSWORD).await;
    let (_, after) = app.get_json(&t["owner"], "acme", &format!("/api/v1/users/{nova}")).await;
    let at = after["data"]["last_sign_in_at"].as_str().unwrap_or_else(|| panic!("no sign-in time in {after}"));
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(at >= started, "{at} is before the sign-in");
    // The list carries it too, and a failed sign-in changes nothing.
    app.login("acme", "nova@acme.test", "not the password").await;
    let (_, list) = app.get_json(&t["owner"], "acme", "/api/v1/users?search=nova@acme.test").await;
    assert_eq!(list["data"][0]["last_sign_in_at"], after["data"]["last_sign_in_at"], "{list}");
}
