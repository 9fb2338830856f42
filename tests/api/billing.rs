//! Billing: the plan overview, webhook authentication and idempotency, every subscription
//! transition, read-only access while past due, downgrades, and the local checkout's events.
use serde_json::{json, Value};

use crate::helpers::{spawn_app, token, PUBLIC_URL, STRONG_PASSWORD, WEBHOOK_TOKEN};

fn event(id: &str, name: &str, key: &str, object: Value) -> Value {
    json!({ "id": id, "event": name, "dateCreated": "2026-11-23 10:00:00", key: object })
}

#[tokio::test]
async fn billing_plan_shows_plan_limits_features_and_usage_to_managers() {
    let app = spawn_app().await;
    app.tenant("acme", "owner@acme.test", STRONG_PASSWORD).await;
    let owner = token(&app.login_ok("acme", "owner@acme.test", STRONG_PASSWORD).await, "access_token");
    app.post(
        &owner,
        "acme",
        "/api/v1/users",
        json!({ "name": "M", "email": "m@acme.test", "role": "manager", "password": STRONG_PASSWORD }),
    )
    .await;
    app.post(
        &owner,
        "acme",
        "/api/v1/users",
        json!({ "name": "A", "email": "a@acme.test", "role": "attendant", "password": STRONG_PASSWORD }),
    )
    .await;
    app.post(&owner, "acme", "/api/v1/departments", json!({ "name": "Sales" })).await;
    let body = app.as_user(&owner, "acme").get("/api/v1/billing/plan", 200).await;
    let data = &body["data"];
    assert_eq!(data["plan"], "starter");
    assert_eq!(data["status"], "trialing");
    assert_eq!(data["limits"], json!({ "concurrent_calls": 2, "users": 5, "departments": 3 }));
    assert_eq!(
        data["features"],
        json!({ "recording": true, "ai_transcription": false, "advanced_analytics": false, "webhooks": false })
    );
    assert_eq!(data["usage"], json!({ "active_users": 3, "active_departments": 1 }));
    for key in ["trial_ends_at", "current_period_start", "current_period_end"] {
        assert!(data.get(key).is_some(), "{key}");
    }
    let manager = token(&app.login_ok("acme", "m@acme.test", STRONG_PASSWORD).await, "access_token");
    app.as_user(&manager, "acme").get("/api/v1/billing/plan", 200).await;
    let attendant = token(&app.login_ok("acme", "a@acme.test", STRONG_PASSWORD).await, "access_token");
    app.as_user(&attendant, "acme").get("/api/v1/billing/plan", 403).await;
}

#[tokio::test]
async fn webhooks_need_the_token_and_are_processed_once() {
    let app = spawn_app().await;
    let (_, reference, _) = app.with_checkout("acme", 1, "professional").await;
    let paid = event("evt_1&1", "CHECKOUT_PAID", "checkout", json!({ "id": reference, "status": "PAID" }));
    for bad in [None, Some("wrong"), Some("")] {
        let (status, body) = app.webhook(bad, &paid).await;
        assert_eq!(status, 401, "{bad:?}");
        assert!(body["errors"]["code"].is_string());
    }
    assert_eq!(app.status_of("acme").await, ("trialing".into(), "starter".into()));
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM payment_events").fetch_one(&app.pool).await.unwrap();
    assert_eq!(events, 0);

    let (status, body) = app.webhook(Some(WEBHOOK_TOKEN), &paid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["outcome"], "applied");
    assert_eq!(app.status_of("acme").await, ("active".into(), "professional".into()));
    // The tenant falls behind; then the paid event is replayed: it changes nothing.
    let overdue = event("evt_2", "PAYMENT_OVERDUE", "payment", json!({ "id": "pay_1", "checkoutSession": reference }));
    assert_eq!(app.webhook(Some(WEBHOOK_TOKEN), &overdue).await.0, 200);
    assert_eq!(app.status_of("acme").await.0, "past_due");
    let (status, body) = app.webhook(Some(WEBHOOK_TOKEN), &paid).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["outcome"], "duplicate");
    assert_eq!(app.status_of("acme").await.0, "past_due");

    // Unknown events are acknowledged and recorded; malformed bodies are 400.
    let (status, body) =
        app.webhook(Some(WEBHOOK_TOKEN), &event("evt_3", "PAYMENT_BANK_SLIP_VIEWED", "payment", json!({}))).await;
    assert_eq!((status, body["data"]["outcome"].as_str()), (200, Some("ignored")));
    assert_eq!(app.webhook(Some(WEBHOOK_TOKEN), &json!({ "event": "PAYMENT_RECEIVED" })).await.0, 400);
    let res = app
        .client
        .post(app.url("/api/webhooks/asaas"))
        .header("asaas-access-token", WEBHOOK_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let recorded: Vec<String> =
        sqlx::query_scalar("SELECT id FROM payment_events ORDER BY id").fetch_all(&app.pool).await.unwrap();
    assert_eq!(recorded, vec!["evt_1&1", "evt_2", "evt_3"]);
}

#[tokio::test]
async fn every_subscription_transition() {
    let app = spawn_app().await;
    let (_, reference, tenant_id) = app.with_checkout("acme", 1, "professional").await;
    let hook = |id: &str, name: &str, key: &str, object: Value| event(id, name, key, object);
    let steps = [
        // trialing → active by the payment of the checkout (the plan comes with it)
        (
            hook(
                "e1",
                "PAYMENT_CONFIRMED",
                "payment",
                json!({ "id": "pay_1", "checkoutSession": reference, "subscription": "sub_1", "customer": "cus_x", "dueDate": "2026-11-23" }),
            ),
            "active",
            "professional",
        ),
        // active → past_due
        (
            hook("e2", "PAYMENT_OVERDUE", "payment", json!({ "id": "pay_2", "subscription": "sub_1" })),
            "past_due",
            "professional",
        ),
        // past_due → active when paid (found by subscription id)
        (
            hook(
                "e3",
                "PAYMENT_RECEIVED",
                "payment",
                json!({ "id": "pay_2", "subscription": "sub_1", "dueDate": "2026-12-23" }),
            ),
            "active",
            "professional",
        ),
        // active → canceled
        (
            hook("e4", "SUBSCRIPTION_DELETED", "subscription", json!({ "id": "sub_1", "deleted": true })),
            "canceled",
            "professional",
        ),
        // an overdue notice after cancellation changes nothing
        (
            hook("e5", "PAYMENT_OVERDUE", "payment", json!({ "id": "pay_3", "subscription": "sub_1" })),
            "canceled",
            "professional",
        ),
        // canceled → active when paid again (found by our id in externalReference)
        (
            hook("e6", "PAYMENT_RECEIVED", "payment", json!({ "id": "pay_4", "externalReference": tenant_id })),
            "active",
            "professional",
        ),
    ];
    for (body, status, plan) in steps {
        let (code, res) = app.webhook(Some(WEBHOOK_TOKEN), &body).await;
        assert_eq!(code, 200, "{res}");
        assert_eq!(app.status_of("acme").await, (status.to_string(), plan.to_string()), "after {}", body["event"]);
    }
    let period: (Option<time::OffsetDateTime>, Option<time::OffsetDateTime>) =
        sqlx::query_as("SELECT current_period_start, current_period_end FROM tenants WHERE slug = 'acme'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(period.0.is_some() && period.1 > period.0);
    // A canceled checkout changes no tenant.
    let (_, other, _) = app.with_checkout("beta", 2, "professional").await;
    app.webhook(Some(WEBHOOK_TOKEN), &hook("e7", "CHECKOUT_CANCELED", "checkout", json!({ "id": other }))).await;
    assert_eq!(app.status_of("beta").await, ("trialing".into(), "starter".into()));
    let status: String = sqlx::query_scalar("SELECT status FROM checkouts WHERE provider_ref = $1")
        .bind(&other)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "canceled");
}

#[tokio::test]
async fn past_due_tenants_read_but_do_not_write() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "starter").await;
    app.webhook(Some(WEBHOOK_TOKEN), &event("e1", "CHECKOUT_PAID", "checkout", json!({ "id": reference }))).await;
    app.webhook(
        Some(WEBHOOK_TOKEN),
        &event("e2", "PAYMENT_OVERDUE", "payment", json!({ "checkoutSession": reference })),
    )
    .await;
    let as_owner = app.as_user(&owner, "acme");
    as_owner.get("/api/v1/users", 200).await;
    as_owner.get("/api/v1/billing/plan", 200).await;
    for (path, body) in [
        ("/api/v1/users", json!({ "name": "N", "email": "n@acme.test", "role": "attendant" })),
        ("/api/v1/departments", json!({ "name": "Sales" })),
    ] {
        let body = as_owner.post(path, body, 402).await;
        assert_eq!(body["errors"]["code"], "subscription_inactive");
    }
    as_owner.put("/api/v1/company", json!({ "phone": "1" }), 402).await;
    // Paying is still possible: that is how the writes come back.
    as_owner
        .post("/api/v1/billing/checkout", json!({ "plan": "professional", "success_url": "/", "cancel_url": "/" }), 200)
        .await;
    app.webhook(
        Some(WEBHOOK_TOKEN),
        &event("e3", "PAYMENT_RECEIVED", "payment", json!({ "checkoutSession": reference })),
    )
    .await;
    as_owner.post("/api/v1/departments", json!({ "name": "Sales" }), 201).await;
}

#[tokio::test]
async fn downgrades_below_usage_are_refused_with_what_exceeds() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "professional").await;
    app.webhook(Some(WEBHOOK_TOKEN), &event("e1", "CHECKOUT_PAID", "checkout", json!({ "id": reference }))).await;
    let as_owner = app.as_user(&owner, "acme");
    for i in 0..5 {
        as_owner
            .post("/api/v1/users", json!({ "name": "U", "email": format!("u{i}@acme.test"), "role": "attendant" }), 201)
            .await;
    }
    for i in 0..4 {
        as_owner.post("/api/v1/departments", json!({ "name": format!("D{i}") }), 201).await;
    }
    let body = as_owner
        .post("/api/v1/billing/checkout", json!({ "plan": "starter", "success_url": "/", "cancel_url": "/" }), 422)
        .await;
    assert_eq!(body["errors"]["code"], "plan_exceeds_usage");
    assert_eq!(
        body["errors"]["exceeds"],
        json!([{ "resource": "users", "used": 6, "limit": 5 }, { "resource": "departments", "used": 4, "limit": 3 }])
    );
    // The plan already paid for cannot be bought again; the other plan can.
    as_owner
        .post("/api/v1/billing/checkout", json!({ "plan": "professional", "success_url": "/", "cancel_url": "/" }), 409)
        .await;
    as_owner
        .post(
            "/api/v1/billing/checkout",
            json!({ "plan": "professional", "success_url": "https://evil.example", "cancel_url": "/" }),
            422,
        )
        .await;
    // The public signup checkout is only for workspaces in their trial.
    let (status, body) = app
        .signup_checkout(
            Some(&owner),
            json!({ "tenant": "acme", "plan": "starter", "success_url": PUBLIC_URL, "cancel_url": PUBLIC_URL }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn the_local_checkout_page_pays_through_the_webhook() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "professional").await;
    let page = app.client.get(app.url(&format!("/checkout/local/{reference}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Professional") && html.contains("R$ 699,00"), "{html}");
    let res = app
        .client
        .post(app.url("/rpc/finish_local_checkout"))
        .header("accept", "application/json")
        .form(&[("reference", reference.as_str()), ("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let target: String = res.json().await.unwrap();
    assert_eq!(target, format!("{PUBLIC_URL}/"));
    assert_eq!(app.status_of("acme").await, ("active".into(), "professional".into()));
    let events: Vec<String> =
        sqlx::query_scalar("SELECT event FROM payment_events ORDER BY received_at").fetch_all(&app.pool).await.unwrap();
    assert_eq!(events, vec!["CHECKOUT_PAID", "PAYMENT_CONFIRMED"]);
    let (_, body) = app.get_json(&owner, "acme", "/api/v1/billing/plan").await;
    assert_eq!(body["data"]["plan"], "professional");
    assert_eq!(body["data"]["status"], "active");
    // A closed checkout cannot be paid twice.
    let res = app
        .client
        .post(app.url("/rpc/finish_local_checkout"))
        .header("accept", "application/json")
        .form(&[("reference", reference.as_str()), ("outcome", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn features_are_queryable_by_plan() {
    use app::server::db::public::plans::{tenant_has_feature, Feature};
    let app = spawn_app().await;
    let (_, reference, tenant_id) = app.with_checkout("acme", 1, "professional").await;
    let id: uuid::Uuid = tenant_id.parse().unwrap();
    assert!(tenant_has_feature(&app.pool, id, Feature::Recording).await.unwrap());
    assert!(!tenant_has_feature(&app.pool, id, Feature::AiTranscription).await.unwrap());
    app.webhook(Some(WEBHOOK_TOKEN), &event("e1", "CHECKOUT_PAID", "checkout", json!({ "id": reference }))).await;
    assert!(tenant_has_feature(&app.pool, id, Feature::AiTranscription).await.unwrap());
    assert!(tenant_has_feature(&app.pool, id, Feature::AdvancedAnalytics).await.unwrap());
}

/// The paid period is enforced without any webhook: an active workspace whose period ended more
/// than the grace (7 days by default) ago reads but does not write, until a payment moves it on.
#[tokio::test]
async fn an_unpaid_period_past_its_grace_makes_the_workspace_read_only_without_a_webhook() {
    let app = spawn_app().await;
    let (owner, _, _) = app.with_checkout("acme", 1, "starter").await;
    let as_owner = app.as_user(&owner, "acme");
    // The server reads the registry again after its directory's 10 s.
    let period_ended = |days: i64| {
        let app = &app;
        async move {
            sqlx::query(
                "UPDATE public.tenants SET status = 'active', current_period_end = now() - make_interval(days => $1::int) \
                 WHERE slug = 'acme'",
            )
            .bind(days)
            .execute(&app.pool)
            .await
            .unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(11)).await;
        }
    };
    // Eight days past the end: read-only, though no webhook said anything.
    period_ended(8).await;
    let refused = as_owner.post("/api/v1/departments", json!({ "name": "Past grace" }), 402).await;
    assert_eq!(refused["errors"]["code"], "subscription_inactive");
    as_owner.get("/api/v1/departments", 200).await;
    assert_eq!(as_owner.get("/api/v1/billing/plan", 200).await["data"]["writable"], false);
    // A confirmed payment moves the period on: writable again.
    period_ended(-25).await;
    as_owner.post("/api/v1/departments", json!({ "name": "Paid again" }), 201).await;
    assert_eq!(as_owner.get("/api/v1/billing/plan", 200).await["data"]["writable"], true);
}
