//! Payment providers behind one small trait: `asaas` (the real HTTP client) and `local` (the app's
//! own payment page for development, which sends the same webhook events through the same
//! endpoint). Which one runs is configuration (`Settings::payments`), chosen at start-up.
//!
//! The trait speaks Asaas's model: a customer per company, one recurring subscription per
//! workspace whose charges (payments) the provider creates each cycle, and one-off payments.
pub mod asaas;
pub mod local;

use std::{future::Future, pin::Pin};

use time::Date;
use uuid::Uuid;

use crate::model::{BillingCycle, BillingType};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The company as the provider's customer.
pub struct NewCustomer<'a> {
    pub tenant_id: Uuid,
    pub name: &'a str,
    /// CPF or CNPJ, normalised.
    pub document: Option<&'a str>,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub address: Option<&'a str>,
}

/// What a subscription charges: the same for creating and for changing one.
pub struct SubscriptionTerms<'a> {
    pub value_cents: i32,
    pub cycle: BillingCycle,
    pub billing_type: BillingType,
    pub description: &'a str,
}

pub struct NewSubscription<'a> {
    pub customer_id: &'a str,
    pub tenant_id: Uuid,
    pub terms: SubscriptionTerms<'a>,
    /// The first charge's due date.
    pub next_due_date: Date,
    /// Where the payment page sends the buyer once paid.
    pub success_url: Option<&'a str>,
}

pub struct NewPayment<'a> {
    pub customer_id: &'a str,
    pub tenant_id: Uuid,
    pub value_cents: i32,
    pub billing_type: BillingType,
    pub due_date: Date,
    pub description: &'a str,
    pub success_url: Option<&'a str>,
}

/// A subscription as the provider reports it.
#[derive(Debug, Clone)]
pub struct RemoteSubscription {
    pub id: String,
    /// `ACTIVE`, `INACTIVE` or `EXPIRED`.
    pub status: String,
    pub deleted: bool,
}

impl RemoteSubscription {
    /// Whether it still charges.
    pub fn live(&self) -> bool {
        !self.deleted && self.status == "ACTIVE"
    }
}

/// A payment (charge) as the provider reports it; `status` is the provider's (`PENDING`,
/// `CONFIRMED`, `RECEIVED`, `OVERDUE`, `REFUNDED`, `CHARGEBACK_REQUESTED`, ...).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemotePayment {
    pub id: String,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub status: String,
    /// In reais, as the provider sends it (with a late payment's fine and interest).
    pub value: f64,
    /// The charge's own value, when `value` includes fine and interest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_value: Option<f64>,
    pub billing_type: String,
    /// `yyyy-mm-dd`.
    pub due_date: String,
    pub invoice_url: Option<String>,
    pub bank_slip_url: Option<String>,
    pub transaction_receipt_url: Option<String>,
    pub external_reference: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("payment provider unreachable: {0}")]
    Unreachable(String),
    #[error("payment provider refused the request ({status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("payment provider answered unexpectedly: {0}")]
    Protocol(String),
}

pub trait PaymentProvider: Send + Sync {
    /// `asaas` or `local`, as stored with each charge.
    fn name(&self) -> &'static str;

    fn create_customer<'a>(&'a self, customer: &'a NewCustomer<'a>) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// Creates the subscription and answers it with its first charge (which the provider makes
    /// at once, due on `next_due_date`).
    fn create_subscription<'a>(
        &'a self,
        new: &'a NewSubscription<'a>,
    ) -> BoxFuture<'a, Result<(RemoteSubscription, RemotePayment), PaymentError>>;

    /// Changes value, cycle, payment method and description; charges already made and still
    /// pending take the new value too.
    fn update_subscription<'a>(
        &'a self,
        id: &'a str,
        terms: &'a SubscriptionTerms<'a>,
    ) -> BoxFuture<'a, Result<(), PaymentError>>;

    /// Ends the subscription: no further charges.
    fn cancel_subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>>;

    fn subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemoteSubscription, PaymentError>>;

    /// Every charge of a subscription.
    fn subscription_payments<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<RemotePayment>, PaymentError>>;

    /// A one-off charge (an upgrade's prorated difference).
    fn create_payment<'a>(&'a self, new: &'a NewPayment<'a>) -> BoxFuture<'a, Result<RemotePayment, PaymentError>>;

    fn payment<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemotePayment, PaymentError>>;

    /// Removes a charge not paid yet (an upgrade's, when the subscription is canceled).
    fn cancel_payment<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>>;
}

impl PaymentError {
    /// The provider does not know the id (already deleted there).
    pub fn is_not_found(&self) -> bool {
        matches!(self, PaymentError::Refused { status: 404, .. })
    }
}

/// Centavos from the reais a provider sends (`99.9` → 9990).
pub fn cents(value: f64) -> i32 {
    (value * 100.0).round() as i32
}

/// Reais for a provider from centavos (9990 → 99.9).
pub fn reais(cents: i32) -> f64 {
    f64::from(cents) / 100.0
}
