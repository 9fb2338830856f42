//! Billing with the local provider: the plan overview, webhook authentication and idempotency,
//! every subscription transition, read-only access past the grace, downgrades, and the local
//! payment page's events.
use reqwest::Method;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::helpers::{call_at, payment_event, spawn_app, token, TestApp, PUBLIC_URL, STRONG_PASSWORD, WEBHOOK_TOKEN};

/// A button of the local payment page: (status, answer).
async fn local_page(app: &TestApp, reference: &str, outcome: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/rpc/finish_local_checkout"))
        .header("accept", "application/json")
        .form(&[("reference", reference), ("outcome", outcome)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The next cycle's charge of the workspace's subscription, as Asaas reports it in `event`:
/// due when the paid period ends, for the subscription's value.
async fn next_cycle_event(app: &TestApp, slug: &str, id: &str, event: &str, payment: &str) -> Value {
    let billing = app.billing_of(slug).await;
    let due = billing.current_period_end.map(|t| t.date()).unwrap_or_else(|| OffsetDateTime::now_utc().date());
    payment_event(
        id,
        event,
        json!({
            "id": payment, "subscription": billing.subscription_id,
            "value": f64::from(billing.subscription_value_cents.unwrap()) / 100.0, "billingType": "BOLETO",
            "dueDate": due.to_string(), "invoiceUrl": format!("{PUBLIC_URL}/checkout/local/{payment}"),
        }),
    )
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
    assert_eq!(data["writable"], true);
    assert_eq!(data["limits"], json!({ "concurrent_calls": 2, "users": 5, "departments": 3 }));
    assert_eq!(
        data["features"],
        json!({ "recording": true, "ai_transcription": false, "advanced_analytics": false, "webhooks": false })
    );
    assert_eq!(data["usage"], json!({ "active_users": 3, "active_departments": 1 }));
    for key in ["trial_ends_at", "current_period_start", "current_period_end", "next_charge_date", "writable_until"] {
        assert!(data.get(key).is_some(), "{key}");
    }
    // No subscription yet: nothing is charged.
    assert_eq!((data["cycle"].as_str(), data["billing_type"].as_str()), (Some("MONTHLY"), Some("UNDEFINED")));
    for key in ["price_cents", "next_charge_cents", "payment_url", "scheduled_plan", "canceled_at"] {
        assert_eq!(data[key], Value::Null, "{key}");
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
    let paid = app.charge_event("evt_1&1", "PAYMENT_CONFIRMED", &reference).await;
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
    assert_eq!(app.outcome_of("evt_1&1").await.as_deref(), Some("activated"));
    // The next cycle falls overdue; then the paid event is replayed: it changes nothing.
    let overdue = next_cycle_event(&app, "acme", "evt_2", "PAYMENT_OVERDUE", "pay_2").await;
    assert_eq!(app.deliver(&overdue).await, "applied");
    assert_eq!(app.status_of("acme").await.0, "past_due");
    let (status, body) = app.webhook(Some(WEBHOOK_TOKEN), &paid).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["outcome"], "duplicate");
    assert_eq!(app.status_of("acme").await.0, "past_due");

    // Unknown events, and the checkout events of the old design, are acknowledged and recorded;
    // malformed bodies are 400.
    let (status, body) =
        app.webhook(Some(WEBHOOK_TOKEN), &payment_event("evt_3", "PAYMENT_BANK_SLIP_VIEWED", json!({}))).await;
    assert_eq!((status, body["data"]["outcome"].as_str()), (200, Some("ignored")));
    let checkout =
        json!({ "id": "evt_4", "event": "CHECKOUT_PAID", "checkout": { "id": reference, "status": "PAID" } });
    assert_eq!(app.deliver(&checkout).await, "ignored");
    assert_eq!(app.status_of("acme").await.0, "past_due");
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
    let recorded: Vec<(String, String)> =
        sqlx::query_as("SELECT id, outcome FROM payment_events ORDER BY id").fetch_all(&app.pool).await.unwrap();
    let recorded: Vec<(&str, &str)> = recorded.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(recorded, [("evt_1&1", "activated"), ("evt_2", "past_due"), ("evt_3", "ignored"), ("evt_4", "ignored")]);
}

#[tokio::test]
async fn every_subscription_transition() {
    let app = spawn_app().await;
    let (_, reference, _) = app.with_checkout("acme", 1, "professional").await;
    let step = |event: Value, outcome: &'static str, status: &'static str| {
        let app = &app;
        async move {
            let id = event["id"].as_str().unwrap().to_string();
            app.deliver(&event).await;
            assert_eq!(app.outcome_of(&id).await.as_deref(), Some(outcome), "{id} {}", event["event"]);
            assert_eq!(app.status_of("acme").await, (status.to_string(), "professional".to_string()), "after {id}");
        }
    };
    // trialing → active by the first charge's payment (the plan comes with it)
    step(app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await, "activated", "active").await;
    let first_end = app.billing_of("acme").await.current_period_end.unwrap();
    // active → past_due: the next cycle's charge (new to Atrium) is overdue
    step(next_cycle_event(&app, "acme", "e2", "PAYMENT_OVERDUE", "pay_2").await, "past_due", "past_due").await;
    // past_due → active when paid; the period moves on a cycle
    step(next_cycle_event(&app, "acme", "e3", "PAYMENT_RECEIVED", "pay_2").await, "activated", "active").await;
    let billing = app.billing_of("acme").await;
    assert!(billing.current_period_end.unwrap() > first_end);
    assert_eq!(billing.current_period_start, Some(first_end));
    // active → past_due when the paid charge is refunded: the paid period ends now
    step(app.charge_event("e4", "PAYMENT_REFUNDED", "pay_2").await, "reversed", "past_due").await;
    assert!(app.billing_of("acme").await.current_period_end.unwrap() <= OffsetDateTime::now_utc());
    // a late overdue notice of the refunded charge changes nothing
    step(app.charge_event("e5", "PAYMENT_OVERDUE", "pay_2").await, "recorded", "past_due").await;
    // → canceled when the subscription ends at the provider
    let subscription = app.billing_of("acme").await.subscription_id.unwrap();
    let deleted = json!({ "id": "e6", "event": "SUBSCRIPTION_DELETED",
                          "subscription": { "object": "subscription", "id": subscription, "deleted": true } });
    step(deleted, "canceled", "canceled").await;
    // a late charge of the ended subscription is neither recorded nor applied
    step(next_cycle_event(&app, "acme", "e7", "PAYMENT_OVERDUE", "pay_3").await, "superseded", "canceled").await;
    let statuses: Vec<(String, String)> =
        app.charges_of("acme").await.into_iter().map(|c| (c.provider_ref, c.status)).collect();
    assert_eq!(statuses, [(reference.clone(), "paid".into()), ("pay_2".into(), "refunded".into())]);
    // The old design's checkout events change no workspace.
    let (_, other, _) = app.with_checkout("beta", 2, "professional").await;
    let canceled = json!({ "id": "e9", "event": "CHECKOUT_CANCELED", "checkout": { "id": other } });
    assert_eq!(app.deliver(&canceled).await, "ignored");
    assert_eq!(app.status_of("beta").await, ("trialing".into(), "starter".into()));
    assert_eq!(app.charge(&other).await.status, "pending");
}

/// The subscription ended at the provider (nothing charges any more); a charge of it reported
/// late (events arrive out of order) and then paid is recorded, but does not make the workspace
/// active again: it would show a subscription that no longer exists, whose changes and cancel the
/// provider refuses.
#[tokio::test]
async fn a_late_payment_of_an_ended_subscription_does_not_revive_it() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "starter").await;
    app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await;
    let subscription = app.billing_of("acme").await.subscription_id.unwrap();
    let deleted = json!({ "id": "e2", "event": "SUBSCRIPTION_DELETED",
                          "subscription": { "object": "subscription", "id": subscription, "deleted": true } });
    app.deliver(&deleted).await;
    assert_eq!(app.status_of("acme").await.0, "canceled");
    app.deliver(&next_cycle_event(&app, "acme", "e3", "PAYMENT_OVERDUE", "pay_2").await).await;
    assert_eq!(app.outcome_of("e3").await.as_deref(), Some("superseded"));
    let overview = app.as_user(&owner, "acme").get("/api/v1/billing/plan", 200).await;
    assert_eq!(overview["data"]["payment_url"], Value::Null, "nothing to pay: {}", overview["data"]);
    app.deliver(&next_cycle_event(&app, "acme", "e4", "PAYMENT_RECEIVED", "pay_2").await).await;
    let billing = app.billing_of("acme").await;
    assert_eq!(
        (billing.status.as_str(), billing.canceled_at.is_some()),
        ("canceled", true),
        "outcome {:?}",
        app.outcome_of("e4").await
    );
}

/// Past due and past the grace: the workspace reads but does not write; paying (or changing how
/// it pays) is still possible, and the payment brings the writes back.
#[tokio::test]
async fn past_due_workspaces_past_the_grace_read_but_do_not_write() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "starter").await;
    app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await;
    // The period ended eight days ago (the grace is seven) and its renewal is overdue.
    sqlx::query(
        "UPDATE public.tenants SET current_period_start = now() - interval '38 days', \
         current_period_end = now() - interval '8 days' WHERE slug = 'acme'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let overdue = next_cycle_event(&app, "acme", "e2", "PAYMENT_OVERDUE", "pay_2").await;
    app.deliver(&overdue).await;
    assert_eq!(app.status_of("acme").await.0, "past_due");
    let as_owner = app.as_user(&owner, "acme");
    as_owner.get("/api/v1/users", 200).await;
    let overview = as_owner.get("/api/v1/billing/plan", 200).await;
    assert_eq!(overview["data"]["writable"], false);
    assert_eq!(overview["data"]["payment_url"], format!("{PUBLIC_URL}/checkout/local/pay_2"));
    for (path, body) in [
        ("/api/v1/users", json!({ "name": "N", "email": "n@acme.test", "role": "attendant" })),
        ("/api/v1/departments", json!({ "name": "Sales" })),
    ] {
        let body = as_owner.post(path, body, 402).await;
        assert_eq!(body["errors"]["code"], "subscription_inactive");
    }
    as_owner.put("/api/v1/company", json!({ "phone": "1" }), 402).await;
    // Changing how it pays is still possible: that is how the writes come back.
    let change = as_owner.post("/api/v1/billing/subscription", json!({ "billing_type": "PIX" }), 200).await;
    assert_eq!(change["data"]["effective"], "next_cycle");
    let (status, _) = local_page(&app, "pay_2", "pay").await;
    assert_eq!(status, 200);
    assert_eq!(app.status_of("acme").await.0, "active");
    as_owner.post("/api/v1/departments", json!({ "name": "Sales" }), 201).await;
}

/// Past due within the grace: the workspace still writes, and the overview says until when.
#[tokio::test]
async fn a_past_due_workspace_writes_until_its_grace_ends() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "starter").await;
    app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await;
    sqlx::query(
        "UPDATE public.tenants SET current_period_start = now() - interval '32 days', \
         current_period_end = now() - interval '2 days' WHERE slug = 'acme'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.deliver(&next_cycle_event(&app, "acme", "e2", "PAYMENT_OVERDUE", "pay_2").await).await;
    assert_eq!(app.status_of("acme").await.0, "past_due");
    let as_owner = app.as_user(&owner, "acme");
    let overview = as_owner.get("/api/v1/billing/plan", 200).await;
    assert_eq!(overview["data"]["status"], "past_due");
    let until = overview["data"]["writable_until"].as_str().unwrap().to_string();
    let end = app.billing_of("acme").await.current_period_end.unwrap();
    let expected = end + time::Duration::days(7);
    assert_eq!(
        OffsetDateTime::parse(&until, &time::format_description::well_known::Rfc3339).unwrap().unix_timestamp(),
        expected.unix_timestamp()
    );
    assert_eq!(overview["data"]["writable"], true, "{}", overview["data"]);
    as_owner.post("/api/v1/departments", json!({ "name": "Within the grace" }), 201).await;
}

#[tokio::test]
async fn downgrades_below_usage_are_refused_with_what_exceeds() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "professional").await;
    app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await;
    let as_owner = app.as_user(&owner, "acme");
    for i in 0..5 {
        as_owner
            .post("/api/v1/users", json!({ "name": "U", "email": format!("u{i}@acme.test"), "role": "attendant" }), 201)
            .await;
    }
    for i in 0..4 {
        as_owner.post("/api/v1/departments", json!({ "name": format!("D{i}") }), 201).await;
    }
    let exceeds =
        json!([{ "resource": "users", "used": 6, "limit": 5 }, { "resource": "departments", "used": 4, "limit": 3 }]);
    let body = as_owner
        .post("/api/v1/billing/checkout", json!({ "plan": "starter", "success_url": "/", "cancel_url": "/" }), 422)
        .await;
    assert_eq!(body["errors"]["code"], "plan_exceeds_usage");
    assert_eq!(body["errors"]["exceeds"], exceeds);
    let body = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 422).await;
    assert_eq!(body["errors"]["code"], "plan_exceeds_usage");
    assert_eq!(body["errors"]["exceeds"], exceeds);
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.scheduled_plan_id, billing.subscription_value_cents), (None, Some(69900)), "nothing changed");
    // The plan already paid for cannot be bought again.
    let body = as_owner
        .post("/api/v1/billing/checkout", json!({ "plan": "professional", "success_url": "/", "cancel_url": "/" }), 409)
        .await;
    assert_eq!(body["errors"]["code"], "already_on_plan");
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
    assert_eq!((status, body["errors"]["code"].as_str()), (409, Some("subscription_exists")), "{body}");
    assert_eq!(app.charges_of("acme").await.len(), 1);
}

#[tokio::test]
async fn the_local_checkout_page_pays_through_the_webhook() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "professional").await;
    assert!(reference.starts_with("pay_local_"), "{reference}");
    let page = app.client.get(app.url(&format!("/checkout/local/{reference}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Professional") && html.contains("R$ 699,00"), "{html}");
    let (status, target) = local_page(&app, &reference, "pay").await;
    assert_eq!(status, 200);
    assert_eq!(target, format!("{PUBLIC_URL}/"));
    assert_eq!(app.status_of("acme").await, ("active".into(), "professional".into()));
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT event, outcome FROM payment_events ORDER BY received_at")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(events, [("PAYMENT_CONFIRMED".to_string(), "activated".to_string())]);
    let (_, body) = app.get_json(&owner, "acme", "/api/v1/billing/plan").await;
    assert_eq!(body["data"]["plan"], "professional");
    assert_eq!(body["data"]["status"], "active");
    assert_eq!(body["data"]["payment_url"], Value::Null, "nothing left to pay");
    // A paid charge cannot be paid twice.
    assert_eq!(local_page(&app, &reference, "pay").await.0, 409);
}

/// The local page's other buttons: the first charge falls overdue (the trial goes on), is paid
/// late, then refunded (past due, the paid period ends now).
#[tokio::test]
async fn the_local_page_lets_a_charge_fall_overdue_be_paid_and_be_refunded() {
    let app = spawn_app().await;
    let (_, reference, _) = app.with_checkout("acme", 1, "starter").await;
    assert_eq!(local_page(&app, &reference, "refund").await.0, 409, "nothing paid to refund");
    let (status, target) = local_page(&app, &reference, "overdue").await;
    assert_eq!(status, 200);
    assert_eq!(target, format!("/checkout/local/{reference}"));
    assert_eq!(app.charge(&reference).await.status, "overdue");
    assert_eq!(app.status_of("acme").await.0, "trialing");
    assert_eq!(local_page(&app, &reference, "overdue").await.0, 409);

    assert_eq!(local_page(&app, &reference, "pay").await.0, 200);
    assert_eq!(app.charge(&reference).await.status, "paid");
    assert_eq!(app.status_of("acme").await, ("active".into(), "starter".into()));

    assert_eq!(local_page(&app, &reference, "refund").await.0, 200);
    assert_eq!(app.charge(&reference).await.status, "refunded");
    let billing = app.billing_of("acme").await;
    assert_eq!(billing.status, "past_due");
    assert!(billing.current_period_end.unwrap() <= OffsetDateTime::now_utc());
    assert_eq!(local_page(&app, &reference, "refund").await.0, 409);
    assert_eq!(local_page(&app, &reference, "sideways").await.0, 422);
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT event, outcome FROM payment_events ORDER BY received_at")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let events: Vec<(&str, &str)> = events.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        events,
        [("PAYMENT_OVERDUE", "recorded"), ("PAYMENT_CONFIRMED", "activated"), ("PAYMENT_REFUNDED", "reversed")]
    );
}

#[tokio::test]
async fn features_are_queryable_by_plan() {
    use app::server::db::public::plans::{tenant_has_feature, Feature};
    let app = spawn_app().await;
    let (_, reference, tenant_id) = app.with_checkout("acme", 1, "professional").await;
    let id: uuid::Uuid = tenant_id.parse().unwrap();
    assert!(tenant_has_feature(&app.pool, id, Feature::Recording).await.unwrap());
    assert!(!tenant_has_feature(&app.pool, id, Feature::AiTranscription).await.unwrap());
    app.deliver(&app.charge_event("e1", "PAYMENT_CONFIRMED", &reference).await).await;
    assert!(tenant_has_feature(&app.pool, id, Feature::AiTranscription).await.unwrap());
    assert!(tenant_has_feature(&app.pool, id, Feature::AdvancedAnalytics).await.unwrap());
}

/// The paid period is enforced without any webhook: an active workspace whose period ended more
/// than the grace (7 days by default) ago reads but does not write, until a payment moves it on.
#[tokio::test]
async fn an_unpaid_period_past_its_grace_makes_the_workspace_read_only_without_a_webhook() {
    let app = spawn_app().await;
    let (owner, _, _) = app.with_checkout("acme", 1, "starter").await;
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
            // Each node keeps registry rows for 10 s: a node started now reads the row afresh.
            app.another_node(&app.jwt_secret, None).await
        }
    };
    // Eight days past the end: read-only, though no webhook said anything.
    let node = period_ended(8).await;
    let (status, refused) =
        call_at(&node, Method::POST, &owner, "acme", "/api/v1/departments", Some(json!({ "name": "Past grace" })))
            .await;
    assert_eq!((status, refused["errors"]["code"].as_str()), (402, Some("subscription_inactive")), "{refused}");
    assert_eq!(call_at(&node, Method::GET, &owner, "acme", "/api/v1/departments", None).await.0, 200);
    let (_, overview) = call_at(&node, Method::GET, &owner, "acme", "/api/v1/billing/plan", None).await;
    assert_eq!(overview["data"]["writable"], false);
    // A confirmed payment moves the period on: writable again.
    let node = period_ended(-25).await;
    let (status, _) =
        call_at(&node, Method::POST, &owner, "acme", "/api/v1/departments", Some(json!({ "name": "Paid again" })))
            .await;
    assert_eq!(status, 201);
    let (_, overview) = call_at(&node, Method::GET, &owner, "acme", "/api/v1/billing/plan", None).await;
    assert_eq!(overview["data"]["writable"], true);
}

/// Asaas's `INVOICE_*` events carry the service invoice (NFS-e) of a charge: its status and PDF
/// are listed with the charge; an invoice of a payment Atrium does not know changes nothing.
#[tokio::test]
async fn the_service_invoice_of_a_charge_is_listed_with_it() {
    let app = spawn_app().await;
    let (owner, reference, _) = app.with_checkout("acme", 1, "starter").await;
    app.deliver(&app.charge_event("e1", "PAYMENT_RECEIVED", &reference).await).await;
    let invoice = |id: &str, event: &str, payment: &str, status: &str, pdf: Value| {
        json!({ "id": id, "event": event, "dateCreated": "2026-12-04 10:00:00",
                "invoice": { "object": "invoice", "id": "inv_000000001", "payment": payment, "status": status,
                             "pdfUrl": pdf, "value": 99.0 } })
    };
    assert_eq!(
        app.deliver(&invoice("e2", "INVOICE_SYNCHRONIZED", &reference, "SYNCHRONIZED", Value::Null)).await,
        "applied"
    );
    let pdf = "https://sandbox.asaas.com/invoices/nfse/inv_000000001.pdf";
    assert_eq!(
        app.deliver(&invoice("e3", "INVOICE_AUTHORIZED", &reference, "AUTHORIZED", json!(pdf))).await,
        "applied"
    );
    assert_eq!(
        app.deliver(&invoice("e4", "INVOICE_AUTHORIZED", "pay_unknown", "AUTHORIZED", json!(pdf))).await,
        "ignored"
    );
    // Only an https link is kept: the page links to it.
    let sneaky = invoice("e5", "INVOICE_UPDATED", &reference, "AUTHORIZED", json!("javascript:alert(1)"));
    app.deliver(&sneaky).await;
    let listed = app.as_user(&owner, "acme").get("/api/v1/billing/charges", 200).await;
    assert_eq!(listed["data"][0]["nfse_status"], "AUTHORIZED");
    assert_eq!(listed["data"][0]["nfse_url"], pdf);
    assert_eq!(app.outcome_of("e4").await.as_deref(), Some("ignored"));
}
