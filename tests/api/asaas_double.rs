//! A stateful stand-in for the Asaas API v3 on a local port, answering as docs.asaas.com
//! documents: customers, subscriptions that make their first charge as they are created,
//! one-off payments, list pages (`{object: "list", hasMore, totalCount, limit, offset, data}`)
//! and `{"errors": [{code, description}]}` refusals (401 for a wrong `access_token`, 400 without
//! a User-Agent, 404 for an unknown id). Tests move its payments (paid, overdue, refunded, charged
//! back) and decide whether Asaas's webhook for the move reaches the app, so a lost webhook can be
//! played too. Every request is kept for assertions.
// A refusal is the double's whole HTTP answer, built once per bad request: its size is no cost.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    Json, Router,
};
use serde_json::{json, Value};
use time::{Date, Month, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::{test_settings, TestApp, WEBHOOK_TOKEN};
use app::server::settings::{PaymentSettings, ProviderSettings, Settings};

/// A sandbox key as Asaas issues them.
pub const ASAAS_KEY: &str = "$aact_hmlg_000MzkwODA2MWY2OGM3MWRlMDU2NWM3MzJlNzZmNGZhZGY6OjE";

/// One request the double received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
}

/// What happens to a payment, and the webhook event Asaas sends for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Paid by card: `CONFIRMED`.
    Confirm,
    /// Paid by PIX or boleto: `RECEIVED`.
    Receive,
    Overdue,
    Refund,
    Chargeback,
}

impl Move {
    fn status(self) -> &'static str {
        match self {
            Move::Confirm => "CONFIRMED",
            Move::Receive => "RECEIVED",
            Move::Overdue => "OVERDUE",
            Move::Refund => "REFUNDED",
            Move::Chargeback => "CHARGEBACK_REQUESTED",
        }
    }

    pub fn event(self) -> &'static str {
        match self {
            Move::Confirm => "PAYMENT_CONFIRMED",
            Move::Receive => "PAYMENT_RECEIVED",
            Move::Overdue => "PAYMENT_OVERDUE",
            Move::Refund => "PAYMENT_REFUNDED",
            Move::Chargeback => "PAYMENT_CHARGEBACK_REQUESTED",
        }
    }
}

#[derive(Default)]
struct Books {
    requests: Vec<Request>,
    customers: Vec<Value>,
    subscriptions: Vec<Value>,
    /// In the order they were made.
    payments: Vec<Value>,
    serial: u64,
}

impl Books {
    fn next(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    fn customer(&self, id: &str) -> Option<&Value> {
        self.customers.iter().find(|c| c["id"] == id)
    }

    fn subscription_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.subscriptions.iter_mut().find(|s| s["id"] == id)
    }

    fn payment_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.payments.iter_mut().find(|p| p["id"] == id)
    }
}

#[derive(Clone)]
struct Shared {
    books: Arc<Mutex<Books>>,
    /// `http://127.0.0.1:port`, where the payment pages would be.
    origin: String,
}

pub struct AsaasDouble {
    /// What the app is configured with: `http://127.0.0.1:port/v3`.
    pub base_url: String,
    shared: Shared,
}

type Answer = Result<Value, Response>;

fn refusal(status: StatusCode, code: &str, description: &str) -> Response {
    (status, Json(json!({ "errors": [{ "code": code, "description": description }] }))).into_response()
}

fn not_found() -> Response {
    refusal(StatusCode::NOT_FOUND, "not_found", "O recurso solicitado não foi encontrado")
}

fn invalid(field: &str, description: &str) -> Response {
    refusal(StatusCode::BAD_REQUEST, &format!("invalid_{field}"), description)
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// `yyyy-MM-dd`, as Asaas accepts dates.
fn parse_date(value: &Value) -> Option<Date> {
    let text = value.as_str()?;
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

/// The next due date of a cycle: the same day a month (or a year) later, the month's last day
/// when it has no such day.
fn after_cycle(date: Date, cycle: &str) -> Date {
    let months = if cycle == "YEARLY" { 12 } else { 1 };
    let index = date.year() * 12 + (date.month() as i32 - 1) + months;
    let (year, month) = (index.div_euclid(12), Month::try_from((index.rem_euclid(12) + 1) as u8).unwrap());
    Date::from_calendar_date(year, month, date.day().min(month.length(year))).unwrap()
}

const BILLING_TYPES: [&str; 4] = ["UNDEFINED", "BOLETO", "CREDIT_CARD", "PIX"];
const CYCLES: [&str; 7] = ["WEEKLY", "BIWEEKLY", "MONTHLY", "BIMONTHLY", "QUARTERLY", "SEMIANNUALLY", "YEARLY"];

fn billing_type(body: &Value) -> Result<String, Response> {
    match body["billingType"].as_str() {
        Some(t) if BILLING_TYPES.contains(&t) => Ok(t.to_string()),
        _ => Err(invalid("billingType", "Forma de pagamento inválida")),
    }
}

fn positive_value(body: &Value) -> Result<f64, Response> {
    match body["value"].as_f64() {
        Some(v) if v > 0.0 => Ok(v),
        _ => Err(invalid("value", "O campo value deve ser informado")),
    }
}

fn future_date(body: &Value, field: &str) -> Result<Date, Response> {
    match parse_date(&body[field]) {
        Some(d) if d >= today() => Ok(d),
        Some(_) => Err(invalid(field, "Não é permitido data de vencimento inferior a hoje")),
        None => Err(invalid(field, &format!("O campo {field} deve ser informado no formato yyyy-MM-dd"))),
    }
}

fn page(items: Vec<Value>, query: Option<&str>) -> Value {
    let param =
        |name: &str| query?.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse::<usize>().ok());
    let limit = param("limit").unwrap_or(10).min(100);
    let offset = param("offset").unwrap_or(0);
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    json!({ "object": "list", "hasMore": offset + data.len() < total, "totalCount": total, "limit": limit,
            "offset": offset, "data": data })
}

impl Shared {
    fn new_payment(&self, books: &mut Books, fields: PaymentFields) -> Value {
        let n = books.next();
        let number = format!("{:012}", 80_225_913_000 + n);
        let payment = json!({
            "object": "payment",
            "id": format!("pay_{number}"),
            "dateCreated": today().to_string(),
            "customer": fields.customer,
            "subscription": fields.subscription,
            "installment": null,
            "paymentLink": null,
            "value": fields.value,
            "netValue": (fields.value * 0.9701 * 100.0).round() / 100.0,
            "originalValue": null,
            "interestValue": null,
            "description": fields.description,
            "billingType": fields.billing_type,
            "status": "PENDING",
            "dueDate": fields.due.to_string(),
            "originalDueDate": fields.due.to_string(),
            "paymentDate": null,
            "clientPaymentDate": null,
            "confirmedDate": null,
            "invoiceUrl": format!("{}/i/{number}", self.origin),
            "invoiceNumber": format!("{:08}", n),
            "externalReference": fields.external_reference,
            "deleted": false,
            "anticipated": false,
            "anticipable": false,
            "bankSlipUrl": matches!(fields.billing_type.as_str(), "BOLETO" | "UNDEFINED")
                .then(|| format!("{}/b/pdf/{number}", self.origin)),
            "transactionReceiptUrl": null,
        });
        books.payments.push(payment.clone());
        payment
    }

    fn answer(&self, method: &Method, path: &str, query: Option<&str>, body: &Value) -> Answer {
        let mut books = self.books.lock().unwrap();
        let segments: Vec<&str> = path.trim_start_matches("/v3/").split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("POST", ["customers"]) => {
                let name = body["name"].as_str().filter(|n| !n.trim().is_empty());
                let Some(name) = name else { return Err(invalid("name", "O campo nome deve ser informado")) };
                let id = format!("cus_{:012}", 5_219_600 + books.next());
                let person =
                    if body["cpfCnpj"].as_str().is_some_and(|d| d.len() == 11) { "FISICA" } else { "JURIDICA" };
                let customer = json!({
                    "object": "customer", "id": id, "dateCreated": today().to_string(), "name": name,
                    "email": body["email"], "cpfCnpj": body["cpfCnpj"], "mobilePhone": body["mobilePhone"],
                    "personType": person,
                    "deleted": false, "externalReference": body["externalReference"],
                    "notificationDisabled": body["notificationDisabled"].as_bool().unwrap_or(false),
                });
                books.customers.push(customer.clone());
                Ok(customer)
            }
            ("POST", ["subscriptions"]) => {
                let customer = body["customer"].as_str().unwrap_or_default().to_string();
                if books.customer(&customer).is_none() {
                    return Err(invalid("customer", "Cliente inválido ou não informado"));
                }
                let billing_type = billing_type(body)?;
                let value = positive_value(body)?;
                let first_due = future_date(body, "nextDueDate")?;
                let cycle = match body["cycle"].as_str() {
                    Some(c) if CYCLES.contains(&c) => c.to_string(),
                    _ => return Err(invalid("cycle", "Periodicidade inválida")),
                };
                let id = format!("sub_{}", &Uuid::new_v4().simple().to_string()[..12]);
                let subscription = json!({
                    "object": "subscription", "id": id, "dateCreated": today().to_string(), "customer": customer,
                    "paymentLink": null, "billingType": billing_type, "cycle": cycle, "value": value,
                    // Asaas moves it on as it makes each charge: the first is made now.
                    "nextDueDate": after_cycle(first_due, &cycle).to_string(),
                    "endDate": null, "description": body["description"], "status": "ACTIVE",
                    "discount": { "value": 0, "dueDateLimitDays": 0, "type": "FIXED" },
                    "fine": { "value": 0, "type": "FIXED" }, "interest": { "value": 0, "type": "PERCENTAGE" },
                    "deleted": false, "maxPayments": null, "externalReference": body["externalReference"],
                });
                books.subscriptions.push(subscription.clone());
                let fields = PaymentFields {
                    customer,
                    subscription: Some(id),
                    value,
                    billing_type,
                    due: first_due,
                    description: body["description"].clone(),
                    external_reference: body["externalReference"].clone(),
                };
                self.new_payment(&mut books, fields);
                Ok(subscription)
            }
            ("GET", ["subscriptions", id]) => {
                books.subscriptions.iter().find(|s| s["id"] == *id).cloned().ok_or_else(not_found)
            }
            ("PUT", ["subscriptions", id]) => {
                let id = id.to_string();
                let Some(current) = books.subscription_mut(&id).filter(|s| s["deleted"] == false).cloned() else {
                    return Err(not_found());
                };
                let mut updated = current;
                if body.get("value").is_some() {
                    updated["value"] = json!(positive_value(body)?);
                }
                if body.get("billingType").is_some() {
                    updated["billingType"] = json!(billing_type(body)?);
                }
                if let Some(cycle) = body.get("cycle") {
                    if !cycle.as_str().is_some_and(|c| CYCLES.contains(&c)) {
                        return Err(invalid("cycle", "Periodicidade inválida"));
                    }
                    updated["cycle"] = cycle.clone();
                }
                if body.get("nextDueDate").is_some() {
                    updated["nextDueDate"] = json!(future_date(body, "nextDueDate")?.to_string());
                }
                for field in ["description", "externalReference", "status", "endDate", "maxPayments"] {
                    if let Some(v) = body.get(field) {
                        updated[field] = v.clone();
                    }
                }
                *books.subscription_mut(&id).unwrap() = updated.clone();
                if body["updatePendingPayments"] == true {
                    for p in books.payments.iter_mut().filter(|p| {
                        p["subscription"] == id.as_str() && p["status"] == "PENDING" && p["deleted"] == false
                    }) {
                        p["value"] = updated["value"].clone();
                        p["billingType"] = updated["billingType"].clone();
                        p["description"] = updated["description"].clone();
                    }
                }
                Ok(updated)
            }
            ("DELETE", ["subscriptions", id]) => {
                let id = id.to_string();
                match books.subscription_mut(&id) {
                    Some(s) if s["deleted"] == false => s["deleted"] = json!(true),
                    _ => return Err(not_found()),
                }
                // Its charges not paid yet go with it.
                for p in books.payments.iter_mut().filter(|p| {
                    p["subscription"] == id.as_str() && (p["status"] == "PENDING" || p["status"] == "OVERDUE")
                }) {
                    p["deleted"] = json!(true);
                }
                Ok(json!({ "deleted": true, "id": id }))
            }
            ("GET", ["subscriptions", id, "payments"]) => {
                if !books.subscriptions.iter().any(|s| s["id"] == *id) {
                    return Err(not_found());
                }
                let items = books
                    .payments
                    .iter()
                    .filter(|p| p["subscription"] == *id && p["deleted"] == false)
                    .cloned()
                    .collect();
                Ok(page(items, query))
            }
            ("POST", ["payments"]) => {
                let customer = body["customer"].as_str().unwrap_or_default().to_string();
                if books.customer(&customer).is_none() {
                    return Err(invalid("customer", "Cliente inválido ou não informado"));
                }
                let billing_type = billing_type(body)?;
                let value = positive_value(body)?;
                if value < 5.0 {
                    return Err(invalid("value", "O valor da cobrança deve ser de no mínimo R$ 5,00"));
                }
                let due = future_date(body, "dueDate")?;
                let fields = PaymentFields {
                    customer,
                    subscription: None,
                    value,
                    billing_type,
                    due,
                    description: body["description"].clone(),
                    external_reference: body["externalReference"].clone(),
                };
                Ok(self.new_payment(&mut books, fields))
            }
            ("GET", ["payments", id]) => books.payments.iter().find(|p| p["id"] == *id).cloned().ok_or_else(not_found),
            ("DELETE", ["payments", id]) => {
                let id = id.to_string();
                match books.payment_mut(&id) {
                    Some(p) if p["deleted"] == false => p["deleted"] = json!(true),
                    _ => return Err(not_found()),
                }
                Ok(json!({ "deleted": true, "id": id }))
            }
            _ => Err(not_found()),
        }
    }
}

struct PaymentFields {
    customer: String,
    subscription: Option<String>,
    value: f64,
    billing_type: String,
    due: Date,
    description: Value,
    external_reference: Value,
}

async fn handle(State(shared): State<Shared>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.books.lock().unwrap().requests.push(Request {
        method: method.clone(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers: headers.clone(),
        body: parsed.clone(),
    });
    if headers.get("access_token").and_then(|v| v.to_str().ok()) != Some(ASAAS_KEY) {
        return refusal(StatusCode::UNAUTHORIZED, "invalid_access_token", "A chave de API fornecida é inválida");
    }
    if headers.get("user-agent").is_none_or(|v| v.is_empty()) {
        return refusal(StatusCode::BAD_REQUEST, "invalid_user_agent", "O header User-Agent é obrigatório");
    }
    let has_body = matches!(method, Method::POST | Method::PUT);
    if has_body && !parsed.is_object() {
        return refusal(StatusCode::BAD_REQUEST, "invalid_request", "O corpo da requisição deve ser um JSON");
    }
    match shared.answer(&method, uri.path(), uri.query(), &parsed) {
        Ok(value) => (StatusCode::OK, Json(value)).into_response(),
        Err(refused) => refused,
    }
}

impl AsaasDouble {
    pub async fn start() -> AsaasDouble {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared { books: Arc::default(), origin: origin.clone() };
        let router = Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        AsaasDouble { base_url: format!("{origin}/v3"), shared }
    }

    /// The test settings with this double as the payment provider.
    pub fn settings(&self) -> Settings {
        Settings {
            payments: PaymentSettings {
                provider: ProviderSettings::Asaas { base_url: self.base_url.clone(), api_key: ASAAS_KEY.into() },
                webhook_token: WEBHOOK_TOKEN.into(),
            },
            ..test_settings()
        }
    }

    /// Where the payment pages are (`http://127.0.0.1:port`).
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.books.lock().unwrap().requests.clone()
    }

    /// The requests of `method` whose path is `path` (query aside).
    pub fn sent(&self, method: &str, path: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.method == method && r.path == path).collect()
    }

    /// How many `method` requests went to a path starting with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.requests().iter().filter(|r| r.method == method && r.path.starts_with(prefix)).count()
    }

    pub fn customers(&self) -> Vec<Value> {
        self.shared.books.lock().unwrap().customers.clone()
    }

    pub fn subscription(&self, id: &str) -> Value {
        let books = self.shared.books.lock().unwrap();
        books.subscriptions.iter().find(|s| s["id"] == id).cloned().unwrap_or_else(|| panic!("no subscription {id}"))
    }

    pub fn payment(&self, id: &str) -> Value {
        let books = self.shared.books.lock().unwrap();
        books.payments.iter().find(|p| p["id"] == id).cloned().unwrap_or_else(|| panic!("no payment {id}"))
    }

    /// Every payment of a subscription, deleted ones included, oldest first.
    pub fn payments_of(&self, subscription: &str) -> Vec<Value> {
        let books = self.shared.books.lock().unwrap();
        books.payments.iter().filter(|p| p["subscription"] == subscription).cloned().collect()
    }

    /// Payments that belong to no subscription (one-off charges), oldest first.
    pub fn one_off_payments(&self) -> Vec<Value> {
        let books = self.shared.books.lock().unwrap();
        books.payments.iter().filter(|p| p["subscription"].is_null()).cloned().collect()
    }

    /// Subscriptions of `customer` that still charge.
    pub fn live_subscriptions(&self, customer: &str) -> usize {
        let books = self.shared.books.lock().unwrap();
        books.subscriptions.iter().filter(|s| s["customer"] == customer && s["deleted"] == false).count()
    }

    /// Asaas making the next cycle's charge of a subscription (due on its `nextDueDate`, for its
    /// current value), as it does ahead of each due date; answers the payment's id.
    pub fn next_cycle(&self, subscription: &str) -> String {
        let mut books = self.shared.books.lock().unwrap();
        let sub = books.subscription_mut(subscription).unwrap_or_else(|| panic!("no subscription {subscription}"));
        assert_eq!(sub["deleted"], false, "a deleted subscription makes no charges");
        let due = parse_date(&sub["nextDueDate"]).unwrap();
        let cycle = sub["cycle"].as_str().unwrap().to_string();
        sub["nextDueDate"] = json!(after_cycle(due, &cycle).to_string());
        let sub = sub.clone();
        let fields = PaymentFields {
            customer: sub["customer"].as_str().unwrap().to_string(),
            subscription: Some(subscription.to_string()),
            value: sub["value"].as_f64().unwrap(),
            billing_type: sub["billingType"].as_str().unwrap().to_string(),
            due,
            description: sub["description"].clone(),
            external_reference: sub["externalReference"].clone(),
        };
        let payment = self.shared.new_payment(&mut books, fields);
        payment["id"].as_str().unwrap().to_string()
    }

    /// The subscription ends on Asaas's side (its dashboard, a failed card): deleted with its
    /// unpaid charges, as `DELETE /v3/subscriptions/{id}` does; answers the event Asaas sends.
    pub fn end_subscription(&self, id: &str) -> Value {
        let mut books = self.shared.books.lock().unwrap();
        let n = books.next();
        let sub = books.subscription_mut(id).unwrap_or_else(|| panic!("no subscription {id}"));
        sub["deleted"] = json!(true);
        let sub = sub.clone();
        for p in books
            .payments
            .iter_mut()
            .filter(|p| p["subscription"] == id && (p["status"] == "PENDING" || p["status"] == "OVERDUE"))
        {
            p["deleted"] = json!(true);
        }
        json!({ "id": format!("evt_{}&{}", Uuid::new_v4().simple(), 368_604_920 + n), "event": "SUBSCRIPTION_DELETED",
                "dateCreated": "2026-12-07 10:00:00", "subscription": sub })
    }

    /// Moves a payment as Asaas would (paid, overdue, refunded, charged back) without telling
    /// anyone; answers the webhook event Asaas sends for it.
    pub fn settle(&self, payment: &str, how: Move) -> Value {
        let mut books = self.shared.books.lock().unwrap();
        let n = books.next();
        let p = books.payment_mut(payment).unwrap_or_else(|| panic!("no payment {payment}"));
        p["status"] = json!(how.status());
        if matches!(how, Move::Confirm | Move::Receive) {
            let paid_on = today().to_string();
            p["paymentDate"] = json!(paid_on);
            p["clientPaymentDate"] = json!(paid_on);
            p["confirmedDate"] = json!(paid_on);
            p["transactionReceiptUrl"] = json!(format!("{}/comprovantes/{:016}", self.shared.origin, n));
            if p["billingType"] == "UNDEFINED" {
                p["billingType"] = json!("PIX");
            }
        }
        let now = OffsetDateTime::now_utc();
        json!({
            "id": format!("evt_{}&{}", Uuid::new_v4().simple(), 368_604_920 + n),
            "event": how.event(),
            "dateCreated": format!("{} {:02}:{:02}:{:02}", now.date(), now.hour(), now.minute(), now.second()),
            "payment": p.clone(),
        })
    }

    /// [`settle`](Self::settle), then delivers the event to the app's webhook as Asaas does;
    /// answers the app's `data`.
    pub async fn settle_and_notify(&self, app: &TestApp, payment: &str, how: Move) -> Value {
        let event = self.settle(payment, how);
        self.deliver(app, &event).await
    }

    /// Delivers an event to the app's webhook with the configured token; asserts it was taken.
    pub async fn deliver(&self, app: &TestApp, event: &Value) -> Value {
        let (status, body) = app.webhook(Some(WEBHOOK_TOKEN), event).await;
        assert_eq!(status, 200, "{} {}: {body}", event["event"], event["payment"]["id"]);
        body["data"].clone()
    }
}
