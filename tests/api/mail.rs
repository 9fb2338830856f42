//! Mail end to end: the app's outbox delivers to a real SMTP server on localhost (`smtp.rs`),
//! and each message is read back as a person's mail client would: recipient, language, subject,
//! a link that works.
use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    helpers::{
        browser, cnpj, form_sign_in, payment_event, spawn_app, spawn_app_with, staffed, test_settings, token, user_id,
        PASSWORD, PUBLIC_URL, STRONG_PASSWORD,
    },
    smtp::Mode,
};
use app::server::{
    db::public::outbox::{self, NewMessage},
    services::mail::{delivery, notices},
    settings::{MailSettings, Settings},
};

const WAIT: Duration = Duration::from_secs(10);

async fn forgot(app: &crate::helpers::TestApp, tenant: &str, email: &str) -> (u16, Value) {
    app.post_public("/api/auth/forgot-password", json!({ "email": email, "tenant": tenant })).await
}

/// The token of a link: what follows `#`.
fn fragment(link: &str) -> &str {
    link.split_once('#').map(|(_, token)| token).unwrap_or_default()
}

#[tokio::test]
async fn forgot_password_answers_alike_and_mails_a_single_use_link_that_ends_every_session() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let before = app.login_ok("acme", "owner@acme.test", PASSWORD).await;
    let signed_in_browser = form_sign_in(&app.address, "owner@acme.test").await;
    assert_eq!(signed_in_browser.get(app.url("/")).send().await.unwrap().status(), 200);

    let known = forgot(&app, "acme", "owner@acme.test").await;
    let unknown_user = forgot(&app, "acme", "nobody@acme.test").await;
    let unknown_tenant = forgot(&app, "nowhere", "owner@acme.test").await;
    assert_eq!(known.0, 202);
    assert_eq!(known, unknown_user, "an unknown account gets the same answer");
    assert_eq!(known, unknown_tenant, "an unknown workspace gets the same answer");

    let (mail, link) = app.mail_with_link("owner@acme.test", "/reset-password#").await;
    assert!(link.starts_with(&format!("{PUBLIC_URL}/reset-password#acme.")), "{link}");
    assert!(mail.subject.contains("password"), "the owner reads English: {}", mail.subject);
    assert!(mail.html.contains(&link.replace('&', "&amp;")), "the HTML part carries the link too");
    let token = fragment(&link).to_string();

    // The password policy applies, and a refused password leaves the token usable.
    let (status, body) =
        app.post_public("/api/auth/reset-password", json!({ "token": token, "password": "short" })).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["password"].is_array());
    let new_password = "a fresh start at the harbour";
    let (status, body) =
        app.post_public("/api/auth/reset-password", json!({ "token": token, "password": new_password })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["tenant"], "acme");

    let (status, body) = app
        .post_public("/api/auth/reset-password", json!({ "token": token, "password": "yet another passphrase" }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["code"], "invalid_token", "a link works once");

    // Every earlier token and session of the user has ended.
    assert_eq!(app.get_me(before["access_token"].as_str().unwrap(), "acme").await.status(), 401);
    assert_eq!(app.refresh(before["refresh_token"].as_str().unwrap()).await.status(), 401);
    assert_eq!(app.login("acme", "owner@acme.test", PASSWORD).await.status(), 401);
    app.login_ok("acme", "owner@acme.test", new_password).await;
    let res = signed_in_browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 303, "the browser session ended too");
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));

    // The owner was told of the browser sign-in (a browser not seen before) and that the password
    // changed; nobody else got anything.
    let mails = app.mail.wait_for("owner@acme.test", 3, WAIT).await;
    let changed = mails.iter().find(|m| m.subject == "Your password was changed").expect("the change notice");
    assert!(changed.text.contains(&format!("{PUBLIC_URL}/forgot-password")), "{}", changed.text);
    assert!(mails.iter().any(|m| m.subject.starts_with("New sign-in")), "the sign-in notice");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.mail.to("nobody@acme.test").is_empty());
    assert_eq!(app.mail.messages().len(), 3);
}

#[tokio::test]
async fn reset_links_expire_and_a_newer_link_retires_the_older_one() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    forgot(&app, "acme", "owner@acme.test").await;
    let first = app.mail.wait_for("owner@acme.test", 1, WAIT).await[0].link("/reset-password#").unwrap();
    forgot(&app, "acme", "owner@acme.test").await;
    let mails = app.mail.wait_for("owner@acme.test", 2, WAIT).await;
    let second = mails[1].link("/reset-password#").unwrap();
    assert_ne!(first, second);
    let reset = |token: String| {
        let app = &app;
        async move {
            app.post_public("/api/auth/reset-password", json!({ "token": token, "password": "a fresh start at sea" }))
                .await
        }
    };
    let (status, body) = reset(fragment(&first).to_string()).await;
    assert_eq!((status, body["errors"]["code"].as_str()), (422, Some("invalid_token")), "the older link died");

    sqlx::query("UPDATE t_acme.user_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, body) = reset(fragment(&second).to_string()).await;
    assert_eq!((status, body["errors"]["code"].as_str()), (422, Some("invalid_token")), "an hour later it is dead");
    let (status, _) = reset("acme.not-a-real-token".into()).await;
    assert_eq!(status, 422);
    app.login_ok("acme", "owner@acme.test", PASSWORD).await;
}

#[tokio::test]
async fn forgot_password_is_limited_per_account() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(forgot(&app, "acme", "someone@acme.test").await.0, 202);
    }
    let (status, body) = forgot(&app, "acme", "someone@acme.test").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(forgot(&app, "acme", "someone-else@acme.test").await.0, 202, "other accounts are unaffected");
    let (status, body) = forgot(&app, "", "not an email").await;
    assert_eq!(status, 422);
    assert!(body["errors"]["email"].is_array() && body["errors"]["tenant"].is_array(), "{body}");
}

#[tokio::test]
async fn forgot_password_is_limited_per_address() {
    let app = spawn_app().await;
    for i in 0..20 {
        assert_eq!(forgot(&app, "acme", &format!("person{i}@acme.test")).await.0, 202);
    }
    let (status, body) = forgot(&app, "acme", "person20@acme.test").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["errors"]["code"], "rate_limited");
}

#[tokio::test]
async fn the_reset_page_works_without_javascript() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let page = app.client.get(app.url("/reset-password")).send().await.unwrap();
    assert_eq!(page.status(), 200, "a visitor's page");
    assert!(page.text().await.unwrap().contains("name=\"token\""), "a field to paste the code into");
    forgot(&app, "acme", "owner@acme.test").await;
    let (_, link) = app.mail_with_link("owner@acme.test", "/reset-password#").await;
    let form = |token: &str| {
        let form = [("token", token.to_string()), ("password", "typed without scripts".to_string())];
        let app = &app;
        async move {
            let res = browser()
                .post(app.url("/rpc/reset_password"))
                .header("accept", "text/html")
                .header("referer", app.url("/reset-password"))
                .form(&form)
                .send()
                .await
                .unwrap();
            res.headers()["location"].to_str().unwrap().to_string()
        }
    };
    assert_eq!(form(fragment(&link)).await, "/login?notice=password_reset&tenant=acme");
    let again = form(fragment(&link)).await;
    assert_eq!(again, "/reset-password", "the error comes back to the form");
    app.login_ok("acme", "owner@acme.test", "typed without scripts").await;
}

#[tokio::test]
async fn an_invitation_is_emailed_in_the_invitees_language_and_sending_it_again_kills_the_old_link() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let manager = app.as_user(&t["manager"], "acme");
    let created = manager
        .post(
            "/api/v1/users",
            json!({ "name": "Inês", "email": "ines@acme.test", "role": "attendant", "locale": "es" }),
            201,
        )
        .await;
    let path = created["invitation_path"].as_str().unwrap().to_string();
    let (mail, link) = app.mail_with_link("ines@acme.test", "/invitation/").await;
    assert_eq!(link, format!("{PUBLIC_URL}{path}"));
    assert!(mail.subject.contains("Company acme"), "{}", mail.subject);
    assert!(mail.subject.contains("manager"), "names who invited: {}", mail.subject);
    assert!(mail.text.contains("Inês") && mail.text.contains("7"), "{}", mail.text);
    assert!(mail.subject.to_lowercase().contains("invit"), "Spanish: {}", mail.subject);
    assert!(!mail.subject.contains("convidou"), "not Portuguese: {}", mail.subject);

    let list = manager.get("/api/v1/invitations", 200).await;
    let invitation = &list["data"][0];
    assert_eq!(invitation["email"], "ines@acme.test");
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["invited_by"], "manager");
    let id = invitation["id"].as_str().unwrap();
    app.as_user(&t["attendant"], "acme").get("/api/v1/invitations", 403).await;

    sqlx::query("UPDATE t_acme.user_invitations SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(manager.get("/api/v1/invitations", 200).await["data"][0]["status"], "expired");
    let resent = manager.post(&format!("/api/v1/invitations/{id}/resend"), json!({}), 200).await;
    assert_eq!(resent["data"]["status"], "pending", "sending again gives a week more");
    let new_path = resent["data"]["invitation_path"].as_str().unwrap().to_string();
    assert_ne!(new_path, path);
    let mails = app.mail.wait_for("ines@acme.test", 2, WAIT).await;
    assert_eq!(mails[1].link("/invitation/").unwrap(), format!("{PUBLIC_URL}{new_path}"));

    let accept = |path: &str| {
        let token = path.trim_start_matches("/invitation/").to_string();
        let app = &app;
        async move {
            browser()
                .post(app.url("/rpc/accept_invitation"))
                .header("accept", "application/json")
                .form(&[("token", token.as_str()), ("password", "invited and chosen")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(accept(&path).await, 409, "the first link died when the invitation was sent again");
    assert_eq!(accept(&new_path).await, 200);
    app.login_ok("acme", "ines@acme.test", "invited and chosen").await;
    assert_eq!(manager.get("/api/v1/invitations", 200).await["data"], json!([]));
    manager.post(&format!("/api/v1/invitations/{id}/resend"), json!({}), 404).await;
}

#[tokio::test]
async fn a_pending_invitation_holds_a_seat_until_revoked() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    // Starter: five users, the owner is one.
    let mut paths = Vec::new();
    for i in 0..4 {
        let body = json!({ "name": format!("P{i}"), "email": format!("p{i}@acme.test"), "role": "attendant" });
        paths.push(as_owner.post("/api/v1/users", body, 201).await["invitation_path"].as_str().unwrap().to_string());
    }
    let sixth = json!({ "name": "Six", "email": "six@acme.test", "role": "attendant" });
    let refused = as_owner.post("/api/v1/users", sixth.clone(), 403).await;
    assert_eq!(refused["errors"]["code"], "plan_limit_reached");

    let list = as_owner.get("/api/v1/invitations", 200).await;
    let first = list["data"].as_array().unwrap().iter().find(|i| i["email"] == "p0@acme.test").unwrap().clone();
    as_owner.delete(&format!("/api/v1/invitations/{}", first["id"].as_str().unwrap()), 204).await;
    as_owner.delete(&format!("/api/v1/invitations/{}", first["id"].as_str().unwrap()), 404).await;
    as_owner.get(&format!("/api/v1/users/{}", first["user_id"].as_str().unwrap()), 404).await;
    as_owner.post("/api/v1/users", sixth, 201).await;

    let token = paths[0].trim_start_matches("/invitation/");
    let res = browser()
        .post(app.url("/rpc/accept_invitation"))
        .header("accept", "application/json")
        .form(&[("token", token), ("password", "invited and chosen")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "a revoked invitation's link is dead");
    as_owner.delete(&format!("/api/v1/invitations/{}", Uuid::new_v4()), 404).await;
    as_owner.delete("/api/v1/invitations/not-an-id", 404).await;
}

#[tokio::test]
async fn a_signup_is_verified_by_the_emailed_link_before_checkout_and_invitations() {
    let app = spawn_app().await;
    let registered = app.register("Acme", &cnpj(3)).await;
    let owner = token(&registered, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    assert_eq!(as_owner.get("/api/v1/company", 200).await["data"]["email_verified"], false);

    let invite = json!({ "name": "Inês", "email": "ines@acme.test", "role": "attendant" });
    let refused = as_owner.post("/api/v1/users", invite.clone(), 403).await;
    assert_eq!(refused["errors"]["code"], "email_unverified");
    let checkout = json!({ "tenant": "acme", "plan": "professional", "success_url": "/", "cancel_url": "/" });
    let (status, body) = app.signup_checkout(Some(&owner), checkout.clone()).await;
    assert_eq!((status, body["errors"]["code"].as_str()), (403, Some("email_unverified")));
    let as_owner_checkout = json!({ "plan": "professional", "success_url": "/", "cancel_url": "/" });
    as_owner.post("/api/v1/billing/checkout", as_owner_checkout, 403).await;
    // A user with a password can still be added: the workspace works.
    let with_password = json!({ "name": "Bia", "email": "bia@acme.test", "role": "attendant", "password": PASSWORD });
    as_owner.post("/api/v1/users", with_password, 201).await;

    let (mail, first) = app.mail_with_link("alice@company.test", "/verify-email#acme.").await;
    assert!(mail.subject.contains("Confirme") && mail.subject.contains("Acme"), "pt-BR: {}", mail.subject);
    // Sending it again retires the first link.
    as_owner.post("/api/v1/company/verification-email", json!({}), 202).await;
    let mails = app.mail.wait_for("alice@company.test", 2, WAIT).await;
    let second = mails[1].link("/verify-email#").unwrap();
    let verify = |link: &str| {
        let body = json!({ "token": fragment(link) });
        let app = &app;
        async move { app.post_public("/api/auth/verify-email", body).await }
    };
    let (status, body) = verify(&first).await;
    assert_eq!((status, body["errors"]["code"].as_str()), (422, Some("invalid_token")));
    let (status, body) = verify(&second).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(verify(&second).await.0, 422, "a link works once");

    assert_eq!(as_owner.get("/api/v1/company", 200).await["data"]["email_verified"], true);
    as_owner.post("/api/v1/users", invite, 201).await;
    let (status, body) = app.signup_checkout(Some(&owner), checkout).await;
    assert_eq!(status, 200, "{body}");
    as_owner.post("/api/v1/company/verification-email", json!({}), 409).await;
}

#[tokio::test]
async fn unverified_signups_are_removed_after_seven_days_freeing_the_document() {
    let app = spawn_app().await;
    app.register("Acme", &cnpj(7)).await;
    app.tenant("old", "owner@old.test", PASSWORD).await;
    sqlx::query("UPDATE tenants SET inserted_at = now() - interval '6 days' WHERE slug = 'acme'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET inserted_at = now() - interval '30 days' WHERE slug = 'old'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(notices::remove_unverified(&app.state).await.unwrap(), 0, "six days: still there");
    sqlx::query("UPDATE tenants SET inserted_at = now() - interval '8 days' WHERE slug = 'acme'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(notices::remove_unverified(&app.state).await.unwrap(), 1);

    let schemas: Vec<String> =
        sqlx::query_scalar("SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 't\\_%'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(!schemas.contains(&"t_acme".to_string()), "{schemas:?}");
    assert!(schemas.contains(&"t_old".to_string()), "a verified workspace stays");
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tenants WHERE slug = 'acme'").fetch_one(&app.pool).await.unwrap();
    assert_eq!(left, 0);
    let mail_left: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_messages").fetch_one(&app.pool).await.unwrap();
    assert_eq!(mail_left, 0, "its mail went with it");
    app.register("Acme", &cnpj(7)).await;
}

/// An app whose own worker stays idle (it looks once an hour), so the test drives delivery.
async fn app_with_idle_worker(lease: Duration) -> crate::helpers::TestApp {
    let settings = Settings {
        mail: MailSettings {
            poll_interval: Duration::from_secs(3600),
            claim_lease: lease,
            retry_base: Duration::from_millis(100),
            ..test_settings().mail
        },
        ..test_settings()
    };
    let app = spawn_app_with(settings).await;
    // Let the app's worker make its first (empty) pass before messages exist.
    tokio::time::sleep(Duration::from_millis(200)).await;
    app
}

async fn enqueue(app: &crate::helpers::TestApp, to: &str) {
    let mut conn = app.pool.acquire().await.unwrap();
    let message = NewMessage {
        tenant_id: None,
        kind: "test",
        dedupe_key: None,
        recipient: to,
        locale: "en",
        subject: "Hello",
        html: "<p>Hello</p>",
        text: "Hello",
    };
    assert!(outbox::enqueue(&mut conn, &message).await.unwrap());
}

async fn status_of(app: &crate::helpers::TestApp, to: &str) -> (String, i32, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM outbox_messages WHERE recipient = $1")
        .bind(to)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_message_claimed_by_a_dead_worker_is_delivered_once_by_another() {
    let app = app_with_idle_worker(Duration::from_secs(1)).await;
    enqueue(&app, "someone@example.test").await;
    let dead = Uuid::new_v4();
    let claimed = outbox::claim(&app.pool, dead, Duration::from_secs(1), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // The dead worker never sends and never reports. Until its lease runs out nobody else may.
    let alive = Uuid::new_v4();
    assert_eq!(delivery::deliver_due(&app.state, alive).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(delivery::deliver_due(&app.state, alive).await.unwrap(), 1);
    assert_eq!(app.mail.wait_for("someone@example.test", 1, WAIT).await.len(), 1);
    // The dead worker's late report changes nothing, and nothing is sent again.
    outbox::mark_failed(&app.pool, claimed[0].id, dead, "late", None).await.unwrap();
    assert_eq!(status_of(&app, "someone@example.test").await.0, "sent");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(delivery::deliver_due(&app.state, alive).await.unwrap(), 0);
    assert_eq!(app.mail.messages().len(), 1);
}

#[tokio::test]
async fn two_workers_deliver_every_message_exactly_once() {
    let app = app_with_idle_worker(Duration::from_secs(30)).await;
    for i in 0..40 {
        enqueue(&app, &format!("r{i}@example.test")).await;
    }
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let core = app.state.clone();
        workers.spawn(async move {
            let worker = Uuid::new_v4();
            let mut sent = 0;
            loop {
                match delivery::deliver_due(&core, worker).await.unwrap() {
                    0 => return sent,
                    n => sent += n,
                }
            }
        });
    }
    let mut total = 0;
    while let Some(sent) = workers.join_next().await {
        total += sent.unwrap();
    }
    assert_eq!(total, 40);
    let received = app.mail.messages();
    assert_eq!(received.len(), 40);
    for i in 0..40 {
        assert_eq!(app.mail.to(&format!("r{i}@example.test")).len(), 1, "r{i} exactly once");
    }
}

#[tokio::test]
async fn mail_waits_out_a_server_that_is_down_and_gives_up_on_a_refusal() {
    let app = spawn_app().await;
    app.mail.pause().await;
    enqueue(&app, "patient@example.test").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, attempts, error) = status_of(&app, "patient@example.test").await;
        if attempts >= 2 {
            assert!(status == "pending" || status == "sending", "{status}");
            assert!(error.is_some());
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no retry happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.mail.resume().await;
    app.mail.wait_for("patient@example.test", 1, Duration::from_secs(20)).await;
    // The server has the message a moment before the worker records it as sent.
    let deadline = tokio::time::Instant::now() + WAIT;
    while status_of(&app, "patient@example.test").await.0 != "sent" {
        assert!(tokio::time::Instant::now() < deadline, "never recorded as sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A temporary refusal (4xx) is retried; a permanent one (5xx) ends as failed with the answer.
    app.mail.set_mode(Mode::TempFail);
    enqueue(&app, "later@example.test").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(status_of(&app, "later@example.test").await.0, "pending");
    app.mail.set_mode(Mode::Reject);
    enqueue(&app, "never@example.test").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, _, error) = status_of(&app, "never@example.test").await;
        if status == "failed" {
            assert!(error.unwrap_or_default().contains("550"));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.mail.set_mode(Mode::Accept);
    app.mail.wait_for("later@example.test", 1, Duration::from_secs(20)).await;
    assert!(app.mail.to("never@example.test").is_empty());
}

#[tokio::test]
async fn old_messages_are_purged() {
    let app = app_with_idle_worker(Duration::from_secs(30)).await;
    enqueue(&app, "old@example.test").await;
    enqueue(&app, "new@example.test").await;
    sqlx::query(
        "UPDATE outbox_messages SET status = 'sent', inserted_at = now() - interval '31 days' \
         WHERE recipient = 'old@example.test'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(outbox::purge(&app.pool, Duration::from_secs(30 * 24 * 3600)).await.unwrap(), 1);
    assert_eq!(outbox::backlog(&app.pool).await.unwrap(), 1, "the pending message stays");
}

#[tokio::test]
async fn trial_notices_go_out_once_three_days_before_and_on_the_day() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let set_end = |interval: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query(&format!(
                "UPDATE tenants SET status = 'trialing', trial_ends_at = now() + interval '{interval}' WHERE slug = 'acme'"
            ))
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    set_end("60 hours").await;
    assert_eq!(notices::trial_notices(&app.state).await.unwrap(), 1);
    assert_eq!(notices::trial_notices(&app.state).await.unwrap(), 0, "once");
    let mails = app.mail.wait_for("owner@acme.test", 1, WAIT).await;
    assert!(mails[0].subject.contains('3'), "{}", mails[0].subject);
    assert!(mails[0].text.contains(&format!("{PUBLIC_URL}/billing")));
    set_end("5 hours").await;
    assert_eq!(notices::trial_notices(&app.state).await.unwrap(), 1);
    assert_eq!(notices::trial_notices(&app.state).await.unwrap(), 0);
    let mails = app.mail.wait_for("owner@acme.test", 2, WAIT).await;
    assert_ne!(mails[0].subject, mails[1].subject);
    set_end("10 days").await;
    assert_eq!(notices::trial_notices(&app.state).await.unwrap(), 0, "nothing is due yet");
}

#[tokio::test]
async fn account_notices_password_email_and_a_new_browser() {
    let app = spawn_app().await;
    let t = staffed(&app, "acme").await;
    let as_owner = app.as_user(&t["owner"], "acme");
    as_owner
        .put("/api/v1/users/me", json!({ "current_password": PASSWORD, "password": "another long passphrase" }), 200)
        .await;
    let mails = app.mail.wait_for("owner@acme.test", 1, WAIT).await;
    assert!(mails[0].text.contains("/forgot-password"));

    // An email change is told to the old address and the new one.
    let id = user_id(&app, &t["manager"], "acme", "attendant@acme.test").await;
    app.as_user(&t["manager"], "acme")
        .put(&format!("/api/v1/users/{id}"), json!({ "email": "new-attendant@acme.test" }), 200)
        .await;
    let old = app.mail.wait_for("attendant@acme.test", 1, WAIT).await;
    let new = app.mail.wait_for("new-attendant@acme.test", 1, WAIT).await;
    assert_eq!(old[0].subject, new[0].subject);
    assert!(old[0].text.contains("new-attendant@acme.test"));

    // A manager signing in from a browser not seen before hears of it, once per browser.
    let login = |agent: &'static str, email: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url("/api/auth/login"))
                .header("user-agent", agent)
                .json(&json!({ "tenant": "acme", "email": email, "password": PASSWORD }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
    };
    login("Firefox on the office PC", "manager@acme.test").await;
    login("Firefox on the office PC", "manager@acme.test").await;
    login("Safari on a phone", "manager@acme.test").await;
    login("Safari on a phone", "manager@acme.test").await;
    login("Safari on a phone", "supervisor@acme.test").await;
    login("Chrome elsewhere", "supervisor@acme.test").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    // staffed() signed the manager in once before (no user agent): that browser is known too.
    let notices: Vec<_> = app.mail.to("manager@acme.test");
    assert_eq!(notices.len(), 2, "{:#?}", notices.iter().map(|m| &m.subject).collect::<Vec<_>>());
    assert!(notices.iter().any(|m| m.text.contains("Safari on a phone")));
    assert!(app.mail.to("supervisor@acme.test").is_empty(), "supervisors are not told");
}

#[tokio::test]
async fn billing_events_are_told_to_the_owners() {
    let app = spawn_app().await;
    let (_, reference, _) = app.with_checkout("acme", 4, "professional").await;
    assert_eq!(app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await, "applied");
    let (mail, _) = app.mail_with_link("alice@company.test", "/billing").await;
    assert_eq!(mail.subject, "Plano alterado para Professional — acme", "in the owner's language (pt-BR)");
    // The next cycle's charge falls overdue.
    let subscription = app.charge(&reference).await.subscription_id.unwrap();
    let overdue = payment_event(
        "e2",
        "PAYMENT_OVERDUE",
        json!({ "id": "pay_next", "subscription": subscription, "value": 699.0, "dueDate": "2027-01-04" }),
    );
    assert_eq!(app.deliver(&overdue).await, "applied");
    // A replayed event is applied once, and so is its notice.
    assert_eq!(app.deliver(&overdue).await, "duplicate");
    let canceled = json!({ "id": "e3", "event": "SUBSCRIPTION_DELETED", "dateCreated": "2026-12-03 10:00:00",
                           "subscription": { "object": "subscription", "id": subscription, "deleted": true } });
    assert_eq!(app.deliver(&canceled).await, "applied");
    // The verification mail, the plan change, the overdue payment, the cancellation.
    let mails = app.mail.wait_for("alice@company.test", 4, WAIT).await;
    let mut subjects: Vec<&str> = mails[1..].iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["Assinatura cancelada — acme", "Pagamento em atraso — acme", "Plano alterado para Professional — acme"]
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.mail.to("alice@company.test").len(), 4);
}

#[tokio::test]
async fn the_development_mailbox_shows_messages_and_production_has_none() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", STRONG_PASSWORD).await;
    forgot(&app, "acme", "owner@acme.test").await;
    app.mail.wait_for("owner@acme.test", 1, WAIT).await;
    let page = app.client.get(app.url("/dev/mailbox")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("owner@acme.test"));
    let id: Uuid = sqlx::query_scalar("SELECT id FROM outbox_messages").fetch_one(&app.pool).await.unwrap();
    let message = app.client.get(app.url(&format!("/dev/mailbox/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(message.contains("/reset-password#acme."), "the link is there to follow");

    let production = spawn_app_with(Settings { production: true, ..test_settings() }).await;
    assert_eq!(production.client.get(production.url("/dev/mailbox")).send().await.unwrap().status(), 404);
    let res = production.client.get(production.url(&format!("/dev/mailbox/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
