//! Two-step sign-in with real TOTP codes computed here from the secret the API hands out.
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::helpers::{spawn_app, staffed, token, user_id, TestApp, PASSWORD};

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The code an authenticator app shows for `secret` at `time`.
fn code_at(secret: &str, time: u64) -> String {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).generate(time)
}

/// Enrols the user of `access` and answers (secret, recovery codes).
async fn enrol(app: &TestApp, access: &str, slug: &str) -> (String, Vec<String>) {
    let me = app.as_user(access, slug);
    let started = me.post("/api/v1/users/me/mfa", json!({}), 200).await;
    let secret = started["data"]["secret"].as_str().unwrap().to_string();
    let uri = started["data"]["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Atrium:") && uri.contains(&format!("secret={secret}")), "{uri}");
    // A wrong code does not turn it on.
    let wrong = me.post("/api/v1/users/me/mfa/confirm", json!({ "code": "000000" }), 422).await;
    assert_eq!(wrong, json!({ "errors": { "code": ["is incorrect"] } }));
    let done = me.post("/api/v1/users/me/mfa/confirm", json!({ "code": code_at(&secret, now()) }), 200).await;
    let codes: Vec<String> =
        done["data"]["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    (secret, codes)
}

/// The first step of a sign-in with two-step on: answers the mfa_token.
async fn first_step(app: &TestApp, email: &str) -> String {
    let res = app.login("acme", email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    let data = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["mfa_required"], true, "{data}");
    assert!(data.get("access_token").is_none() && data.get("refresh_token").is_none(), "no tokens yet: {data}");
    data["mfa_token"].as_str().unwrap().to_string()
}

async fn second_step(app: &TestApp, mfa_token: &str, code: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/mfa/verify"))
        .json(&json!({ "mfa_token": mfa_token, "code": code }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn enrol_then_sign_in_with_a_code_which_is_accepted_once() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, codes) = enrol(&app, &access, "acme").await;
    assert_eq!(codes.len(), 10);
    let me = app.as_user(&access, "acme").get("/api/v1/users/me", 200).await;
    assert_eq!(me["data"]["mfa_enabled"], true);
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM t_acme.mfa_recovery_codes").fetch_all(&app.pool).await.unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|h| h.starts_with("$argon2id$")), "salted hashes, not the codes");

    // The code that confirmed the set-up cannot sign in (already used in its window).
    let token_1 = first_step(&app, "owner@acme.test").await;
    // The next step's code: fresh, accepted once.
    let code = code_at(&secret, now() + 30);
    let res = second_step(&app, &token_1, &code).await;
    assert_eq!(res.status(), 200);
    let data = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["user"]["email"], "owner@acme.test");
    assert_eq!(app.get_me(&token(&data, "access_token"), "acme").await.status(), 200);

    // The mfa_token is single use; and the same code again, on a new challenge, is a replay.
    assert_eq!(second_step(&app, &token_1, &code).await.status(), 401);
    let token_2 = first_step(&app, "owner@acme.test").await;
    let replay = second_step(&app, &token_2, &code).await;
    assert_eq!(replay.status(), 401);
    assert_eq!(replay.json::<Value>().await.unwrap()["errors"]["code"], "invalid_mfa_code");
}

#[tokio::test]
async fn recovery_codes_work_once_each() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (_, codes) = enrol(&app, &access, "acme").await;
    let t = first_step(&app, "owner@acme.test").await;
    // Typed in capitals and without the dash, as people do.
    let typed = codes[3].to_uppercase().replace('-', "");
    assert_eq!(second_step(&app, &t, &typed).await.status(), 200);
    let t = first_step(&app, "owner@acme.test").await;
    assert_eq!(second_step(&app, &t, &codes[3]).await.status(), 401, "used up");
    assert_eq!(second_step(&app, &t, &codes[4]).await.status(), 200, "another one still works");
}

#[tokio::test]
async fn a_challenge_takes_five_wrong_codes_then_is_over() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, _) = enrol(&app, &access, "acme").await;
    let t = first_step(&app, "owner@acme.test").await;
    for _ in 0..5 {
        let res = second_step(&app, &t, "123456").await;
        assert_eq!(res.status(), 401);
        assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "invalid_mfa_code");
    }
    let res = second_step(&app, &t, &code_at(&secret, now() + 30)).await;
    assert_eq!(res.status(), 401, "even the right code: the challenge is over");
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "invalid_mfa_token");
}

#[tokio::test]
async fn an_mfa_token_expires_and_is_bound_to_its_tenant() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, _) = enrol(&app, &access, "acme").await;
    let t = first_step(&app, "owner@acme.test").await;
    // Another tenant's name on the same secret finds no challenge.
    let (_, rest) = t.split_once('.').unwrap();
    app.tenant("other", "owner@other.test", PASSWORD).await;
    assert_eq!(second_step(&app, &format!("other.{rest}"), &code_at(&secret, now() + 30)).await.status(), 401);
    let lifetime: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - inserted_at)::float8 FROM t_acme.user_tokens WHERE purpose = 'mfa_challenge'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((lifetime - 300.0).abs() < 5.0, "5 minutes: {lifetime}");
    // Five minutes later it is over.
    sqlx::query(
        "UPDATE t_acme.user_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'mfa_challenge'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let res = second_step(&app, &t, &code_at(&secret, now() + 30)).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn turning_it_off_takes_the_password_or_a_code() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, _) = enrol(&app, &access, "acme").await;
    let me = app.as_user(&access, "acme");
    me.request(reqwest::Method::DELETE, "/api/v1/users/me/mfa", Some(json!({})), 422).await;
    let wrong = me
        .request(
            reqwest::Method::DELETE,
            "/api/v1/users/me/mfa",
            Some(json!({ "current_password": "not it at all" })),
            422,
        )
        .await;
    assert_eq!(wrong, json!({ "errors": { "current_password": ["is incorrect"] } }));
    me.request(
        reqwest::Method::DELETE,
        "/api/v1/users/me/mfa",
        Some(json!({ "code": code_at(&secret, now() + 30) })),
        204,
    )
    .await;
    assert_eq!(me.get("/api/v1/users/me", 200).await["data"]["mfa_enabled"], false);
    // Signing in is one step again.
    app.login_ok("acme", "owner@acme.test", PASSWORD).await["access_token"].as_str().unwrap();
    // And again with the password.
    let (_, _) = enrol(&app, &access, "acme").await;
    me.request(reqwest::Method::DELETE, "/api/v1/users/me/mfa", Some(json!({ "current_password": PASSWORD })), 204)
        .await;
    let mails = app.mail.wait_for("owner@acme.test", 4, std::time::Duration::from_secs(10)).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects.iter().filter(|s| s.starts_with("Two-step verification turned on")).count(), 2, "{subjects:?}");
    assert_eq!(
        subjects.iter().filter(|s| s.starts_with("Two-step verification turned off")).count(),
        2,
        "{subjects:?}"
    );
}

#[tokio::test]
async fn a_company_policy_keeps_users_without_a_second_factor_to_enrolling() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    // Only the owner sets the policy.
    app.as_user(&staff["manager"], "acme").put("/api/v1/company", json!({ "mfa_required": true }), 403).await;
    let company =
        app.as_user(&staff["owner"], "acme").put("/api/v1/company", json!({ "mfa_required": true }), 200).await;
    assert_eq!(company["data"]["mfa_required"], true);

    let attendant = token(&app.login_ok("acme", "attendant@acme.test", PASSWORD).await, "access_token");
    let me = app.as_user(&attendant, "acme");
    let refused = me.get("/api/v1/users/me/sessions", 403).await;
    assert_eq!(refused["errors"]["code"], "mfa_enrollment_required");
    me.put("/api/v1/users/me", json!({ "name": "Someone else" }), 403).await;
    me.get("/api/v1/users/me", 200).await;
    let (_, _) = enrol(&app, &attendant, "acme").await;
    me.get("/api/v1/users/me/sessions", 200).await;
}

#[tokio::test]
async fn a_manager_resets_a_users_second_factor_and_the_user_hears_of_it() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    let attendant_id = user_id(&app, &staff["owner"], "acme", "attendant@acme.test").await;
    let owner_id = user_id(&app, &staff["owner"], "acme", "owner@acme.test").await;
    enrol(&app, &staff["attendant"], "acme").await;
    app.as_user(&staff["supervisor"], "acme").delete(&format!("/api/v1/users/{attendant_id}/mfa"), 403).await;
    app.as_user(&staff["manager"], "acme").delete(&format!("/api/v1/users/{owner_id}/mfa"), 403).await;
    app.as_user(&staff["manager"], "acme").delete(&format!("/api/v1/users/{attendant_id}/mfa"), 204).await;
    let data = app.login_ok("acme", "attendant@acme.test", PASSWORD).await;
    assert!(data["access_token"].is_string(), "one step again: {data}");
    let mails = app.mail.wait_for("attendant@acme.test", 2, std::time::Duration::from_secs(10)).await;
    let reset = mails.iter().find(|m| m.subject.starts_with("Two-step verification reset")).expect("reset notice");
    assert!(reset.text.contains("manager reset two-step verification"), "{}", reset.text);
}

#[tokio::test]
async fn under_the_policy_a_browser_is_sent_to_set_up_and_other_actions_are_refused() {
    let app = spawn_app().await;
    let staff = staffed(&app, "acme").await;
    app.as_user(&staff["owner"], "acme").put("/api/v1/company", json!({ "mfa_required": true }), 200).await;
    let web = crate::helpers::browser();
    let res = web
        .post(app.url("/rpc/login"))
        .form(&[("tenant", "acme"), ("email", "attendant@acme.test"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for page in ["/", "/profile", "/departments"] {
        let res = web.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{page}");
        assert_eq!(res.headers()["location"], "/profile/mfa", "{page}");
    }
    assert_eq!(web.get(app.url("/profile/mfa")).send().await.unwrap().status(), 200);
    let res = web
        .post(app.url("/rpc/save_profile"))
        .form(&[("name", "Someone else"), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The enrolment page's own calls go through.
    let res = web.post(app.url("/rpc/start_mfa")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let setup: Value = res.json().await.unwrap();
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = setup["secret"].as_str().unwrap();
    let res = web.post(app.url("/rpc/confirm_mfa")).form(&[("code", code_at(secret, now()))]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let shown = |web: reqwest::Client| {
        let url = app.url("/rpc/recovery_codes_to_show");
        async move { web.post(url).json(&json!({})).send().await.unwrap().json::<Vec<String>>().await.unwrap() }
    };
    assert_eq!(shown(web.clone()).await.len(), 10);
    assert_eq!(shown(web.clone()).await.len(), 10, "until the person says they saved them");
    let res = web.post(app.url("/rpc/forget_recovery_codes")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(shown(web.clone()).await.is_empty(), "then never again");
    assert_eq!(web.get(app.url("/")).send().await.unwrap().status(), 200, "set up: the app is open");
}

#[tokio::test]
async fn the_sign_in_form_asks_for_the_code_and_keeps_the_challenge_out_of_the_page() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, _) = enrol(&app, &access, "acme").await;
    let web = crate::helpers::browser();
    let form = |code: String| {
        web.post(app.url("/rpc/login_mfa"))
            .header("accept", "text/html")
            .header("sec-fetch-site", "same-origin")
            .form(&[("code", code), ("next", "/users".to_string())])
            .send()
    };
    let res = web
        .post(app.url("/rpc/login"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .form(&[("tenant", "acme"), ("email", "owner@acme.test"), ("password", PASSWORD), ("next", "/users")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/login?step=code&next=/users");
    assert_eq!(web.get(app.url("/users")).send().await.unwrap().status(), 303, "not signed in yet");
    let res = form("111111".into()).await.unwrap();
    assert_eq!(res.headers()["location"], "/login?error=invalid_mfa_code&step=code&next=/users");
    let res = form(code_at(&secret, now() + 30)).await.unwrap();
    assert_eq!(res.headers()["location"], "/users");
    assert_eq!(web.get(app.url("/users")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_code_from_an_earlier_window_is_refused() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let (secret, _) = enrol(&app, &access, "acme").await;
    let t = first_step(&app, "owner@acme.test").await;
    // Two steps ago: past the one step of allowance for a slow clock or a slow typist.
    let res = second_step(&app, &t, &code_at(&secret, now() - 65)).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["errors"]["code"], "invalid_mfa_code");
    assert_eq!(second_step(&app, &t, &code_at(&secret, now() + 30)).await.status(), 200);
}

#[tokio::test]
async fn an_enrolment_keeps_its_secret_until_confirmed() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let access = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let me = app.as_user(&access, "acme");
    let (a, b) =
        tokio::join!(me.post("/api/v1/users/me/mfa", json!({}), 200), me.post("/api/v1/users/me/mfa", json!({}), 200));
    assert_eq!(a["data"]["secret"], b["data"]["secret"], "two at once agree");
    let again = me.post("/api/v1/users/me/mfa", json!({}), 200).await;
    assert_eq!(again["data"]["secret"], a["data"]["secret"], "a reload shows the app already scanned");
}
