use std::collections::HashMap;

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, TestApp, PASSWORD};

/// A tenant with one user of each role; returns their access tokens by role.
async fn staffed(app: &TestApp, slug: &str) -> HashMap<&'static str, String> {
    app.tenant(slug, &format!("owner@{slug}.test"), PASSWORD).await;
    let owner = token(&app.login_ok(slug, &format!("owner@{slug}.test"), PASSWORD).await, "access_token");
    let mut tokens = HashMap::from([("owner", owner.clone())]);
    for role in ["manager", "supervisor", "attendant"] {
        let email = format!("{role}@{slug}.test");
        let res = app
            .post(
                &owner,
                slug,
                "/api/v1/users",
                json!({ "name": role, "email": email, "role": role, "password": PASSWORD }),
            )
            .await;
        assert_eq!(res.status(), 201, "creating {role}");
        tokens.insert(role, token(&app.login_ok(slug, &email, PASSWORD).await, "access_token"));
    }
    tokens
}

impl TestApp {
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: &str,
        tenant: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(token).header("X-Tenant", tenant);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }
    pub async fn post(&self, token: &str, tenant: &str, path: &str, body: Value) -> reqwest::Response {
        self.call(reqwest::Method::POST, token, tenant, path, Some(body)).await
    }
    pub async fn get_json(&self, token: &str, tenant: &str, path: &str) -> (u16, Value) {
        let res = self.call(reqwest::Method::GET, token, tenant, path, None).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

async fn user_id(app: &TestApp, owner: &str, slug: &str, email: &str) -> String {
    let (_, body) = app.get_json(owner, slug, &format!("/api/v1/users?search={email}")).await;
    body["data"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn role_by_endpoint_matrix() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    // Limits are tested on their own; here every create should pass them.
    sqlx::query("UPDATE public.tenants SET plan_id = 'enterprise' WHERE slug = 'acme'")
        .execute(&app.pool)
        .await
        .unwrap();
    let owner = t["owner"].clone();
    let attendant_id = user_id(&app, &owner, "acme", "attendant@acme.test").await;
    let dept = app
        .post(&owner, "acme", "/api/v1/departments", json!({ "name": "Sales" }))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let dept_id = dept["data"]["id"].as_str().unwrap().to_string();

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

    let res = app
        .post(&t["manager"], "acme", "/api/v1/users", json!({ "name": "X", "email": "x@acme.test", "role": "owner" }))
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .call(
            reqwest::Method::PUT,
            &t["manager"],
            "acme",
            &format!("/api/v1/users/{attendant_id}"),
            Some(json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .call(
            reqwest::Method::PUT,
            &t["manager"],
            "acme",
            &format!("/api/v1/users/{owner_id}"),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(res.status(), 403, "a manager cannot touch an owner");
    let res = app
        .call(
            reqwest::Method::PUT,
            &t["manager"],
            "acme",
            &format!("/api/v1/users/{attendant_id}"),
            Some(json!({ "role": "manager" })),
        )
        .await;
    assert_eq!(res.status(), 200, "up to one's own role is fine");

    let res = app
        .call(
            reqwest::Method::PUT,
            &t["owner"],
            "acme",
            &format!("/api/v1/users/{owner_id}"),
            Some(json!({ "role": "manager" })),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "last_owner");

    // Two owners demoting each other at the same moment: exactly one succeeds.
    let res = app
        .call(
            reqwest::Method::PUT,
            &t["owner"],
            "acme",
            &format!("/api/v1/users/{manager_id}"),
            Some(json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(res.status(), 200);
    let second_owner = token(&app.login_ok("acme", "manager@acme.test", PASSWORD).await, "access_token");
    for _ in 0..5 {
        let (to_manager, to_owner) = (format!("/api/v1/users/{manager_id}"), format!("/api/v1/users/{owner_id}"));
        let demote = Some(json!({ "role": "manager" }));
        let (a, b) = tokio::join!(
            app.call(reqwest::Method::PUT, &t["owner"], "acme", &to_manager, demote.clone()),
            app.call(reqwest::Method::PUT, &second_owner, "acme", &to_owner, demote.clone()),
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
async fn listing_pages_sorts_searches_and_filters() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    sqlx::query("UPDATE public.tenants SET plan_id = 'enterprise' WHERE slug = 'acme'")
        .execute(&app.pool)
        .await
        .unwrap();
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    for i in 0..24 {
        let role = if i % 3 == 0 { "supervisor" } else { "attendant" };
        let res = app
            .post(
                &owner,
                "acme",
                "/api/v1/users",
                json!({ "name": format!("User {i:02}"), "email": format!("u{i:02}@acme.test"), "role": role }),
            )
            .await;
        assert_eq!(res.status(), 201);
        if i == 5 {
            let id = res.json::<Value>().await.unwrap()["data"]["id"].as_str().unwrap().to_string();
            app.call(
                reqwest::Method::PATCH,
                &owner,
                "acme",
                &format!("/api/v1/users/{id}"),
                Some(json!({ "active": false })),
            )
            .await;
        }
    }
    let (s, page1) = app.get_json(&owner, "acme", "/api/v1/users").await;
    assert_eq!(s, 200);
    assert_eq!(page1["meta"], json!({ "current_page": 1, "page_size": 20, "total_pages": 2, "total_count": 25 }));
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
    let (s, bad) = app
        .get_json(&owner, "acme", "/api/v1/users?page=0&page_size=101&sort_by=password_hash&role=god&active=maybe")
        .await;
    assert_eq!(s, 422);
    for field in ["page", "page_size", "sort_by", "role", "active"] {
        assert!(bad["errors"][field].is_array(), "{field}: {bad}");
    }
    let (_, wild) = app.get_json(&owner, "acme", "/api/v1/users?search=%25").await;
    assert_eq!(wild["meta"]["total_count"], 0, "% is searched literally");
}

#[tokio::test]
async fn another_tenants_ids_answer_404_exactly_like_missing_ones() {
    let app = spawn_app().await;
    let a = staffed(&app, "alpha").await;
    let b = staffed(&app, "beta").await;
    let b_user = user_id(&app, &b["owner"], "beta", "attendant@beta.test").await;
    let b_dept = app
        .post(&b["owner"], "beta", "/api/v1/departments", json!({ "name": "B" }))
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a_dept = app
        .post(&a["owner"], "alpha", "/api/v1/departments", json!({ "name": "A" }))
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a_user = user_id(&app, &a["owner"], "alpha", "attendant@alpha.test").await;
    let missing = uuid::Uuid::new_v4().to_string();

    use reqwest::Method as M;
    let not_found = json!({ "errors": { "detail": "Not found", "code": "not_found" } });
    for foreign in [&b_user, &missing] {
        for (method, path, body) in [
            (M::GET, format!("/api/v1/users/{foreign}"), None),
            (M::PUT, format!("/api/v1/users/{foreign}"), Some(json!({ "name": "hijack" }))),
            (M::PATCH, format!("/api/v1/users/{foreign}"), Some(json!({ "active": false }))),
            (M::POST, format!("/api/v1/departments/{a_dept}/users"), Some(json!({ "user_id": foreign }))),
            (M::DELETE, format!("/api/v1/departments/{a_dept}/users/{foreign}"), None),
        ] {
            let res = app.call(method.clone(), &a["owner"], "alpha", &path, body).await;
            assert_eq!(res.status(), 404, "{method} {path}");
            assert_eq!(res.json::<Value>().await.unwrap(), not_found);
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
            let res = app.call(method.clone(), &a["owner"], "alpha", &path, body).await;
            assert_eq!(res.status(), 404, "{method} {path}");
            assert_eq!(res.json::<Value>().await.unwrap(), not_found);
        }
    }
    let (_, still) = app.get_json(&b["owner"], "beta", &format!("/api/v1/users/{b_user}")).await;
    assert_eq!(still["data"]["active"], true);
    assert_eq!(still["data"]["name"], "attendant");
    let (s, _) = app.get_json(&b["owner"], "beta", &format!("/api/v1/departments/{b_dept}")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn bodies_with_foreign_fields_are_refused() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let id = user_id(&app, &t["owner"], "acme", "attendant@acme.test").await;
    for (path, method, body) in [
        (
            "/api/v1/users".to_string(),
            reqwest::Method::POST,
            json!({ "name": "A", "email": "a@acme.test", "role": "attendant", "company_id": "x" }),
        ),
        (
            "/api/v1/users".to_string(),
            reqwest::Method::POST,
            json!({ "name": "A", "email": "a@acme.test", "role": "attendant", "tenant": "beta" }),
        ),
        (format!("/api/v1/users/{id}"), reqwest::Method::PUT, json!({ "is_owner": true })),
        (format!("/api/v1/users/{id}"), reqwest::Method::PATCH, json!({ "password_hash": "x" })),
        ("/api/v1/departments".to_string(), reqwest::Method::POST, json!({ "name": "D", "company_id": "x" })),
        ("/api/v1/company".to_string(), reqwest::Method::PUT, json!({ "slug": "other" })),
        ("/api/v1/company".to_string(), reqwest::Method::PUT, json!({ "plan": "enterprise" })),
    ] {
        let res = app.call(method.clone(), &t["owner"], "acme", &path, Some(body.clone())).await;
        assert_eq!(res.status(), 422, "{method} {path} {body}");
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
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = browser
        .post(app.url("/rpc/login"))
        .header("accept", "text/html")
        .form(&[("tenant", "acme"), ("email", "attendant@acme.test"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(browser.get(app.url("/")).send().await.unwrap().status(), 200, "signed in in a browser");
    let res = app
        .call(
            reqwest::Method::PATCH,
            &t["owner"],
            "acme",
            &format!("/api/v1/users/{id}"),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get_me(&t["attendant"], "acme").await.status(), 401);
    assert_eq!(app.refresh(&token(&pair, "refresh_token")).await.status(), 401);
    assert!(browser.get(app.url("/")).send().await.unwrap().status().is_redirection(), "the web session ended");
    assert_eq!(app.login("acme", "attendant@acme.test", PASSWORD).await.status(), 401);
    let res = app
        .call(
            reqwest::Method::PATCH,
            &t["owner"],
            "acme",
            &format!("/api/v1/users/{id}"),
            Some(json!({ "active": true })),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.login_ok("acme", "attendant@acme.test", PASSWORD).await;
}

#[tokio::test]
async fn plan_limits_hold_exactly_under_20_concurrent_creates() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    // Starter: 5 users, 3 departments. Leave one slot of each.
    for i in 0..3 {
        let res = app
            .post(
                &owner,
                "acme",
                "/api/v1/users",
                json!({ "name": "U", "email": format!("u{i}@acme.test"), "role": "attendant" }),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    for i in 0..2 {
        assert_eq!(
            app.post(&owner, "acme", "/api/v1/departments", json!({ "name": format!("D{i}") })).await.status(),
            201
        );
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

#[tokio::test]
async fn departments_members_and_company() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let o = &t["owner"];
    let res =
        app.post(o, "acme", "/api/v1/departments", json!({ "name": "Suporte Técnico", "max_queue_size": 10 })).await;
    let dept = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(dept["identifier"], "suporte-tecnico");
    assert_eq!(dept["user_count"], 0);
    let again = app
        .post(o, "acme", "/api/v1/departments", json!({ "name": "Suporte técnico" }))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(again["data"]["identifier"], "suporte-tecnico-2");
    let dup = app.post(o, "acme", "/api/v1/departments", json!({ "name": "X", "identifier": "suporte-tecnico" })).await;
    assert_eq!(dup.status(), 422);
    let id = dept["id"].as_str().unwrap();
    let member = user_id(&app, o, "acme", "attendant@acme.test").await;
    let res = app.post(o, "acme", &format!("/api/v1/departments/{id}/users"), json!({ "user_id": member })).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["user_count"], 1);
    let (_, members) = app.get_json(o, "acme", &format!("/api/v1/departments/{id}/users")).await;
    assert_eq!(members["data"][0]["email"], "attendant@acme.test");
    let res =
        app.call(reqwest::Method::DELETE, o, "acme", &format!("/api/v1/departments/{id}/users/{member}"), None).await;
    assert_eq!(res.status(), 204);
    let res = app.call(reqwest::Method::DELETE, o, "acme", &format!("/api/v1/departments/{id}"), None).await;
    assert_eq!(res.status(), 204);

    let res = app
        .call(
            reqwest::Method::PUT,
            o,
            "acme",
            "/api/v1/company",
            Some(json!({ "name": "Acme Ltda", "email": "contato@acme.test", "primary_color": "#112233" })),
        )
        .await;
    assert_eq!(res.status(), 200);
    let company = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(company["name"], "Acme Ltda");
    assert_eq!(company["slug"], "acme");
    assert_eq!(company["plan"], "starter");
    let bad = app
        .call(
            reqwest::Method::PUT,
            o,
            "acme",
            "/api/v1/company",
            Some(json!({ "email": "nope", "primary_color": "red", "logo_url": "javascript:alert(1)" })),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let login = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    assert_eq!(login["tenant"]["name"], "Acme Ltda");
}

#[tokio::test]
async fn users_created_without_a_password_get_a_working_invitation() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let res = app
        .post(
            &t["manager"],
            "acme",
            "/api/v1/users",
            json!({ "name": "Inês", "email": "ines@acme.test", "role": "attendant" }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body = res.json::<Value>().await.unwrap();
    let path = body["invitation_path"].as_str().unwrap().to_string();
    assert_eq!(app.login("acme", "ines@acme.test", "").await.status(), 422);
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "the invitation page opens without a session");
    let token = path.trim_start_matches("/invitation/");
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
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
}
