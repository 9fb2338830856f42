//! The Asaas API v3 client: a customer per company, then a recurring monthly checkout per plan
//! change. Headers, paths and bodies follow docs.asaas.com (`access_token` header, mandatory
//! `User-Agent`, `{"errors": [{code, description}]}` on failure). Payment is confirmed only by
//! webhooks (see `services::billing`), never by the buyer reaching `successUrl`.
use std::time::Duration;

use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use serde_json::json;
use uuid::Uuid;

use super::{BoxFuture, CheckoutRequest, CreatedCheckout, PaymentError, PaymentProvider};

const USER_AGENT: &str = concat!("atrium/", env!("CARGO_PKG_VERSION"));
/// Asaas requires an image per checkout item; a 1×1 transparent PNG keeps the page plain.
const ITEM_IMAGE_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

pub struct AsaasClient {
    /// e.g. `https://api-sandbox.asaas.com/v3` (no trailing slash).
    base_url: String,
    api_key: String,
    http: reqwest::Client,
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

    /// Where the buyer pays when the answer carries no `link`: the hosted checkout on the web
    /// host that belongs to the API host.
    fn hosted_checkout_url(&self, id: &str) -> String {
        let web = if self.base_url.contains("api-sandbox.") || self.base_url.contains("sandbox.asaas.com") {
            "https://sandbox.asaas.com".to_string()
        } else if self.base_url.contains("api.asaas.com") {
            "https://asaas.com".to_string()
        } else {
            // A double or proxy: its own origin serves the page.
            self.base_url.trim_end_matches("/v3").trim_end_matches("/api").to_string()
        };
        format!("{web}/checkoutSession/show?id={id}")
    }

    async fn post<T: for<'de> Deserialize<'de>>(&self, path: &str, body: serde_json::Value) -> Result<T, PaymentError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("access_token", &self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| PaymentError::Unreachable(e.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| PaymentError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            return Err(PaymentError::Refused { status: status.as_u16(), detail: error_text(&bytes) });
        }
        serde_json::from_slice(&bytes).map_err(|e| PaymentError::Protocol(format!("{path}: {e}")))
    }

    async fn create_customer(&self, request: &CheckoutRequest<'_>) -> Result<String, PaymentError> {
        #[derive(Deserialize)]
        struct Customer {
            id: String,
        }
        let customer: Customer = self
            .post(
                "/customers",
                json!({
                    "name": request.company_name,
                    "cpfCnpj": request.document,
                    "email": request.email,
                    "externalReference": request.tenant_id.to_string(),
                    "notificationDisabled": false,
                }),
            )
            .await?;
        Ok(customer.id)
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

/// An item name may hold at most 30 characters.
fn item_name(plan_name: &str) -> String {
    format!("Atrium {plan_name}").chars().take(30).collect()
}

impl PaymentProvider for AsaasClient {
    fn name(&self) -> &'static str {
        "asaas"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest<'a>,
    ) -> BoxFuture<'a, Result<CreatedCheckout, PaymentError>> {
        Box::pin(async move {
            let price = request
                .plan
                .monthly_price_cents
                .ok_or_else(|| PaymentError::Protocol("a plan without a price has no checkout".into()))?;
            let customer_id = match request.customer_id {
                Some(id) => id.to_string(),
                None => self.create_customer(request).await?,
            };
            #[derive(Deserialize)]
            struct Checkout {
                id: String,
                link: Option<String>,
            }
            let today = time::OffsetDateTime::now_utc().date();
            let checkout: Checkout = self
                .post(
                    "/checkouts",
                    json!({
                        "billingTypes": ["CREDIT_CARD"],
                        "chargeTypes": ["RECURRENT"],
                        "minutesToExpire": 60,
                        "externalReference": request.tenant_id.to_string(),
                        "callback": {
                            "successUrl": request.success_url,
                            "cancelUrl": request.cancel_url,
                            "expiredUrl": request.cancel_url,
                        },
                        "items": [{
                            "name": item_name(&request.plan.name),
                            "description": format!("{} — {}", request.plan.name, request.company_name)
                                .chars().take(150).collect::<String>(),
                            "quantity": 1,
                            "value": f64::from(price) / 100.0,
                            "imageBase64": ITEM_IMAGE_PNG,
                        }],
                        "customer": customer_id,
                        "subscription": { "cycle": "MONTHLY", "nextDueDate": today.to_string() },
                    }),
                )
                .await?;
            let url = checkout.link.filter(|l| !l.is_empty()).unwrap_or_else(|| self.hosted_checkout_url(&checkout.id));
            Ok(CreatedCheckout { provider_ref: checkout.id, url, customer_id: Some(customer_id) })
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
    pub checkout: Lenient<EventCheckout>,
}

/// The payment (`PAYMENT_*` events) or subscription (`SUBSCRIPTION_*`) an event is about. In a
/// payment, `subscription` is its subscription's id; `due_date` is `yyyy-MM-dd`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EventObject {
    pub id: Lenient<String>,
    pub customer: Lenient<String>,
    pub subscription: Lenient<String>,
    pub checkout_session: Lenient<String>,
    pub external_reference: Lenient<String>,
    pub due_date: Lenient<String>,
}

/// `checkout` of `CHECKOUT_*` events; its `subscription` is an object with the new id.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventCheckout {
    pub id: Lenient<String>,
    pub subscription: Lenient<EventCheckoutSubscription>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventCheckoutSubscription {
    pub id: Lenient<String>,
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

/// Our tenant id, when Asaas echoes it in `externalReference`.
pub fn tenant_reference(external_reference: &Lenient<String>) -> Option<Uuid> {
    external_reference.as_deref().and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosted_urls_follow_the_environment() {
        let sandbox = AsaasClient::new("https://api-sandbox.asaas.com/v3", "k");
        assert_eq!(sandbox.hosted_checkout_url("abc"), "https://sandbox.asaas.com/checkoutSession/show?id=abc");
        let production = AsaasClient::new("https://api.asaas.com/v3/", "k");
        assert_eq!(production.hosted_checkout_url("abc"), "https://asaas.com/checkoutSession/show?id=abc");
    }

    #[test]
    fn events_are_read_leniently() {
        let event: Event = serde_json::from_str(
            r#"{"id":"evt_1","event":"PAYMENT_CONFIRMED","payment":{"subscription":"sub_1","customer":"",
                "dueDate":"2026-12-01","value":99.9,"checkoutSession":7},"checkout":"not an object"}"#,
        )
        .unwrap();
        assert_eq!(event.id.as_deref(), Some("evt_1"));
        let payment = event.payment.get().unwrap();
        assert_eq!(payment.subscription.as_deref(), Some("sub_1"));
        assert_eq!(payment.customer.as_deref(), None, "an empty string is absent");
        assert_eq!(payment.checkout_session.as_deref(), None, "a number where a string belongs is absent");
        assert!(event.checkout.get().is_none());
        assert!(event.subscription.get().is_none(), "an absent field is absent");
    }

    #[test]
    fn error_bodies_are_summarised() {
        let body =
            r#"{"errors":[{"code":"invalid_access_token","description":"A chave de API fornecida é inválida"}]}"#;
        assert_eq!(error_text(body.as_bytes()), "invalid_access_token: A chave de API fornecida é inválida");
        assert_eq!(error_text(b"bad gateway"), "bad gateway");
        assert_eq!(item_name("A very long plan name that goes on").chars().count(), 30);
    }
}
