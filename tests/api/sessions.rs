//! Sessions people can see and end: the list, ending one / all others / another user's, logout,
//! absolute lifetimes, refresh families bound to the password they began under, concurrent
//! refreshes.
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{browser, spawn_app, staffed, token, user_id, TestApp, PASSWORD};

/// Signs a browser in through the sign-in form (as the JavaScript client does).
async fn browser_sign_in(app: &TestApp, email: &str) -> reqwest::Client {
    let web = browser();
    let res = web
        .post(app.url("/rpc/login"))
        .header("user-agent", "Firefox/140 (test)")
        .form(&[("tenant", "acme"), ("email", email), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    web
}

/// Ends the session of a sign-in's answer (its refresh token) through the API.
async fn log_out(app: &TestApp, signed_in: &Value) {
    let res = app
        .client
        .post(app.url("/api/auth/logout"))
        .json(&json!({ "refresh_token": token(signed_in, "refresh_token") }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

async fn sessions(app: &TestApp, access: &str) -> Vec<Value> {
    let list = app.as_user(access, "acme").get("/api/v1/users/me/sessions", 200).await;
    list["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_list_shows_browser_and_api_sessions_and_marks_the_current_one() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let first = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let _web = browser_sign_in(&app, "owner@acme.test").await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("user-agent", "atrium-cli/1.0")
        .json(&json!({ "tenant": "acme", "email": "owner@acme.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let current = res.json::<Value>().await.unwrap()["data"].clone();

    let list = sessions(&app, &token(&current, "access_token")).await;
    assert_eq!(list.len(), 3, "{list:?}");
    let marked: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0]["kind"], "api");
    assert_eq!(marked[0]["user_agent"], "atrium-cli/1.0");
    assert_eq!(marked[0]["address"], "127.0.0.1");
    let web: Vec<&Value> = list.iter().filter(|s| s["kind"] == "browser").collect();
    assert_eq!(web.len(), 1);
    assert_eq!(web[0]["user_agent"], "Firefox/140 (test)");
    for s in &list {
        for field in ["id", "created_at", "last_used_at", "expires_at"] {
            assert!(s[field].is_string(), "{field} in {s}");
        }
    }
    // Seen from the first API session, that one is current instead.
    let from_first = sessions(&app, &token(&first, "access_token")).await;
    let current_id = from_first.iter().find(|s| s["current"] == true).unwrap()["id"].clone();
    assert_ne!(current_id, marked[0]["id"]);
}

#[tokio::test]
async fn ending_a_session_ends_its_tokens_at_once() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let victim = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let me = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&me, "access_token");
    let list = sessions(&app, &access).await;
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();

    app.as_user(&access, "acme").delete(&format!("/api/v1/users/me/sessions/{other}"), 204).await;
    assert_eq!(app.get_me(&token(&victim, "access_token"), "acme").await.status(), 401, "its access token");
    assert_eq!(app.refresh(&token(&victim, "refresh_token")).await.status(), 401, "its refresh token");
    assert_eq!(app.get_me(&access, "acme").await.status(), 200, "this session goes on");
    assert_eq!(sessions(&app, &access).await.len(), 1);
    // Ending it again, or an id that is not one of this user's sessions: 404.
    app.as_user(&access, "acme").delete(&format!("/api/v1/users/me/sessions/{other}"), 404).await;
    app.as_user(&access, "acme").delete(&format!("/api/v1/users/me/sessions/{}", uuid::Uuid::new_v4()), 404).await;
    app.as_user(&access, "acme").delete("/api/v1/users/me/sessions/not-a-uuid", 404).await;
}

#[tokio::test]
async fn ending_all_others_keeps_only_this_one() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let a = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let web = browser_sign_in(&app, "owner@acme.test").await;
    let me = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&me, "access_token");
    app.as_user(&access, "acme").delete("/api/v1/users/me/sessions", 204).await;
    let ended: i64 = sqlx::query_scalar("SELECT count(*) FROM t_acme.user_sessions WHERE ended_at IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(ended, 2);
    assert_eq!(app.get_me(&token(&a, "access_token"), "acme").await.status(), 401);
    // The browser's session is gone: its next page goes to the sign-in page.
    let page = web.get(app.url("/profile")).send().await.unwrap();
    assert_eq!(page.status(), 303, "redirected to /login");
    assert_eq!(app.get_me(&access, "acme").await.status(), 200);
    assert_eq!(sessions(&app, &access).await.len(), 1);
}

#[tokio::test]
async fn another_users_own_sessions_stay_out_of_reach() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    let owner = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let owner_sessions = sessions(&app, &token(&owner, "access_token")).await;
    let owner_session = owner_sessions[0]["id"].as_str().unwrap();
    // A manager cannot end the owner's session through their own list.
    app.as_user(&staff["manager"], "acme").delete(&format!("/api/v1/users/me/sessions/{owner_session}"), 404).await;
    assert_eq!(app.get_me(&token(&owner, "access_token"), "acme").await.status(), 200);
}

#[tokio::test]
async fn managers_end_another_users_sessions_without_deactivating_them() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    let attendant_id = user_id(&app, &staff["owner"], "acme", "attendant@acme.test").await;
    let owner_id = user_id(&app, &staff["owner"], "acme", "owner@acme.test").await;
    let attendant = app.login_ok("acme", "attendant@acme.test", PASSWORD).await;

    // Not below manager, and never someone above one's own role.
    app.as_user(&staff["attendant"], "acme").delete(&format!("/api/v1/users/{owner_id}/sessions"), 403).await;
    app.as_user(&staff["supervisor"], "acme").delete(&format!("/api/v1/users/{attendant_id}/sessions"), 403).await;
    app.as_user(&staff["manager"], "acme").delete(&format!("/api/v1/users/{owner_id}/sessions"), 403).await;
    app.as_user(&staff["manager"], "acme")
        .delete(&format!("/api/v1/users/{}/sessions", uuid::Uuid::new_v4()), 404)
        .await;

    app.as_user(&staff["manager"], "acme").delete(&format!("/api/v1/users/{attendant_id}/sessions"), 204).await;
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM t_acme.user_sessions WHERE ended_at IS NOT NULL AND user_id = $1::uuid",
    )
    .bind(&attendant_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ended, 2, "staffed() signed the attendant in once, and this test once more");
    assert_eq!(app.get_me(&token(&attendant, "access_token"), "acme").await.status(), 401);
    assert_eq!(app.get_me(&staff["attendant"], "acme").await.status(), 401);
    assert_eq!(app.refresh(&token(&attendant, "refresh_token")).await.status(), 401);
    // Still active: they sign in again.
    app.login_ok("acme", "attendant@acme.test", PASSWORD).await;
}

#[tokio::test]
async fn logout_also_stops_the_access_tokens_of_its_session() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let other = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    log_out(&app, &data).await;
    assert_eq!(app.get_me(&token(&data, "access_token"), "acme").await.status(), 401);
    assert_eq!(app.get_me(&token(&other, "access_token"), "acme").await.status(), 200, "other sessions go on");
}

/// Requests that arrive together are authenticated by one read for all of them
/// (`user_loader.rs`: one statement for a lone pair, another for several): each must still get
/// its own user, and an ended session its 401, whatever else shares its batch.
#[tokio::test]
async fn requests_read_together_each_get_their_own_user_and_session() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    let ended = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    log_out(&app, &ended).await;
    let mut callers: Vec<(String, Option<String>)> =
        staff.iter().map(|(role, access)| (access.clone(), Some(format!("{role}@acme.test")))).collect();
    callers.push((token(&ended, "access_token"), None));

    for _ in 0..3 {
        let calls = (0..60).map(|i| {
            let (access, email) = callers[i % callers.len()].clone();
            let app = &app;
            async move { (app.get_me(&access, "acme").await, email) }
        });
        for (res, email) in join_all(calls).await {
            match email {
                Some(email) => {
                    assert_eq!(res.status(), 200);
                    let me: Value = res.json().await.unwrap();
                    assert_eq!(me["data"]["email"], email.as_str());
                }
                None => assert_eq!(res.status(), 401, "an ended session stays ended in a batch"),
            }
        }
    }
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_whatever_the_activity() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let web = browser_sign_in(&app, "owner@acme.test").await;
    assert_eq!(web.get(app.url("/profile")).send().await.unwrap().status(), 200);

    // Each session ends 30 days after sign-in (the default), set when it begins.
    let ages: Vec<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - created_at)::float8 FROM t_acme.user_sessions ORDER BY kind",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(ages.len(), 2);
    for age in ages {
        assert!((age - 30.0 * 86_400.0).abs() < 5.0, "{age}");
    }

    // The clock moves 30 days on: sessions begun then have reached their end, used or not.
    sqlx::query("UPDATE t_acme.user_sessions SET created_at = created_at - interval '30 days', expires_at = expires_at - interval '30 days', last_used_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get_me(&token(&data, "access_token"), "acme").await.status(), 401, "access token");
    assert_eq!(app.refresh(&token(&data, "refresh_token")).await.status(), 401, "refresh token");
    assert_eq!(web.get(app.url("/profile")).send().await.unwrap().status(), 303, "browser session");
}

#[tokio::test]
async fn a_refresh_family_from_before_a_password_change_cannot_go_on() {
    let app = spawn_app().await;
    let t = app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    // A password change that committed while this family's refresh was in flight: the user's
    // credential version moved, the family's did not (its row was not yet there to revoke).
    sqlx::query("UPDATE t_acme.users SET security_version = security_version + 1 WHERE id = $1")
        .bind(t.owner_id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.refresh(&token(&data, "refresh_token")).await.status(), 401);
}

#[tokio::test]
async fn two_concurrent_refreshes_get_the_same_pair_and_late_reuse_revokes_the_family() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let r1 = token(&data, "refresh_token");
    let (a, b) = tokio::join!(app.refresh(&r1), app.refresh(&r1));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a = a.json::<Value>().await.unwrap()["data"].clone();
    let b = b.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(token(&a, "refresh_token"), token(&b, "refresh_token"), "one successor for both");
    assert_eq!(app.get_me(&token(&b, "access_token"), "acme").await.status(), 200);

    // After the grace, presenting the used token again is reuse: the family ends.
    sqlx::query("UPDATE t_acme.refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.refresh(&r1).await.status(), 401);
    assert_eq!(app.refresh(&token(&a, "refresh_token")).await.status(), 401, "the family was revoked");
    let res = app.call(Method::GET, &token(&a, "access_token"), "acme", "/api/v1/users/me", None).await;
    assert_eq!(res.status(), 200, "access tokens already issued live out their 15 minutes");
}

#[tokio::test]
async fn once_the_successor_is_used_the_grace_is_over() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let data = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let r1 = token(&data, "refresh_token");
    let second = app.refresh(&r1).await.json::<Value>().await.unwrap()["data"].clone();
    let r2 = token(&second, "refresh_token");
    assert_eq!(app.refresh(&r2).await.status(), 200);
    assert_eq!(app.refresh(&r1).await.status(), 401, "r1 again, its successor already exchanged: reuse");
}

#[tokio::test]
async fn the_owner_signs_everyone_out_but_themselves() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    app.as_user(&staff["manager"], "acme").delete("/api/v1/sessions", 403).await;
    let owner_elsewhere = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    app.as_user(&staff["owner"], "acme").delete("/api/v1/sessions", 204).await;
    let ended: i64 = sqlx::query_scalar("SELECT count(*) FROM t_acme.user_sessions WHERE ended_at IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(ended, 4, "three staff sessions and the owner's other one");
    for role in ["manager", "supervisor", "attendant"] {
        assert_eq!(app.get_me(&staff[role], "acme").await.status(), 401, "{role}");
    }
    assert_eq!(app.get_me(&token(&owner_elsewhere, "access_token"), "acme").await.status(), 401);
    assert_eq!(app.get_me(&staff["owner"], "acme").await.status(), 200, "the owner's own session goes on");
    // Nobody is deactivated: they sign in again.
    app.login_ok("acme", "manager@acme.test", PASSWORD).await;
}
