//! The Asaas client against a local double that answers as docs.asaas.com documents (API v3):
//! `access_token` header, a mandatory User-Agent, `POST /v3/customers` then `POST /v3/checkouts`,
//! `{"errors": [{code, description}]}` on failure. Every request the client sends is asserted.
use std::sync::{Arc, Mutex};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};

use app::{
    model::{PlanDto, PlanFeatures, PlanLimits},
    server::{
        payments::{asaas::AsaasClient, CheckoutRequest, PaymentError, PaymentProvider},
        settings::{PaymentSettings, ProviderSettings, Settings},
    },
};

use crate::helpers::{cnpj, spawn_app_with, test_settings, token, PUBLIC_URL, WEBHOOK_TOKEN};

const KEY: &str = "$aact_hmlg_000MzkwODA2MWY2OGM3MWRlMDU2NWM3MzJlNzZmNGZhZGY6OjE";
const CHECKOUT_ID: &str = "c7b1c696-b27b-4d3d-80b9-d1c018e387f8";

#[derive(Clone, Debug)]
struct Recorded {
    path: String,
    headers: HeaderMap,
    body: Value,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

async fn double_handler(State(log): State<Log>, uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    log.lock().unwrap().push(Recorded { path: uri.path().to_string(), headers: headers.clone(), body: body.clone() });
    if headers.get("access_token").and_then(|v| v.to_str().ok()) != Some(KEY) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({ "errors": [{ "code": "invalid_access_token", "description": "A chave de API fornecida é inválida" }] }),
            ),
        );
    }
    if headers.get("user-agent").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "errors": [{ "code": "invalid_user_agent", "description": "User-Agent obrigatório" }] })),
        );
    }
    match uri.path() {
        "/v3/customers" => (
            StatusCode::OK,
            Json(json!({
                "object": "customer", "id": "cus_000005219613", "dateCreated": "2026-11-23",
                "name": body["name"], "email": body["email"], "cpfCnpj": body["cpfCnpj"], "personType": "JURIDICA",
                "deleted": false, "externalReference": body["externalReference"], "notificationDisabled": false,
            })),
        ),
        "/v3/checkouts" if body["items"][0]["value"].as_f64().is_none_or(|v| v <= 0.0) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "errors": [{ "code": "invalid_value", "description": "O campo value deve ser informado" }] })),
        ),
        "/v3/checkouts" => (
            StatusCode::OK,
            Json(json!({
                "id": CHECKOUT_ID, "link": null, "status": "ACTIVE",
                "billingTypes": body["billingTypes"], "chargeTypes": body["chargeTypes"],
                "minutesToExpire": body["minutesToExpire"], "callback": body["callback"], "items": body["items"],
                "subscription": body["subscription"], "externalReference": body["externalReference"],
            })),
        ),
        _ => (StatusCode::NOT_FOUND, Json(json!({ "errors": [{ "code": "not_found", "description": "Not found" }] }))),
    }
}

/// Starts the double on port 0; answers its base URL (`…/v3`) and the request log.
async fn asaas_double() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().route("/v3/{*path}", post(double_handler)).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v3"), log)
}

fn professional() -> PlanDto {
    PlanDto {
        id: "professional".into(),
        name: "Professional".into(),
        limits: PlanLimits { concurrent_calls: Some(10), users: Some(50), departments: Some(20) },
        features: PlanFeatures { recording: true, ai_transcription: true, advanced_analytics: true, webhooks: true },
        monthly_price_cents: Some(69900),
    }
}

#[tokio::test]
async fn the_client_creates_a_customer_then_a_recurring_checkout() {
    let (base, log) = asaas_double().await;
    let client = AsaasClient::new(&base, KEY);
    let plan = professional();
    let tenant_id = uuid::Uuid::new_v4();
    let request = CheckoutRequest {
        checkout_id: uuid::Uuid::new_v4(),
        tenant_id,
        company_name: "Clínica ABC Ltda",
        document: Some("11222333000181"),
        email: "owner@abc.test",
        customer_id: None,
        plan: &plan,
        success_url: "https://app.example/?notice=subscribed",
        cancel_url: "https://app.example/billing",
    };
    let created = client.create_checkout(&request).await.unwrap();
    assert_eq!(created.provider_ref, CHECKOUT_ID);
    assert_eq!(created.customer_id.as_deref(), Some("cus_000005219613"));
    let origin = base.trim_end_matches("/v3");
    assert_eq!(created.url, format!("{origin}/checkoutSession/show?id={CHECKOUT_ID}"));

    let log = log.lock().unwrap().clone();
    assert_eq!(log.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/v3/customers", "/v3/checkouts"]);
    for r in &log {
        assert_eq!(r.headers["access_token"], KEY);
        assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/json"));
        assert!(r.headers["user-agent"].to_str().unwrap().starts_with("atrium/"));
        assert!(r.headers.get("authorization").is_none());
    }
    let customer = &log[0].body;
    assert_eq!(customer["name"], "Clínica ABC Ltda");
    assert_eq!(customer["cpfCnpj"], "11222333000181");
    assert_eq!(customer["email"], "owner@abc.test");
    assert_eq!(customer["externalReference"], tenant_id.to_string());
    let checkout = &log[1].body;
    assert_eq!(checkout["billingTypes"], json!(["CREDIT_CARD"]));
    assert_eq!(checkout["chargeTypes"], json!(["RECURRENT"]));
    assert_eq!(checkout["customer"], "cus_000005219613");
    assert!(checkout.get("customerData").is_none(), "customer and customerData are exclusive");
    assert_eq!(checkout["externalReference"], tenant_id.to_string());
    assert_eq!(checkout["callback"]["successUrl"], "https://app.example/?notice=subscribed");
    assert_eq!(checkout["callback"]["cancelUrl"], "https://app.example/billing");
    assert!(checkout["callback"]["expiredUrl"].is_string());
    assert_eq!(checkout["subscription"]["cycle"], "MONTHLY");
    let due = checkout["subscription"]["nextDueDate"].as_str().unwrap();
    assert_eq!(due.len(), 10, "yyyy-MM-dd: {due}");
    let item = &checkout["items"][0];
    assert_eq!(item["value"], 699.0);
    assert_eq!(item["quantity"], 1);
    assert!(item["name"].as_str().unwrap().chars().count() <= 30);
    assert!(!item["imageBase64"].as_str().unwrap().is_empty());
    let minutes = checkout["minutesToExpire"].as_i64().unwrap();
    assert!((10..=1440).contains(&minutes));

    // A known customer is reused: one request only.
    let again = CheckoutRequest { customer_id: Some("cus_000005219613"), ..request };
    client.create_checkout(&again).await.unwrap();
}

#[tokio::test]
async fn refusals_of_the_provider_are_reported_with_its_reason() {
    let (base, _) = asaas_double().await;
    let plan = professional();
    let request = CheckoutRequest {
        checkout_id: uuid::Uuid::new_v4(),
        tenant_id: uuid::Uuid::new_v4(),
        company_name: "X",
        document: None,
        email: "x@x.test",
        customer_id: None,
        plan: &plan,
        success_url: "https://app.example/",
        cancel_url: "https://app.example/",
    };
    match AsaasClient::new(&base, "wrong-key").create_checkout(&request).await {
        Err(PaymentError::Refused { status, detail }) => {
            assert_eq!(status, 401);
            assert!(detail.contains("invalid_access_token"), "{detail}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|c| c.url)),
    }
    match AsaasClient::new("http://127.0.0.1:9/v3", KEY).create_checkout(&request).await {
        Err(PaymentError::Unreachable(_)) => {}
        other => panic!("expected unreachable, got {:?}", other.map(|c| c.url)),
    }
}

#[tokio::test]
async fn signup_checkout_goes_through_asaas_when_configured() {
    let (base, log) = asaas_double().await;
    let settings = Settings {
        payments: PaymentSettings {
            provider: ProviderSettings::Asaas { base_url: base.clone(), api_key: KEY.into() },
            webhook_token: WEBHOOK_TOKEN.into(),
        },
        ..test_settings()
    };
    let app = spawn_app_with(settings).await;
    let owner = token(&app.register("Acme", &cnpj(5)).await, "access_token");
    app.verify_owner("acme").await;
    let (status, body) = app
        .signup_checkout(
            Some(&owner),
            json!({ "tenant": "acme", "plan": "professional", "success_url": "/", "cancel_url": "/billing" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["checkout_url"].as_str().unwrap().ends_with(&format!("?id={CHECKOUT_ID}")));
    let sent = log.lock().unwrap().clone();
    assert_eq!(sent[0].body["cpfCnpj"], cnpj(5));
    assert_eq!(sent[0].body["email"], "alice@company.test");
    assert_eq!(sent[1].body["callback"]["successUrl"], format!("{PUBLIC_URL}/"));
    // Asaas's CHECKOUT_PAID (its checkout id, a card reported as MUNDIPAGG_CIELO) activates the plan.
    let paid = json!({
        "id": "evt_37260be8159d4472b4458d3de13efc2d&15370", "event": "CHECKOUT_PAID", "dateCreated": "2026-11-23 18:07:47",
        "checkout": { "id": CHECKOUT_ID, "link": null, "status": "PAID", "billingTypes": ["MUNDIPAGG_CIELO"],
                      "chargeTypes": ["RECURRENT"], "customer": "cus_000005219613", "customerData": null },
    });
    assert_eq!(app.webhook(Some(WEBHOOK_TOKEN), &paid).await.0, 200);
    let row: (String, String, Option<String>) =
        sqlx::query_as("SELECT status, plan_id, payment_customer_id FROM tenants WHERE slug = 'acme'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(row, ("active".into(), "professional".into(), Some("cus_000005219613".into())));
    // The local checkout page does not exist with a real provider.
    let page = app.client.get(app.url(&format!("/checkout/local/{CHECKOUT_ID}"))).send().await.unwrap();
    assert_eq!(page.status(), 404);
}
