//! The Asaas API v3 client: a customer per company (`/customers`), one subscription per
//! workspace (`/subscriptions`, whose charges Asaas creates each cycle), one-off payments
//! (`/payments`) for an upgrade's prorated difference. Headers, paths and bodies follow
//! docs.asaas.com (`access_token` header, mandatory `User-Agent`, `{"errors": [{code,
//! description}]}` on failure). Payment is confirmed only by webhooks and the reconciliation
//! (see `services::billing`), never by the buyer reaching a success page.
use std::time::Duration;

use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use serde_json::json;

use super::{
    reais, BoxFuture, NewCustomer, NewPayment, NewSubscription, PaymentError, PaymentProvider, RemotePayment,
    RemoteSubscription, SubscriptionTerms,
};

const USER_AGENT: &str = concat!("atrium/", env!("CARGO_PKG_VERSION"));

pub struct AsaasClient {
    /// e.g. `https://api-sandbox.asaas.com/v3` (no trailing slash).
    base_url: String,
    api_key: String,
    http: reqwest::Client,
}

/// A subscription as `/subscriptions` answers it (the fields Atrium reads).
#[derive(Deserialize)]
struct SubscriptionBody {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    deleted: Option<bool>,
}

impl From<SubscriptionBody> for RemoteSubscription {
    fn from(b: SubscriptionBody) -> Self {
        RemoteSubscription {
            id: b.id,
            status: b.status.unwrap_or_else(|| "ACTIVE".into()),
            deleted: b.deleted.unwrap_or(false),
        }
    }
}

/// A payment as `/payments` answers it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentBody {
    id: String,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    subscription: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    original_value: Option<f64>,
    #[serde(default)]
    billing_type: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    invoice_url: Option<String>,
    #[serde(default)]
    bank_slip_url: Option<String>,
    #[serde(default)]
    transaction_receipt_url: Option<String>,
    #[serde(default)]
    external_reference: Option<String>,
    #[serde(default)]
    deleted: Option<bool>,
}

impl From<PaymentBody> for RemotePayment {
    fn from(b: PaymentBody) -> Self {
        RemotePayment {
            id: b.id,
            customer: b.customer,
            subscription: b.subscription,
            status: b.status.unwrap_or_else(|| "PENDING".into()),
            value: b.value.unwrap_or_default(),
            original_value: b.original_value,
            billing_type: b.billing_type.unwrap_or_else(|| "UNDEFINED".into()),
            due_date: b.due_date.unwrap_or_default(),
            invoice_url: b.invoice_url,
            bank_slip_url: b.bank_slip_url,
            transaction_receipt_url: b.transaction_receipt_url,
            external_reference: b.external_reference,
            deleted: b.deleted.unwrap_or(false),
        }
    }
}

/// A page of a list answer: `{object: "list", hasMore, totalCount, limit, offset, data}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListBody<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

impl AsaasClient {
    pub fn new(base_url: &str, api_key: &str) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .expect("HTTP client configuration");
        AsaasClient { base_url: base_url.trim_end_matches('/').to_string(), api_key: api_key.to_string(), http }
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, PaymentError> {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base_url)).header("access_token", &self.api_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| PaymentError::Unreachable(e.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| PaymentError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            return Err(PaymentError::Refused { status: status.as_u16(), detail: error_text(&bytes) });
        }
        serde_json::from_slice(&bytes).map_err(|e| PaymentError::Protocol(format!("{path}: {e}")))
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: serde_json::Value) -> Result<T, PaymentError> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, PaymentError> {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// Every payment of a subscription, page after page (100 each).
    async fn payments_of(&self, id: &str) -> Result<Vec<RemotePayment>, PaymentError> {
        let mut all = Vec::new();
        for page in 0..50 {
            let list: ListBody<PaymentBody> = self
                .get(&format!("/subscriptions/{}/payments?limit=100&offset={}", path_segment(id)?, page * 100))
                .await?;
            let more = list.has_more && !list.data.is_empty();
            all.extend(list.data.into_iter().map(RemotePayment::from));
            if !more {
                break;
            }
        }
        Ok(all)
    }
}

/// An id that goes into a path: Asaas ids are letters, digits, `_` and `-`.
fn path_segment(id: &str) -> Result<&str, PaymentError> {
    if !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        Ok(id)
    } else {
        Err(PaymentError::Protocol(format!("not a provider id: {id:?}")))
    }
}

/// The `description`s of an Asaas error answer, or the raw text when it has another shape.
fn error_text(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<ErrorItem>,
    }
    #[derive(Deserialize)]
    struct ErrorItem {
        code: Option<String>,
        description: Option<String>,
    }
    match serde_json::from_slice::<Errors>(body) {
        Ok(e) => e
            .errors
            .into_iter()
            .map(|i| format!("{}: {}", i.code.unwrap_or_default(), i.description.unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; "),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
    }
}

/// `callback` of a subscription or payment: the payment page sends the buyer back here.
fn callback(success_url: Option<&str>) -> serde_json::Value {
    match success_url {
        Some(url) => json!({ "successUrl": url, "autoRedirect": true }),
        None => serde_json::Value::Null,
    }
}

fn terms_body(terms: &SubscriptionTerms<'_>) -> serde_json::Value {
    json!({
        "billingType": terms.billing_type.as_str(),
        "value": reais(terms.value_cents),
        "cycle": terms.cycle.as_str(),
        "description": terms.description.chars().take(500).collect::<String>(),
    })
}

impl PaymentProvider for AsaasClient {
    fn name(&self) -> &'static str {
        "asaas"
    }

    fn create_customer<'a>(&'a self, c: &'a NewCustomer<'a>) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            #[derive(Deserialize)]
            struct Customer {
                id: String,
            }
            let mut body = json!({
                "name": c.name,
                "cpfCnpj": c.document,
                "email": c.email,
                "externalReference": c.tenant_id.to_string(),
                "notificationDisabled": false,
            });
            for (key, value) in [("mobilePhone", c.phone), ("postalCode", c.postal_code), ("address", c.address)] {
                if let Some(value) = value.filter(|v| !v.is_empty()) {
                    body[key] = json!(value);
                }
            }
            let customer: Customer = self.post("/customers", body).await?;
            Ok(customer.id)
        })
    }

    fn create_subscription<'a>(
        &'a self,
        new: &'a NewSubscription<'a>,
    ) -> BoxFuture<'a, Result<(RemoteSubscription, RemotePayment), PaymentError>> {
        Box::pin(async move {
            let mut body = terms_body(&new.terms);
            body["customer"] = json!(new.customer_id);
            body["nextDueDate"] = json!(new.next_due_date.to_string());
            body["externalReference"] = json!(new.tenant_id.to_string());
            body["callback"] = callback(new.success_url);
            let created: SubscriptionBody = self.post("/subscriptions", body).await?;
            let subscription = RemoteSubscription::from(created);
            // Asaas makes the first charge with the subscription; it is where the buyer pays.
            let first = self
                .payments_of(&subscription.id)
                .await?
                .into_iter()
                .filter(|p| !p.deleted)
                .min_by(|a, b| a.due_date.cmp(&b.due_date))
                .ok_or_else(|| PaymentError::Protocol("a new subscription without a charge".into()))?;
            Ok((subscription, first))
        })
    }

    fn update_subscription<'a>(
        &'a self,
        id: &'a str,
        terms: &'a SubscriptionTerms<'a>,
    ) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            let mut body = terms_body(terms);
            body["updatePendingPayments"] = json!(true);
            let _: SubscriptionBody =
                self.send(reqwest::Method::PUT, &format!("/subscriptions/{}", path_segment(id)?), Some(body)).await?;
            Ok(())
        })
    }

    fn cancel_subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            let _: serde_json::Value =
                self.send(reqwest::Method::DELETE, &format!("/subscriptions/{}", path_segment(id)?), None).await?;
            Ok(())
        })
    }

    fn subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemoteSubscription, PaymentError>> {
        Box::pin(async move {
            let body: SubscriptionBody = self.get(&format!("/subscriptions/{}", path_segment(id)?)).await?;
            Ok(body.into())
        })
    }

    fn subscription_payments<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<RemotePayment>, PaymentError>> {
        Box::pin(self.payments_of(id))
    }

    fn create_payment<'a>(&'a self, new: &'a NewPayment<'a>) -> BoxFuture<'a, Result<RemotePayment, PaymentError>> {
        Box::pin(async move {
            let body = json!({
                "customer": new.customer_id,
                "billingType": new.billing_type.as_str(),
                "value": reais(new.value_cents),
                "dueDate": new.due_date.to_string(),
                "description": new.description.chars().take(500).collect::<String>(),
                "externalReference": new.tenant_id.to_string(),
                "callback": callback(new.success_url),
            });
            let payment: PaymentBody = self.post("/payments", body).await?;
            Ok(payment.into())
        })
    }

    fn payment<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemotePayment, PaymentError>> {
        Box::pin(async move {
            let body: PaymentBody = self.get(&format!("/payments/{}", path_segment(id)?)).await?;
            Ok(body.into())
        })
    }

    fn cancel_payment<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async move {
            let _: serde_json::Value =
                self.send(reqwest::Method::DELETE, &format!("/payments/{}", path_segment(id)?), None).await?;
            Ok(())
        })
    }
}

/// A webhook event as Asaas sends it: only the fields Atrium reads. Every field is optional and
/// read leniently ([`Lenient`]), so an event of a shape we do not know is recorded and
/// acknowledged instead of refused.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Event {
    pub id: Lenient<String>,
    /// The event's name, e.g. `PAYMENT_CONFIRMED`.
    #[serde(rename = "event")]
    pub name: Lenient<String>,
    pub payment: Lenient<EventObject>,
    pub subscription: Lenient<EventObject>,
    pub invoice: Lenient<EventInvoice>,
}

/// `invoice` of `INVOICE_*` events: the service invoice (NFS-e) issued for a payment.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventInvoice {
    pub id: Lenient<String>,
    /// The payment id it was issued for.
    pub payment: Lenient<String>,
    /// `SCHEDULED`, `SYNCHRONIZED`, `AUTHORIZED`, `PROCESSING_CANCELLATION`, `CANCELED`, `ERROR`, ...
    pub status: Lenient<String>,
    pub pdf_url: Lenient<String>,
}

/// The payment (`PAYMENT_*` events) or subscription (`SUBSCRIPTION_*`) an event is about. In a
/// payment, `subscription` is its subscription's id; `due_date` is `yyyy-MM-dd`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventObject {
    pub id: Lenient<String>,
    pub customer: Lenient<String>,
    pub subscription: Lenient<String>,
    pub external_reference: Lenient<String>,
    pub due_date: Lenient<String>,
    /// In reais; with a late payment's fine and interest.
    pub value: Lenient<f64>,
    /// The charge's own value when `value` includes fine and interest (a late payment).
    pub original_value: Lenient<f64>,
    pub billing_type: Lenient<String>,
    pub invoice_url: Lenient<String>,
    pub bank_slip_url: Lenient<String>,
    pub transaction_receipt_url: Lenient<String>,
    pub description: Lenient<String>,
}

/// A value of the expected type, else absent: an empty string, `null` or a value of another type
/// reads as `None` instead of failing the whole event.
#[derive(Debug)]
pub struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<T> Lenient<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl Lenient<String> {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if value.as_str() == Some("") {
            return Ok(Lenient(None));
        }
        Ok(Lenient(serde_json::from_value(value).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_leniently() {
        let event: Event = serde_json::from_str(
            r#"{"id":"evt_1","event":"PAYMENT_CONFIRMED","payment":{"subscription":"sub_1","customer":"",
                "dueDate":"2026-12-01","value":99.9,"invoiceUrl":7},"subscription":"not an object"}"#,
        )
        .unwrap();
        assert_eq!(event.id.as_deref(), Some("evt_1"));
        let payment = event.payment.get().unwrap();
        assert_eq!(payment.subscription.as_deref(), Some("sub_1"));
        assert_eq!(payment.customer.as_deref(), None, "an empty string is absent");
        assert_eq!(payment.invoice_url.as_deref(), None, "a number where a string belongs is absent");
        assert_eq!(payment.value.get(), Some(&99.9));
        assert!(event.subscription.get().is_none(), "an object of another shape is absent");
    }

    #[test]
    fn error_bodies_are_summarised() {
        let body =
            r#"{"errors":[{"code":"invalid_access_token","description":"A chave de API fornecida é inválida"}]}"#;
        assert_eq!(error_text(body.as_bytes()), "invalid_access_token: A chave de API fornecida é inválida");
        assert_eq!(error_text(b"bad gateway"), "bad gateway");
        assert!(path_segment("sub_VXJBYgP2u0eO").is_ok());
        assert!(path_segment("../customers").is_err());
        assert!(path_segment("").is_err());
    }
}
