//! Outbound webhooks: endpoints managed by managers on plans with the feature, events queued in
//! the transaction of the change and POSTed signed to a local receiver, retried after errors and
//! timeouts, never sent twice by two workers, refused towards internal addresses in production,
//! and switched off after failing for days.
use std::{collections::HashMap, time::Duration};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    helpers::{payment_event, spawn_app, spawn_app_with, staffed_on, test_settings, token, TestApp, PASSWORD},
    receiver::{Answer, Receiver},
};
use app::server::{
    services::webhooks::{delivery, events},
    tenancy::slug::Slug,
    webhooks::Event,
};

/// A workspace on the professional plan (which has webhooks) with one user of each role; their
/// access tokens by role.
async fn professional(app: &TestApp, slug: &str) -> HashMap<&'static str, String> {
    staffed_on(app, slug, "professional").await
}

/// Creates an endpoint for `events`; answers (id, secret).
async fn endpoint(app: &TestApp, owner: &str, slug: &str, url: &str, events: &[&str]) -> (String, String) {
    let created = app.as_user(owner, slug).post("/api/v1/webhooks", json!({ "url": url, "events": events }), 201).await;
    let data = &created["data"];
    (data["id"].as_str().unwrap().to_string(), data["secret"].as_str().unwrap().to_string())
}

/// What a receiver computes to check `X-Atrium-Signature`: HMAC-SHA256 of `<timestamp>.<body>`.
fn expected_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

async fn deliveries(app: &TestApp, owner: &str, slug: &str, id: &str) -> Vec<Value> {
    let page = app.as_user(owner, slug).get(&format!("/api/v1/webhooks/{id}/deliveries"), 200).await;
    page["data"].as_array().unwrap().clone()
}

/// Waits until every delivery of the endpoint is delivered or failed.
async fn settled(app: &TestApp, owner: &str, slug: &str, id: &str, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let list = deliveries(app, owner, slug, id).await;
        if list.len() >= count && list.iter().all(|d| d["status"] == "delivered" || d["status"] == "failed") {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries not settled: {:?}", deliveries(app, owner, slug, id).await);
}

#[tokio::test]
async fn the_starter_plan_has_no_webhooks() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", PASSWORD).await, "access_token");
    let as_owner = app.as_user(&owner, "acme");
    for (method, path, body) in [
        (reqwest::Method::GET, "/api/v1/webhooks", None),
        (
            reqwest::Method::POST,
            "/api/v1/webhooks",
            Some(json!({ "url": "https://example.com/", "events": ["user.created"] })),
        ),
    ] {
        let answer = as_owner.request(method, path, body, 403).await;
        assert_eq!(answer["errors"]["code"], "plan_feature_unavailable", "{answer}");
    }
}

#[tokio::test]
async fn managers_create_list_change_rotate_and_delete_endpoints() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let as_manager = app.as_user(&people["manager"], "acme");
    let created = as_manager
        .post(
            "/api/v1/webhooks",
            json!({ "url": "https://hooks.example.com/atrium", "events": ["user.created", "department.deleted", "user.created"],
                    "description": "CRM sync" }),
            201,
        )
        .await;
    let data = &created["data"];
    let id = data["id"].as_str().unwrap();
    let secret = data["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() == 6 + 64, "{secret}");
    assert_eq!(data["events"], json!(["user.created", "department.deleted"]), "each event once");
    assert_eq!(data["active"], true);
    assert_eq!(data["description"], "CRM sync");

    // Listed and shown without the secret.
    let listed = as_manager.get("/api/v1/webhooks", 200).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(secret), "{listed}");
    let shown = as_manager.get(&format!("/api/v1/webhooks/{id}"), 200).await;
    assert!(shown["data"].get("secret").is_none());

    // Changed in part: absent fields keep their value.
    let changed = as_manager
        .put(&format!("/api/v1/webhooks/{id}"), json!({ "events": ["subscription.updated"], "active": false }), 200)
        .await;
    assert_eq!(changed["data"]["events"], json!(["subscription.updated"]));
    assert_eq!(changed["data"]["active"], false);
    assert_eq!(changed["data"]["url"], "https://hooks.example.com/atrium");

    // A new secret on request.
    let rotated = as_manager.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), json!({}), 200).await;
    let new_secret = rotated["data"]["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    let stored: String = sqlx::query_scalar("SELECT secret FROM t_acme.webhooks").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored, new_secret);

    // Supervisors may not; bad input is a 422 per field.
    app.as_user(&people["supervisor"], "acme").get("/api/v1/webhooks", 403).await;
    let bad = as_manager
        .post("/api/v1/webhooks", json!({ "url": "ftp://example.com/x", "events": ["user.exploded"] }), 422)
        .await;
    assert!(bad["errors"]["url"].is_array() && bad["errors"]["events"].is_array(), "{bad}");
    let empty = as_manager.post("/api/v1/webhooks", json!({ "url": "https://example.com/", "events": [] }), 422).await;
    assert!(empty["errors"]["events"].is_array(), "{empty}");
    as_manager
        .post(
            "/api/v1/webhooks",
            json!({ "url": "https://example.com/", "events": ["user.created"], "tenant": "other" }),
            422,
        )
        .await;

    // Another workspace's endpoint is as unknown as a missing one.
    let others = professional(&app, "globex").await;
    let as_other = app.as_user(&others["owner"], "globex");
    as_other.get(&format!("/api/v1/webhooks/{id}"), 404).await;
    as_other.get(&format!("/api/v1/webhooks/{id}/deliveries"), 404).await;
    as_other.delete(&format!("/api/v1/webhooks/{id}"), 404).await;
    as_other.post(&format!("/api/v1/webhooks/{id}/test"), json!({}), 404).await;

    as_manager.delete(&format!("/api/v1/webhooks/{id}"), 204).await;
    as_manager.get(&format!("/api/v1/webhooks/{id}"), 404).await;
}

#[tokio::test]
async fn events_are_delivered_signed_once_per_subscribed_endpoint() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let owner = &people["owner"];
    let receiver = Receiver::start().await;
    let (id, secret) = endpoint(&app, owner, "acme", &receiver.url, &["user.created", "department.created"]).await;
    let as_owner = app.as_user(owner, "acme");

    // A change that fails (the email is taken) sends nothing; one that succeeds sends one event.
    as_owner
        .post(
            "/api/v1/users",
            json!({ "name": "Dup", "email": "manager@acme.test", "role": "attendant", "password": PASSWORD }),
            422,
        )
        .await;
    as_owner
        .post(
            "/api/v1/users",
            json!({ "name": "Ana Lima", "email": "ana@acme.test", "role": "attendant", "password": PASSWORD }),
            201,
        )
        .await;
    // Not subscribed: no delivery.
    as_owner.put("/api/v1/users/me", json!({ "name": "The Owner" }), 200).await;

    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1, "one event: {:?}", receiver.received());
    let request = &got[0];
    let body = request.json();
    assert_eq!(body["event"], "user.created");
    assert_eq!(body["tenant"], "acme");
    assert_eq!(body["data"]["email"], "ana@acme.test");
    assert!(body["id"].as_str().unwrap().parse::<Uuid>().is_ok());
    assert!(body["timestamp"].as_str().unwrap().contains('T'));
    assert_eq!(request.header("x-atrium-event"), "user.created");
    assert_eq!(request.header("content-type"), "application/json");
    let timestamp = request.header("x-atrium-timestamp");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - timestamp.parse::<i64>().unwrap()).abs() < 60, "{timestamp}");
    assert_eq!(request.header("x-atrium-signature"), expected_signature(&secret, timestamp, &request.body));
    assert_ne!(request.header("x-atrium-signature"), expected_signature("whsec_wrong", timestamp, &request.body));

    // The deliveries list names the same delivery.
    let list = settled(&app, owner, "acme", &id, 1).await;
    assert_eq!(list[0]["id"], request.header("x-atrium-delivery"));
    assert_eq!(list[0]["event_id"], body["id"]);
    assert_eq!(list[0]["status"], "delivered");
    assert_eq!(list[0]["attempts"], 1);
    assert_eq!(list[0]["last_status_code"], 200);

    // Two endpoints subscribed to one event: each gets it, with the same event id.
    let second = Receiver::start().await;
    endpoint(&app, owner, "acme", &second.url, &["department.created"]).await;
    as_owner.post("/api/v1/departments", json!({ "name": "Vendas" }), 201).await;
    let first_copy = receiver.wait_for(2, Duration::from_secs(10)).await[1].json();
    let second_copy = second.wait_for(1, Duration::from_secs(10)).await[0].json();
    assert_eq!(first_copy["event"], "department.created");
    assert_eq!(first_copy["id"], second_copy["id"]);
    assert_eq!(first_copy["data"]["name"], "Vendas");
}

#[tokio::test]
async fn failed_attempts_are_retried_until_delivered() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let owner = &people["owner"];
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, owner, "acme", &receiver.url, &["department.created"]).await;
    // A 500, then no answer within the 2 s limit, then a 200.
    receiver.script(&[Answer::Status(500), Answer::Hang(Duration::from_secs(4))]);
    app.as_user(owner, "acme").post("/api/v1/departments", json!({ "name": "Suporte" }), 201).await;

    let got = receiver.wait_for(3, Duration::from_secs(20)).await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("x-atrium-delivery")).collect();
    assert!(ids.iter().all(|d| *d == ids[0]), "one delivery, three attempts: {ids:?}");
    assert!(got.iter().all(|r| r.body == got[0].body), "the same body every time");
    let list = settled(&app, owner, "acme", &id, 1).await;
    assert_eq!(list[0]["status"], "delivered");
    assert_eq!(list[0]["attempts"], 3);
    let endpoint: Value = app.as_user(owner, "acme").get(&format!("/api/v1/webhooks/{id}"), 200).await;
    assert!(endpoint["data"]["failing_since"].is_null(), "a success ends the failing streak");
}

#[tokio::test]
async fn a_delivery_is_never_sent_by_two_workers() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &people["owner"], "acme", &receiver.url, &["department.created"]).await;
    let endpoint_id: Uuid = id.parse().unwrap();

    // Two more workers on the same database poll beside the server's own...
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let core = app.state.clone();
            tokio::spawn(async move {
                let worker = Uuid::new_v4();
                let until = tokio::time::Instant::now() + Duration::from_secs(4);
                while tokio::time::Instant::now() < until {
                    if delivery::deliver_due(&core, worker).await.unwrap() == 0 {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        })
        .collect();
    // ...when 40 deliveries appear at once (one commit), so all three race for them.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let slug = Slug::parse("acme").unwrap();
    let tenant = app.state.tenants.get(&slug).await.unwrap().unwrap();
    let mut tx = tenant.db(&app.pool).begin().await.unwrap();
    for n in 0..40 {
        events::queue(&mut tx, &tenant, &[endpoint_id], Event::Ping, json!({ "n": n })).await.unwrap();
    }
    tx.commit().await.unwrap();
    for worker in workers {
        worker.await.unwrap();
    }
    receiver.wait_for(40, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = receiver.received();
    let mut ids: Vec<&str> = got.iter().map(|r| r.header("x-atrium-delivery")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40, "every delivery");
    assert_eq!(got.len(), 40, "none twice");
}

#[tokio::test]
async fn production_refuses_internal_addresses_when_saved_and_when_sent() {
    let mut settings = test_settings();
    settings.production = true;
    settings.webhooks.allow_private_addresses = false;
    let app = spawn_app_with(settings).await;
    let people = professional(&app, "acme").await;
    let owner = &people["owner"];
    let receiver = Receiver::start().await;
    let as_owner = app.as_user(owner, "acme");
    for url in [
        receiver.url.as_str(),
        "http://localhost:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.100.100.200/",
    ] {
        let refused = as_owner.post("/api/v1/webhooks", json!({ "url": url, "events": ["user.created"] }), 422).await;
        assert!(refused["errors"]["url"][0].as_str().unwrap().contains("public"), "{url}: {refused}");
    }

    // An endpoint whose name later points inside (DNS changed since it was saved): the delivery
    // checks the address it connects to and never reaches the receiver.
    let (id, _) = endpoint(&app, owner, "acme", "https://hooks.example.com/atrium", &["user.created"]).await;
    let port = receiver.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_string();
    for url in [format!("http://localhost:{port}/hooks"), format!("http://127.0.0.1:{port}/hooks")] {
        sqlx::query("UPDATE t_acme.webhooks SET url = $1").bind(&url).execute(&app.pool).await.unwrap();
        as_owner.post(&format!("/api/v1/webhooks/{id}/test"), json!({}), 202).await;
    }
    let list = settled(&app, owner, "acme", &id, 2).await;
    for d in &list {
        assert_eq!(d["status"], "failed", "refused, not retried: {d}");
        assert!(d["last_error"].as_str().unwrap().contains("not a public address"), "{d}");
    }
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn an_endpoint_failing_for_days_is_switched_off_and_the_owner_told() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let owner = &people["owner"];
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, owner, "acme", &receiver.url, &["department.created"]).await;
    sqlx::query("UPDATE t_acme.webhooks SET failing_since = now() - interval '4 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    receiver.script(&[Answer::Status(503)]);
    let test = app.as_user(owner, "acme").post(&format!("/api/v1/webhooks/{id}/test"), json!({}), 202).await;
    assert_eq!(test["data"]["event"], "webhook.ping");
    assert_eq!(test["data"]["status"], "pending");

    let mut notice = None;
    for _ in 0..200 {
        notice = app.mail.to("owner@acme.test").into_iter().find(|m| m.subject.contains("Webhook"));
        if notice.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let notice = notice.expect("the owner is told");
    assert!(notice.text.contains(&receiver.url), "{}", notice.text);
    let shown = app.as_user(owner, "acme").get(&format!("/api/v1/webhooks/{id}"), 200).await;
    assert_eq!(shown["data"]["active"], false);
    assert!(shown["data"]["disabled_reason"].as_str().unwrap().contains("failed"), "{shown}");
    let list = deliveries(&app, owner, "acme", &id).await;
    assert_eq!(list[0]["status"], "failed");
    assert_eq!(list[0]["last_status_code"], 503);

    // Switched off, it is sent nothing; turned on again, its failure record starts afresh.
    app.as_user(owner, "acme").post(&format!("/api/v1/webhooks/{id}/test"), json!({}), 409).await;
    let on = app.as_user(owner, "acme").put(&format!("/api/v1/webhooks/{id}"), json!({ "active": true }), 200).await;
    assert!(on["data"]["failing_since"].is_null() && on["data"]["disabled_reason"].is_null(), "{on}");
}

#[tokio::test]
async fn every_change_sends_its_event_with_its_data() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let owner = &people["owner"];
    let receiver = Receiver::start().await;
    endpoint(&app, owner, "acme", &receiver.url, &app::model::WEBHOOK_EVENTS).await;
    let as_owner = app.as_user(owner, "acme");
    let body = json!({ "name": "Bia", "email": "bia@acme.test", "role": "attendant", "password": PASSWORD });
    let user = as_owner.post("/api/v1/users", body, 201).await["data"]["id"].as_str().unwrap().to_string();
    as_owner.put(&format!("/api/v1/users/{user}"), json!({ "name": "Bia Lima" }), 200).await;
    as_owner.put(&format!("/api/v1/users/{user}"), json!({ "active": false }), 200).await;
    let created = as_owner.post("/api/v1/departments", json!({ "name": "Vendas" }), 201).await;
    let department = created["data"]["id"].as_str().unwrap().to_string();
    as_owner.put(&format!("/api/v1/departments/{department}"), json!({ "description": "Inside sales" }), 200).await;
    let manager = crate::helpers::user_id(&app, owner, "acme", "manager@acme.test").await;
    let members = format!("/api/v1/departments/{department}/users");
    as_owner.post(&members, json!({ "user_id": manager }), 201).await;
    as_owner.delete(&format!("{members}/{manager}"), 204).await;
    as_owner.delete(&format!("/api/v1/departments/{department}"), 204).await;

    let got = receiver.wait_for(8, Duration::from_secs(15)).await;
    let by_event: HashMap<String, Value> =
        got.iter().map(|r| (r.json()["event"].as_str().unwrap().to_string(), r.json()["data"].clone())).collect();
    let mut names: Vec<&str> = by_event.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "department.created",
            "department.deleted",
            "department.member_added",
            "department.member_removed",
            "department.updated",
            "user.created",
            "user.deactivated",
            "user.updated",
        ]
    );
    assert_eq!(by_event["user.updated"]["name"], "Bia Lima");
    assert_eq!(by_event["user.deactivated"]["active"], false);
    assert_eq!(by_event["department.updated"]["description"], "Inside sales");
    assert_eq!(by_event["department.deleted"]["id"], department.as_str());
    assert_eq!(by_event["department.member_added"], json!({ "department_id": department, "user_id": manager }));
    assert_eq!(by_event["department.member_removed"]["user_id"], manager.as_str());
}

#[tokio::test]
async fn a_payment_event_sends_subscription_updated() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "professional").await;
    assert_eq!(app.deliver(&app.charge_event("evt_1", "PAYMENT_CONFIRMED", &reference).await).await, "applied");
    let receiver = Receiver::start().await;
    endpoint(&app, &owner, "acme", &receiver.url, &["subscription.updated"]).await;
    // The next cycle's charge falls overdue.
    let subscription = app.charge(&reference).await.subscription_id.unwrap();
    let overdue = payment_event(
        "evt_2",
        "PAYMENT_OVERDUE",
        json!({ "id": "pay_next", "subscription": subscription, "value": 699.0, "dueDate": "2027-01-04" }),
    );
    assert_eq!(app.deliver(&overdue).await, "applied");
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    let body = got[0].json();
    assert_eq!(body["event"], "subscription.updated");
    assert_eq!(body["data"], json!({ "status": "past_due", "plan": "professional" }));
}

#[tokio::test]
async fn a_delivery_whose_sender_died_is_sent_by_another_process() {
    let app = spawn_app().await;
    let people = professional(&app, "acme").await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&app, &people["owner"], "acme", &receiver.url, &["department.created"]).await;
    // A process claims the delivery and dies before sending it (its claim is never finished).
    let slug = Slug::parse("acme").unwrap();
    let tenant = app.state.tenants.get(&slug).await.unwrap().unwrap();
    let mut tx = tenant.db(&app.pool).begin().await.unwrap();
    let endpoint_id: Uuid = id.parse().unwrap();
    let queued = events::queue(&mut tx, &tenant, &[endpoint_id], Event::Ping, json!({})).await.unwrap();
    // Claimed in the same transaction that makes it, so no live worker gets there first.
    sqlx::query(
        "UPDATE public.webhook_deliveries SET status = 'sending', claimed_by = $2, attempts = 1, \
         claimed_until = now() + interval '2 seconds' WHERE id = $1",
    )
    .bind(queued.deliveries[0])
    .bind(Uuid::new_v4())
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(receiver.received().is_empty(), "nobody takes a live claim over");
    // Once the claim runs out, a worker sends it.
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].header("x-atrium-delivery"), queued.deliveries[0].to_string());
    let list = settled(&app, &people["owner"], "acme", &id, 1).await;
    assert_eq!(list[0]["status"], "delivered");
    assert_eq!(list[0]["attempts"], 2, "the dead process's attempt counts");
}
