//! Billing against Asaas: the client's requests (headers, paths, bodies) and the whole
//! subscription life of a workspace with the app configured for Asaas, played against the
//! stateful double in `asaas_double` (one subscription per workspace, upgrades, downgrades,
//! cancels, superseded subscriptions, refunds, lost webhooks, concurrent deliveries).
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};
use time::{Date, OffsetDateTime};

use app::{
    model::{BillingCycle, BillingType},
    server::{
        payments::{
            asaas::AsaasClient, NewCustomer, NewPayment, NewSubscription, PaymentError, PaymentProvider,
            SubscriptionTerms,
        },
        settings::Settings,
    },
};

use crate::{
    asaas_double::{AsaasDouble, Move, ASAAS_KEY},
    helpers::{
        cnpj, payment_event, spawn_app_with, staffed, token, Charge, TestApp, PASSWORD, PUBLIC_URL, WEBHOOK_TOKEN,
    },
};

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// The same day a month later (the month's last day when it has no such day).
fn month_after(date: Date) -> Date {
    let (year, month) = match date.month() {
        time::Month::December => (date.year() + 1, time::Month::January),
        m => (date.year(), m.next()),
    };
    Date::from_calendar_date(year, month, date.day().min(month.length(year))).unwrap()
}

/// An app whose payment provider is `double`.
async fn app_on(double: &AsaasDouble) -> TestApp {
    spawn_app_with(double.settings()).await
}

/// Registers workspace `slug` and subscribes it to `plan`, then has Asaas confirm the first
/// payment: the owner's token and the live subscription's id.
async fn paying(app: &TestApp, double: &AsaasDouble, slug: &str, n: u32, plan: &str) -> (String, String) {
    let (owner, first, _) = app.with_checkout(slug, n, plan).await;
    assert_eq!(double.settle_and_notify(app, &first, Move::Confirm).await["outcome"], "applied");
    let billing = app.billing_of(slug).await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", plan));
    (owner, billing.subscription_id.unwrap())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

// --- The client ---------------------------------------------------------------------------

#[tokio::test]
async fn the_client_speaks_asaas_v3() {
    let double = AsaasDouble::start().await;
    let client = AsaasClient::new(&double.base_url, ASAAS_KEY);
    let tenant_id = uuid::Uuid::new_v4();

    let customer = NewCustomer {
        tenant_id,
        name: "Clínica ABC Ltda",
        document: Some("11222333000181"),
        email: "owner@abc.test",
        phone: Some("11987654321"),
        postal_code: None,
        address: Some(""),
    };
    let customer_id = client.create_customer(&customer).await.unwrap();
    assert!(customer_id.starts_with("cus_"), "{customer_id}");

    let description = "Atrium Starter (mensal) — Clínica ABC Ltda";
    let terms = |value_cents, cycle, billing_type| SubscriptionTerms { value_cents, cycle, billing_type, description };
    let new = NewSubscription {
        customer_id: &customer_id,
        tenant_id,
        terms: terms(9900, BillingCycle::Monthly, BillingType::Undefined),
        next_due_date: today(),
        success_url: Some("http://atrium.test/billing?notice=paid"),
    };
    let (subscription, first) = client.create_subscription(&new).await.unwrap();
    assert!(subscription.id.starts_with("sub_") && subscription.live(), "{subscription:?}");
    // The first charge is the one Asaas made with the subscription, with its payment page.
    let made = double.payments_of(&subscription.id);
    assert_eq!(made.len(), 1);
    assert_eq!(first.id, made[0]["id"].as_str().unwrap());
    assert_eq!(first.subscription.as_deref(), Some(subscription.id.as_str()));
    assert_eq!((first.status.as_str(), first.value, first.due_date.clone()), ("PENDING", 99.0, today().to_string()));
    assert_eq!(first.invoice_url.as_deref(), made[0]["invoiceUrl"].as_str());

    client.update_subscription(&subscription.id, &terms(69900, BillingCycle::Yearly, BillingType::Pix)).await.unwrap();
    let after = double.subscription(&subscription.id);
    assert_eq!(
        (after["value"].clone(), after["cycle"].clone(), after["billingType"].clone()),
        (json!(699.0), json!("YEARLY"), json!("PIX"))
    );
    assert_eq!(double.payment(&first.id)["value"], 699.0, "pending charges take the new value");

    let one_off = NewPayment {
        customer_id: &customer_id,
        tenant_id,
        value_cents: 58064,
        billing_type: BillingType::Boleto,
        due_date: today(),
        description: "Atrium: Starter → Professional (Clínica ABC Ltda)",
        success_url: None,
    };
    let payment = client.create_payment(&one_off).await.unwrap();
    assert_eq!((payment.subscription.clone(), payment.value, payment.status.as_str()), (None, 580.64, "PENDING"));
    assert!(payment.bank_slip_url.is_some(), "a boleto has its slip");
    let read = client.payment(&payment.id).await.unwrap();
    assert_eq!((read.id.as_str(), read.value), (payment.id.as_str(), 580.64));
    assert!(client.subscription(&subscription.id).await.unwrap().live());

    // Many cycles later: every page of the list is read.
    for _ in 0..104 {
        double.next_cycle(&subscription.id);
    }
    let all = client.subscription_payments(&subscription.id).await.unwrap();
    assert_eq!(all.len(), 105);
    let mut ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 105, "no payment read twice");

    client.cancel_subscription(&subscription.id).await.unwrap();
    let gone = client.subscription(&subscription.id).await.unwrap();
    assert!(!gone.live(), "{gone:?}");
    assert_eq!(double.payment(&first.id)["deleted"], true, "its pending charges went with it");

    // What went over the wire.
    for r in double.requests() {
        assert_eq!(r.headers["access_token"], ASAAS_KEY, "{} {}", r.method, r.path);
        assert!(r.headers["user-agent"].to_str().unwrap().starts_with("atrium/"), "{:?}", r.headers);
        assert!(r.headers.get("authorization").is_none());
        if matches!(r.method, Method::POST | Method::PUT) {
            assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        }
    }
    let sent = double.sent("POST", "/v3/customers");
    let body = &sent[0].body;
    assert_eq!(body["name"], "Clínica ABC Ltda");
    assert_eq!(body["cpfCnpj"], "11222333000181");
    assert_eq!(body["email"], "owner@abc.test");
    assert_eq!(body["mobilePhone"], "11987654321");
    assert_eq!(body["externalReference"], tenant_id.to_string());
    assert!(body.get("address").is_none() && body.get("postalCode").is_none(), "blank fields are left out: {body}");

    let body = &double.sent("POST", "/v3/subscriptions")[0].body;
    assert_eq!(body["customer"], customer_id.as_str());
    assert_eq!(body["billingType"], "UNDEFINED");
    assert_eq!(body["value"], 99.0);
    assert_eq!(body["nextDueDate"], today().to_string());
    assert_eq!(body["cycle"], "MONTHLY");
    assert_eq!(body["description"], description);
    assert_eq!(body["externalReference"], tenant_id.to_string());
    assert_eq!(
        body["callback"],
        json!({ "successUrl": "http://atrium.test/billing?notice=paid", "autoRedirect": true })
    );

    let listed = double.sent("GET", &format!("/v3/subscriptions/{}/payments", subscription.id));
    assert!(listed.iter().all(|r| r.query.as_deref().is_some_and(|q| q.contains("limit=100"))), "{listed:?}");
    assert!(listed.iter().any(|r| r.query.as_deref().is_some_and(|q| q.contains("offset=100"))), "the second page");

    let put = double.sent("PUT", &format!("/v3/subscriptions/{}", subscription.id));
    assert_eq!(put.len(), 1);
    assert_eq!(
        put[0].body,
        json!({ "billingType": "PIX", "value": 699.0, "cycle": "YEARLY", "description": description,
                "updatePendingPayments": true })
    );

    let body = &double.sent("POST", "/v3/payments")[0].body;
    assert_eq!(body["customer"], customer_id.as_str());
    assert_eq!(body["billingType"], "BOLETO");
    assert_eq!(body["value"], 580.64);
    assert_eq!(body["dueDate"], today().to_string());
    assert_eq!(body["externalReference"], tenant_id.to_string());
    assert!(body["description"].as_str().unwrap().contains("Professional"));
    assert!(body.get("subscription").is_none());

    assert_eq!(double.sent("DELETE", &format!("/v3/subscriptions/{}", subscription.id)).len(), 1);
    assert_eq!(double.sent("GET", &format!("/v3/payments/{}", payment.id)).len(), 1);
}

#[tokio::test]
async fn refusals_of_the_provider_are_reported_with_its_reason() {
    let double = AsaasDouble::start().await;
    let customer = NewCustomer {
        tenant_id: uuid::Uuid::new_v4(),
        name: "X",
        document: None,
        email: "x@x.test",
        phone: None,
        postal_code: None,
        address: None,
    };
    match AsaasClient::new(&double.base_url, "wrong-key").create_customer(&customer).await {
        Err(PaymentError::Refused { status, detail }) => {
            assert_eq!(status, 401);
            assert!(detail.contains("invalid_access_token"), "{detail}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let client = AsaasClient::new(&double.base_url, ASAAS_KEY);
    match client.subscription("sub_000000000000").await {
        Err(PaymentError::Refused { status: 404, detail }) => assert!(detail.contains("not_found"), "{detail}"),
        other => panic!("expected a 404, got {other:?}"),
    }
    let customer_id = client.create_customer(&customer).await.unwrap();
    let tiny = NewPayment {
        customer_id: &customer_id,
        tenant_id: customer.tenant_id,
        value_cents: 499,
        billing_type: BillingType::Pix,
        due_date: today(),
        description: "x",
        success_url: None,
    };
    match client.create_payment(&tiny).await {
        Err(PaymentError::Refused { status: 400, detail }) => assert!(detail.contains("invalid_value"), "{detail}"),
        other => panic!("expected a 400, got {other:?}"),
    }
    // An id that is not one never reaches a path.
    assert!(matches!(client.payment("../customers").await, Err(PaymentError::Protocol(_))));
    match AsaasClient::new("http://127.0.0.1:9/v3", ASAAS_KEY).create_customer(&customer).await {
        Err(PaymentError::Unreachable(_)) => {}
        other => panic!("expected unreachable, got {other:?}"),
    }
    // The double insists on a User-Agent, as Asaas does.
    let bare = reqwest::Client::new()
        .get(format!("{}/payments/x", double.base_url))
        .header("access_token", ASAAS_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 400);
}

// --- The app on Asaas -----------------------------------------------------------------------

#[tokio::test]
async fn signup_checkout_goes_through_asaas_when_configured() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let owner = token(&app.register("Acme", &cnpj(5)).await, "access_token");
    app.verify_owner("acme").await;
    let (status, body) = app
        .signup_checkout(
            Some(&owner),
            json!({ "tenant": "acme", "plan": "professional", "success_url": "/", "cancel_url": "/billing" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let billing = app.billing_of("acme").await;
    let subscription = billing.subscription_id.clone().expect("the live subscription is recorded");
    let first = double.payments_of(&subscription);
    assert_eq!(first.len(), 1);
    assert_eq!(body["data"]["checkout_url"], first[0]["invoiceUrl"], "the buyer pays on Asaas's page");
    let charge = app.charge(first[0]["id"].as_str().unwrap()).await;
    assert_eq!(body["data"]["checkout_id"], charge.id.to_string());
    assert_eq!(
        (charge.provider.as_str(), charge.kind.as_str(), charge.plan_id.as_deref(), charge.expected_cents),
        ("asaas", "subscription", Some("professional"), 69900)
    );
    assert_eq!((charge.status.as_str(), charge.subscription_id.as_deref()), ("pending", Some(subscription.as_str())));
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("trialing", "starter"), "not before it is paid");
    assert_eq!(billing.subscription_value_cents, Some(69900));
    assert_eq!(billing.payment_customer_id.as_deref(), double.customers()[0]["id"].as_str());

    let tenant_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'acme'").fetch_one(&app.pool).await.unwrap();
    let customer = &double.sent("POST", "/v3/customers")[0].body;
    assert_eq!(customer["cpfCnpj"], cnpj(5));
    assert_eq!(customer["email"], "alice@company.test");
    assert_eq!(customer["name"], "Acme");
    assert_eq!(customer["externalReference"], tenant_id.to_string());
    let sent = &double.sent("POST", "/v3/subscriptions")[0].body;
    assert_eq!(sent["customer"], billing.payment_customer_id.unwrap());
    assert_eq!((sent["value"].clone(), sent["cycle"].clone()), (json!(699.0), json!("MONTHLY")));
    assert_eq!(sent["billingType"], "UNDEFINED");
    assert_eq!(sent["nextDueDate"], today().to_string());
    assert_eq!(sent["externalReference"], tenant_id.to_string());
    assert_eq!(sent["callback"]["successUrl"], format!("{PUBLIC_URL}/"));
    assert!(sent["description"].as_str().unwrap().contains("Professional"), "{sent}");

    // Asaas confirms the card payment: the plan comes with it, for a month from the due date.
    let paid = double.settle(&charge.provider_ref, Move::Confirm);
    assert_eq!(double.deliver(&app, &paid).await["outcome"], "applied");
    assert_eq!(app.outcome_of(paid["id"].as_str().unwrap()).await.as_deref(), Some("activated"));
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", "professional"));
    assert_eq!(billing.current_period_start.map(|t| t.date()), Some(today()));
    assert_eq!(billing.current_period_end.map(|t| t.date()), Some(month_after(today())));
    let charge = app.charge(&charge.provider_ref).await;
    assert_eq!((charge.status.as_str(), charge.value_cents), ("paid", Some(69900)));
    // The local payment page does not exist with a real provider.
    let page = app.client.get(app.url(&format!("/checkout/local/{}", charge.provider_ref))).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

#[tokio::test]
async fn a_yearly_subscription_costs_ten_months_and_lasts_a_year() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let owner = token(&app.register("Acme", &cnpj(6)).await, "access_token");
    app.verify_owner("acme").await;
    let body = json!({ "tenant": "acme", "plan": "starter", "success_url": "/", "cancel_url": "/billing",
                       "cycle": "YEARLY", "billing_type": "PIX" });
    let (status, res) = app.signup_checkout(Some(&owner), body).await;
    assert_eq!(status, 200, "{res}");
    let sent = &double.sent("POST", "/v3/subscriptions")[0].body;
    assert_eq!(
        (sent["value"].clone(), sent["cycle"].clone(), sent["billingType"].clone()),
        (json!(990.0), json!("YEARLY"), json!("PIX"))
    );
    let subscription = app.billing_of("acme").await.subscription_id.unwrap();
    let first = double.payments_of(&subscription)[0]["id"].as_str().unwrap().to_string();
    double.settle_and_notify(&app, &first, Move::Receive).await;
    let billing = app.billing_of("acme").await;
    assert_eq!(
        (billing.status.as_str(), billing.billing_cycle.as_str(), billing.billing_type.as_str()),
        ("active", "YEARLY", "PIX")
    );
    let (year, month) = (today().year() + 1, today().month());
    let year_later = Date::from_calendar_date(year, month, today().day().min(month.length(year))).unwrap();
    assert_eq!(billing.current_period_end.map(|t| t.date()), Some(year_later));
    let plan = app.as_user(&owner, "acme").get("/api/v1/billing/plan", 200).await;
    assert_eq!((plan["data"]["cycle"].clone(), plan["data"]["price_cents"].clone()), (json!("YEARLY"), json!(99000)));
}

/// An upgrade is a one-off prorated charge whose payment brings the plan; a downgrade waits for
/// the next cycle; the workspace keeps one subscription at Asaas throughout, charging the value
/// of the plan it will be on.
#[tokio::test]
async fn upgrade_and_downgrade_keep_one_subscription_at_the_provider() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    assert_eq!(double.subscription(&subscription)["value"], 99.0);
    let as_owner = app.as_user(&owner, "acme");

    // Upgrade: pay the difference for what is left of the month; the plan comes with it.
    let change = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let change = &change["data"];
    assert_eq!((change["effective"].as_str(), change["plan"].as_str()), (Some("on_payment"), Some("professional")));
    let one_offs = double.one_off_payments();
    assert_eq!(one_offs.len(), 1, "one POST /v3/payments");
    let upgrade = one_offs[0]["id"].as_str().unwrap().to_string();
    assert_eq!(change["payment_url"], one_offs[0]["invoiceUrl"]);
    let value = one_offs[0]["value"].as_f64().unwrap();
    // (699 - 99) × what is left of a month that started today.
    assert!((570.0..=600.0).contains(&value), "prorated difference {value}");
    let charge = app.charge(&upgrade).await;
    assert_eq!(change["charge_id"], charge.id.to_string());
    assert_eq!(
        (
            charge.kind.as_str(),
            charge.plan_id.as_deref(),
            charge.from_plan_id.as_deref(),
            charge.subscription_id.clone()
        ),
        ("upgrade", Some("professional"), Some("starter"), None)
    );
    assert_eq!(charge.expected_cents, (value * 100.0).round() as i32);
    assert_eq!(double.subscription(&subscription)["value"], 699.0, "the next cycles charge the new plan");
    let billing = app.billing_of("acme").await;
    assert_eq!(billing.plan_id, "starter", "not before the difference is paid");
    assert_eq!(
        (billing.subscription_value_cents, billing.subscription_id.as_deref()),
        (Some(69900), Some(subscription.as_str()))
    );

    let paid = double.settle_and_notify(&app, &upgrade, Move::Receive).await;
    assert_eq!(paid["outcome"], "applied");
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", "professional"));
    assert_eq!(billing.scheduled_plan_id, None, "nothing left to wait for");
    let period = billing.current_period_end;

    // Downgrade: from the next cycle; the period paid for keeps the plan it paid for.
    let change = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 200).await;
    let change = &change["data"];
    assert_eq!(
        (change["effective"].as_str(), change["charge_id"].clone(), change["payment_url"].clone()),
        (Some("next_cycle"), Value::Null, Value::Null)
    );
    assert_eq!(double.subscription(&subscription)["value"], 99.0);
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.plan_id.as_str(), billing.scheduled_plan_id.as_deref()), ("professional", Some("starter")));
    assert_eq!(billing.subscription_value_cents, Some(9900));
    let overview = as_owner.get("/api/v1/billing/plan", 200).await;
    assert_eq!(
        (overview["data"]["plan"].clone(), overview["data"]["scheduled_plan"].clone()),
        (json!("professional"), json!("starter"))
    );
    assert_eq!(overview["data"]["price_cents"], 9900);

    // Asaas makes the next cycle's charge for the new value; its payment brings the smaller plan.
    let next = double.next_cycle(&subscription);
    assert_eq!(double.payment(&next)["value"], 99.0);
    assert_eq!(double.settle_and_notify(&app, &next, Move::Receive).await["outcome"], "applied");
    let billing = app.billing_of("acme").await;
    assert_eq!(
        (billing.status.as_str(), billing.plan_id.as_str(), billing.scheduled_plan_id.clone()),
        ("active", "starter", None)
    );
    assert!(billing.current_period_end > period, "the new cycle is paid");
    assert_eq!(app.charge(&next).await.expected_cents, 9900);

    // One subscription, one customer, all along.
    assert_eq!(double.sent("POST", "/v3/subscriptions").len(), 1);
    assert_eq!(double.sent("POST", "/v3/customers").len(), 1);
    assert_eq!(double.sent("POST", "/v3/payments").len(), 1);
    assert_eq!(double.count("DELETE", "/v3/"), 0);
    let customer = billing.payment_customer_id.unwrap();
    assert_eq!(double.live_subscriptions(&customer), 1);
    let puts: Vec<Value> =
        double.sent("PUT", &format!("/v3/subscriptions/{subscription}")).into_iter().map(|r| r.body).collect();
    assert_eq!(puts.iter().map(|b| b["value"].clone()).collect::<Vec<_>>(), [json!(699.0), json!(99.0)]);
    assert!(puts.iter().all(|b| b["updatePendingPayments"] == true));
    let kinds: Vec<(String, String)> = app.charges_of("acme").await.into_iter().map(|c| (c.kind, c.status)).collect();
    assert_eq!(
        kinds,
        [
            ("subscription".into(), "paid".into()),
            ("upgrade".into(), "paid".into()),
            ("subscription".into(), "paid".into())
        ]
    );
}

#[tokio::test]
async fn a_plan_change_before_the_first_payment_retargets_the_first_charge() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, first, _) = app.with_checkout("acme", 1, "starter").await;
    let change = app
        .as_user(&owner, "acme")
        .post("/api/v1/billing/subscription", json!({ "plan": "professional", "billing_type": "BOLETO" }), 200)
        .await;
    let charge = app.charge(&first).await;
    assert_eq!(change["data"]["effective"], "on_payment");
    assert_eq!(change["data"]["charge_id"], charge.id.to_string(), "the same first charge");
    assert_eq!(change["data"]["payment_url"], double.payment(&first)["invoiceUrl"]);
    assert_eq!((charge.plan_id.as_deref(), charge.expected_cents), (Some("professional"), 69900));
    // Asaas updated the pending charge with the subscription: one of each, the new value.
    assert_eq!(double.payment(&first)["value"], 699.0);
    assert_eq!(double.payment(&first)["billingType"], "BOLETO");
    assert_eq!(double.sent("POST", "/v3/subscriptions").len(), 1);
    assert_eq!(double.sent("POST", "/v3/payments").len(), 0);
    assert_eq!(app.charges_of("acme").await.len(), 1);

    double.settle_and_notify(&app, &first, Move::Receive).await;
    let billing = app.billing_of("acme").await;
    assert_eq!(
        (billing.status.as_str(), billing.plan_id.as_str(), billing.billing_type.as_str()),
        ("active", "professional", "BOLETO")
    );
}

/// An upgrade waits for its charge: asking for it again answers the same charge (no second
/// charge at Asaas); any other change waits until it is paid.
#[tokio::test]
async fn an_upgrade_waiting_for_its_payment_is_answered_again_and_holds_other_changes() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    let as_owner = app.as_user(&owner, "acme");
    let first = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let again = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    assert_eq!(again["data"]["charge_id"], first["data"]["charge_id"]);
    assert_eq!(again["data"]["payment_url"], first["data"]["payment_url"]);
    let held = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 409).await;
    assert_eq!(held["errors"]["code"], "upgrade_pending");
    assert_eq!(double.sent("POST", "/v3/payments").len(), 1);
    assert_eq!(double.sent("PUT", &format!("/v3/subscriptions/{subscription}")).len(), 1);
    assert_eq!(app.charges_of("acme").await.len(), 2);
    assert_eq!(double.subscription(&subscription)["value"], 699.0);
}

#[tokio::test]
async fn events_of_a_superseded_subscription_change_nothing() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, old) = paying(&app, &double, "acme", 1, "starter").await;
    let first = double.payments_of(&old)[0]["id"].as_str().unwrap().to_string();
    let as_owner = app.as_user(&owner, "acme");
    let canceled = as_owner.delete("/api/v1/billing/subscription", 200).await;
    assert_eq!(canceled["data"]["status"], "canceled");
    assert_eq!(double.subscription(&old)["deleted"], true);
    let again = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 200).await;
    assert_eq!(again["data"]["effective"], "on_payment");
    let before = app.billing_of("acme").await;
    let new = before.subscription_id.clone().unwrap();
    assert_ne!(new, old, "a new subscription after a cancel");
    let customer = before.payment_customer_id.clone().unwrap();
    assert_eq!(double.live_subscriptions(&customer), 1);
    assert_eq!(double.sent("POST", "/v3/customers").len(), 1, "the same customer");
    let charges = app.charges_of("acme").await.len();

    // The old subscription's paid charge is refunded: recorded, nothing else.
    let refund = double.settle(&first, Move::Refund);
    double.deliver(&app, &refund).await;
    assert_eq!(app.outcome_of(refund["id"].as_str().unwrap()).await.as_deref(), Some("superseded"));
    // A charge of the old subscription Atrium never saw.
    let stray = payment_event(
        "evt_stray&1",
        "PAYMENT_RECEIVED",
        json!({ "id": "pay_000000000777", "subscription": old, "customer": customer, "value": 99.0,
                "billingType": "PIX", "dueDate": today().to_string() }),
    );
    app.deliver(&stray).await;
    assert_eq!(app.outcome_of("evt_stray&1").await.as_deref(), Some("superseded"));
    // And the old subscription's end.
    let ended = json!({
        "id": "evt_sub_old&2", "event": "SUBSCRIPTION_INACTIVATED", "dateCreated": "2026-12-07 10:00:00",
        "subscription": { "object": "subscription", "id": old, "customer": customer, "deleted": true },
    });
    app.deliver(&ended).await;
    assert_eq!(app.outcome_of("evt_sub_old&2").await.as_deref(), Some("superseded"));

    assert_eq!(app.billing_of("acme").await, before, "the workspace did not move");
    assert_eq!(app.charges_of("acme").await.len(), charges, "no charge recorded for the old subscription");
    let tenant: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT tenant_id FROM payment_events WHERE id = 'evt_stray&1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(tenant.is_some(), "recorded against the workspace");
}

/// A canceled workspace subscribes again: the new subscription's first payment makes it active.
#[tokio::test]
async fn subscribing_again_after_a_cancel_activates_on_payment() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, _) = paying(&app, &double, "acme", 1, "starter").await;
    let as_owner = app.as_user(&owner, "acme");
    as_owner.delete("/api/v1/billing/subscription", 200).await;
    assert_eq!(app.billing_of("acme").await.status, "canceled");
    as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let new = app.billing_of("acme").await.subscription_id.unwrap();
    let first = double.payments_of(&new)[0]["id"].as_str().unwrap().to_string();
    let paid = double.settle(&first, Move::Confirm);
    double.deliver(&app, &paid).await;
    let outcome = app.outcome_of(paid["id"].as_str().unwrap()).await;
    let billing = app.billing_of("acme").await;
    assert_eq!(
        (billing.status.as_str(), billing.plan_id.as_str(), billing.canceled_at),
        ("active", "professional", None),
        "the payment's outcome: {outcome:?}"
    );
}

#[tokio::test]
async fn a_paid_value_other_than_the_charges_activates_nothing() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, first, _) = app.with_checkout("acme", 1, "professional").await;
    let mut short = double.settle(&first, Move::Confirm);
    short["payment"]["value"] = json!(6.99);
    double.deliver(&app, &short).await;
    assert_eq!(app.outcome_of(short["id"].as_str().unwrap()).await.as_deref(), Some("value_mismatch"));
    assert_eq!(app.status_of("acme").await, ("trialing".into(), "starter".into()));
    let charge = app.charge(&first).await;
    assert_eq!((charge.value_mismatch, charge.status.as_str(), charge.value_cents), (true, "pending", Some(699)));
    let listed = app.as_user(&owner, "acme").get("/api/v1/billing/charges", 200).await;
    assert_eq!(listed["data"][0]["value_mismatch"], true);

    // The full amount, reported later, is applied.
    let full = double.settle(&first, Move::Receive);
    double.deliver(&app, &full).await;
    assert_eq!(app.status_of("acme").await, ("active".into(), "professional".into()));
    let charge = app.charge(&first).await;
    assert_eq!((charge.value_mismatch, charge.status.as_str(), charge.value_cents), (false, "paid", Some(69900)));
}

/// Asaas reports a boleto paid late with its fine and interest in `value` and the charge's own
/// amount in `originalValue`: that is the charge paid, not another amount.
#[tokio::test]
async fn a_late_payment_with_interest_pays_the_charge() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (_, first, _) = app.with_checkout("acme", 1, "starter").await;
    let mut late = double.settle(&first, Move::Receive);
    late["payment"]["value"] = json!(101.57);
    late["payment"]["originalValue"] = json!(99.0);
    late["payment"]["interestValue"] = json!(2.57);
    double.deliver(&app, &late).await;
    assert_eq!(
        app.status_of("acme").await,
        ("active".into(), "starter".into()),
        "outcome {:?}",
        app.outcome_of(late["id"].as_str().unwrap()).await
    );
}

#[tokio::test]
async fn refunds_and_chargebacks_make_the_workspace_past_due() {
    // Within the grace (7 days) a past-due workspace still writes.
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    let first = double.payments_of(&subscription)[0]["id"].as_str().unwrap().to_string();
    let refund = double.settle(&first, Move::Refund);
    assert_eq!(double.deliver(&app, &refund).await["outcome"], "applied");
    assert_eq!(app.outcome_of(refund["id"].as_str().unwrap()).await.as_deref(), Some("reversed"));
    let billing = app.billing_of("acme").await;
    assert_eq!(billing.status, "past_due");
    assert!(billing.current_period_end.unwrap() <= OffsetDateTime::now_utc(), "the paid period ends now");
    assert_eq!(app.charge(&first).await.status, "refunded");
    let as_owner = app.as_user(&owner, "acme");
    assert_eq!(as_owner.get("/api/v1/billing/plan", 200).await["data"]["writable"], true);
    as_owner.post("/api/v1/departments", json!({ "name": "Within the grace" }), 201).await;

    // Without a grace, a chargeback stops writes at once.
    let double = AsaasDouble::start().await;
    let app = spawn_app_with(Settings { billing_grace_days: 0, ..double.settings() }).await;
    let (owner, subscription) = paying(&app, &double, "beta", 2, "starter").await;
    let as_owner = app.as_user(&owner, "beta");
    as_owner.post("/api/v1/departments", json!({ "name": "Paid" }), 201).await;
    let first = double.payments_of(&subscription)[0]["id"].as_str().unwrap().to_string();
    let chargeback = double.settle(&first, Move::Chargeback);
    double.deliver(&app, &chargeback).await;
    assert_eq!(app.outcome_of(chargeback["id"].as_str().unwrap()).await.as_deref(), Some("reversed"));
    assert_eq!(app.billing_of("beta").await.status, "past_due");
    assert_eq!(app.charge(&first).await.status, "chargeback");
    let refused = as_owner.post("/api/v1/departments", json!({ "name": "Charged back" }), 402).await;
    assert_eq!(refused["errors"]["code"], "subscription_inactive");
    as_owner.get("/api/v1/departments", 200).await;
    assert_eq!(as_owner.get("/api/v1/billing/plan", 200).await["data"]["writable"], false);
}

/// Asaas's webhooks are lost (the app was down): the reconciliation asks Asaas and applies what
/// it missed, with event ids of its own; the webhook arriving late changes nothing more.
#[tokio::test]
async fn reconciliation_repairs_missed_webhooks() {
    let double = AsaasDouble::start().await;
    let settings = Settings {
        billing_reconcile_interval: Duration::from_millis(200),
        billing_stale_after: Duration::ZERO,
        ..double.settings()
    };
    let app = spawn_app_with(settings).await;
    let (_, first, _) = app.with_checkout("acme", 1, "professional").await;
    let subscription = app.billing_of("acme").await.subscription_id.unwrap();
    let lost = double.settle(&first, Move::Confirm);
    sqlx::query("UPDATE public.tenants SET billing_checked_at = NULL WHERE slug = 'acme'")
        .execute(&app.pool)
        .await
        .unwrap();
    let until = |status: &'static str| {
        let app = &app;
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while app.billing_of("acme").await.status != status {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "not {status} within 10 s: {:?}",
                    app.billing_of("acme").await
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    until("active").await;
    assert_eq!(app.billing_of("acme").await.plan_id, "professional");
    assert_eq!(app.outcome_of(&format!("reconcile:{first}:PAYMENT_CONFIRMED")).await.as_deref(), Some("activated"));
    assert_eq!(app.charge(&first).await.status, "paid");
    assert!(!double.sent("GET", &format!("/v3/subscriptions/{subscription}")).is_empty());

    let before = app.billing_of("acme").await;
    double.deliver(&app, &lost).await;
    assert_eq!(app.outcome_of(lost["id"].as_str().unwrap()).await.as_deref(), Some("recorded"));
    assert_eq!(app.billing_of("acme").await, before);
    let notices = count(&app, "SELECT count(*) FROM outbox_messages WHERE kind = 'plan_changed'").await;
    assert_eq!(notices, 1, "the plan's notice went out once");

    // The next cycle's charge falls overdue and that webhook is lost too.
    let next = double.next_cycle(&subscription);
    double.settle(&next, Move::Overdue);
    until("past_due").await;
    assert_eq!(app.charge(&next).await.status, "overdue");
    assert_eq!(app.outcome_of(&format!("reconcile:{next}:PAYMENT_OVERDUE")).await.as_deref(), Some("past_due"));
}

#[tokio::test]
async fn only_the_owner_checks_out_and_refusals_reach_no_provider() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let owner = token(&app.register("Acme", &cnpj(1)).await, "access_token");
    app.verify_owner("acme").await;
    let other = token(&app.register("Beta", &cnpj(2)).await, "access_token");
    app.verify_owner("beta").await;
    let manager = json!({ "name": "Mia", "email": "mia@acme.test", "role": "manager", "password": PASSWORD });
    app.as_user(&owner, "acme").post("/api/v1/users", manager, 201).await;
    let mia = token(&app.login_ok("acme", "mia@acme.test", PASSWORD).await, "access_token");
    let body = json!({ "tenant": "acme", "plan": "professional", "success_url": "/billing", "cancel_url": "/billing" });

    let (status, res) = app.signup_checkout(None, body.clone()).await;
    assert_eq!((status, res["errors"]["code"].as_str()), (401, Some("unauthorized")), "{res}");
    let (status, res) = app.signup_checkout(Some(&other), body.clone()).await;
    assert_eq!((status, res["errors"]["code"].as_str()), (403, Some("forbidden")), "{res}");
    let (status, _) = app.signup_checkout(Some(&mia), body.clone()).await;
    assert_eq!(status, 403);
    let as_mia = app.as_user(&mia, "acme");
    as_mia
        .post("/api/v1/billing/checkout", json!({ "plan": "professional", "success_url": "/", "cancel_url": "/" }), 403)
        .await;
    as_mia.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 403).await;
    assert!(double.requests().is_empty(), "refused calls reach no provider: {:?}", double.requests());
    assert_eq!(count(&app, "SELECT count(*) FROM public.charges").await, 0);
    assert_eq!(app.billing_of("acme").await.subscription_id, None);

    let (status, res) = app.signup_checkout(Some(&owner), body).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!((double.sent("POST", "/v3/customers").len(), double.sent("POST", "/v3/subscriptions").len()), (1, 1));
}

/// Asaas retries a webhook it thinks failed, sometimes while the first delivery is still being
/// processed: one event id is applied once however many arrive at once.
#[tokio::test]
async fn concurrent_deliveries_of_one_event_apply_it_once() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (_, first, _) = app.with_checkout("acme", 1, "professional").await;
    let event = double.settle(&first, Move::Confirm);
    let answers = join_all((0..20).map(|_| app.webhook(Some(WEBHOOK_TOKEN), &event))).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{answers:?}");
    let outcomes: Vec<&str> = answers.iter().map(|(_, b)| b["data"]["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "applied").count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == "duplicate").count(), 19, "{outcomes:?}");
    assert_eq!(count(&app, "SELECT count(*) FROM payment_events").await, 1);
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", "professional"));
    assert_eq!(billing.current_period_end.map(|t| t.date()), Some(month_after(today())), "one cycle");
    let charges: Vec<Charge> = app.charges_of("acme").await;
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].status, "paid");
    let notices = count(&app, "SELECT count(*) FROM outbox_messages WHERE kind = 'plan_changed'").await;
    assert_eq!(notices, 1, "the owner hears of the new plan once");
}

#[tokio::test]
async fn charges_are_listed_to_managers_and_only_the_owner_changes_or_cancels() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let tokens = staffed(&app, "acme").await;
    let as_owner = app.as_user(&tokens["owner"], "acme");
    let start = as_owner.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 200).await;
    assert_eq!(start["data"]["effective"], "on_payment");
    let subscription = app.billing_of("acme").await.subscription_id.unwrap();
    let first = double.payments_of(&subscription)[0]["id"].as_str().unwrap().to_string();
    double.settle_and_notify(&app, &first, Move::Confirm).await;
    as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;

    let as_manager = app.as_user(&tokens["manager"], "acme");
    let listed = as_manager.get("/api/v1/billing/charges", 200).await;
    let kinds: Vec<&str> = listed["data"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["upgrade", "subscription"], "newest first");
    assert_eq!(listed["meta"]["total_count"], 2);
    assert_eq!(listed["data"][1]["status"], "paid");
    assert_eq!(listed["data"][1]["value_cents"], 9900);
    assert_eq!(listed["data"][0]["status"], "pending");
    assert!(listed["data"][0]["invoice_url"].as_str().unwrap().starts_with(double.origin()));
    let second = as_manager.get("/api/v1/billing/charges?page_size=1&page=2", 200).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"][0]["kind"], "subscription");
    assert_eq!((second["meta"]["current_page"].clone(), second["meta"]["total_pages"].clone()), (json!(2), json!(2)));
    for role in ["attendant", "supervisor"] {
        app.as_user(&tokens[role], "acme").get("/api/v1/billing/charges", 403).await;
    }
    as_manager.post("/api/v1/billing/subscription", json!({ "plan": "starter" }), 403).await;
    as_manager.delete("/api/v1/billing/subscription", 403).await;
    assert_eq!(app.billing_of("acme").await.status, "active");
    assert_eq!(double.count("DELETE", "/v3/"), 0);

    let canceled = as_owner.delete("/api/v1/billing/subscription", 200).await;
    let data = &canceled["data"];
    assert_eq!(data["status"], "canceled");
    assert!(data["canceled_at"].is_string(), "{data}");
    let billing = app.billing_of("acme").await;
    assert_eq!(billing.status, "canceled");
    assert!(data["writable_until"].is_string(), "{data}");
    assert!(billing.current_period_end.unwrap() > OffsetDateTime::now_utc());
    assert_eq!(double.sent("DELETE", &format!("/v3/subscriptions/{subscription}")).len(), 1);
    assert_eq!(double.subscription(&subscription)["deleted"], true);
    let again = as_owner.delete("/api/v1/billing/subscription", 409).await;
    assert_eq!(again["errors"]["code"], "no_subscription");
    // Until the end of the period paid for, the workspace works as before.
    assert_eq!(data["writable"], true, "{data}");
    as_owner.post("/api/v1/departments", json!({ "name": "Until the end" }), 201).await;
}

/// A cancel ends what the workspace would still pay: an upgrade's charge not paid yet too.
#[tokio::test]
async fn canceling_leaves_no_upgrade_charge_to_pay() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, _) = paying(&app, &double, "acme", 1, "starter").await;
    let as_owner = app.as_user(&owner, "acme");
    as_owner.post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let upgrade = double.one_off_payments()[0]["id"].as_str().unwrap().to_string();
    as_owner.delete("/api/v1/billing/subscription", 200).await;
    let overview = as_owner.get("/api/v1/billing/plan", 200).await;
    assert_eq!(overview["data"]["payment_url"], Value::Null, "nothing left to pay: {}", overview["data"]);
    assert_eq!(app.charge(&upgrade).await.status, "canceled");
    assert_eq!(double.payment(&upgrade)["deleted"], true, "Asaas no longer offers it");
}

/// The subscription charges the professional price from the next cycle as soon as an upgrade is
/// asked for; if that cycle is paid at that price, it brings the professional plan (whether or
/// not the prorated charge was paid).
#[tokio::test]
async fn a_cycle_paid_at_the_upgraded_price_brings_the_upgraded_plan() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    app.as_user(&owner, "acme").post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let next = double.next_cycle(&subscription);
    assert_eq!(double.payment(&next)["value"], 699.0);
    double.settle_and_notify(&app, &next, Move::Receive).await;
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", "professional"), "paid R$ 699,00");
}

/// A refunded upgrade puts the plan back, and the subscription charges that plan's price again.
#[tokio::test]
async fn refunding_an_upgrade_puts_the_plan_and_its_price_back() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    app.as_user(&owner, "acme").post("/api/v1/billing/subscription", json!({ "plan": "professional" }), 200).await;
    let upgrade = double.one_off_payments()[0]["id"].as_str().unwrap().to_string();
    double.settle_and_notify(&app, &upgrade, Move::Confirm).await;
    assert_eq!(app.billing_of("acme").await.plan_id, "professional");
    let refund = double.settle(&upgrade, Move::Refund);
    double.deliver(&app, &refund).await;
    assert_eq!(app.outcome_of(refund["id"].as_str().unwrap()).await.as_deref(), Some("plan_changed"));
    let billing = app.billing_of("acme").await;
    assert_eq!((billing.status.as_str(), billing.plan_id.as_str()), ("active", "starter"));
    assert_eq!(billing.subscription_value_cents, Some(9900), "the registry still expects R$ 699,00 a cycle");
    assert_eq!(double.subscription(&subscription)["value"], 99.0, "Asaas still charges R$ 699,00 a cycle");
}

/// The subscription already ended at Asaas (its webhook not processed yet): the owner's cancel
/// still cancels the workspace instead of failing on Asaas's 404.
#[tokio::test]
async fn canceling_a_subscription_asaas_already_ended_cancels_the_workspace() {
    let double = AsaasDouble::start().await;
    let app = app_on(&double).await;
    let (owner, subscription) = paying(&app, &double, "acme", 1, "starter").await;
    double.end_subscription(&subscription);
    let canceled = app.as_user(&owner, "acme").delete("/api/v1/billing/subscription", 200).await;
    assert_eq!(canceled["data"]["status"], "canceled");
    assert_eq!(app.billing_of("acme").await.status, "canceled");
}
