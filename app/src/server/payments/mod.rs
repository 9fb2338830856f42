//! Payment providers behind one small trait: `asaas` (the real HTTP client) and `local` (the app's
//! own checkout page for development, which sends the same webhook events through the same
//! endpoint). Which one runs is configuration (`Settings::payments`), chosen at start-up.
pub mod asaas;
pub mod local;

use std::{future::Future, pin::Pin};

use uuid::Uuid;

use crate::model::PlanDto;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a checkout is for: one company, one plan, paid monthly.
pub struct CheckoutRequest<'a> {
    pub checkout_id: Uuid,
    pub tenant_id: Uuid,
    pub company_name: &'a str,
    /// CPF or CNPJ, normalised.
    pub document: Option<&'a str>,
    pub email: &'a str,
    /// The provider's customer id from an earlier checkout, if any.
    pub customer_id: Option<&'a str>,
    pub plan: &'a PlanDto,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

pub struct CreatedCheckout {
    /// The provider's id of the checkout session; webhook events name it.
    pub provider_ref: String,
    /// Where the buyer pays.
    pub url: String,
    /// Set when the provider created a customer for this company.
    pub customer_id: Option<String>,
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
    /// `asaas` or `local`, as stored with each checkout.
    fn name(&self) -> &'static str;

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest<'a>,
    ) -> BoxFuture<'a, Result<CreatedCheckout, PaymentError>>;
}
