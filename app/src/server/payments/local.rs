//! The development provider: checkouts are pages of this app (`/checkout/local/{ref}`) where a
//! developer clicks "pay" or "cancel"; the page then delivers the event Asaas would send to the
//! webhook handler. Configuration refuses it in production.
use super::{BoxFuture, CheckoutRequest, CreatedCheckout, PaymentError, PaymentProvider};

pub struct LocalProvider {
    public_url: String,
}

impl LocalProvider {
    pub fn new(public_url: &str) -> Self {
        LocalProvider { public_url: public_url.trim_end_matches('/').to_string() }
    }
}

/// The path of a local checkout page.
pub fn checkout_path(provider_ref: &str) -> String {
    format!("/checkout/local/{provider_ref}")
}

impl PaymentProvider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest<'a>,
    ) -> BoxFuture<'a, Result<CreatedCheckout, PaymentError>> {
        Box::pin(async move {
            let provider_ref = format!("chk_local_{}", request.checkout_id.simple());
            let customer_id = request
                .customer_id
                .map(str::to_string)
                .unwrap_or_else(|| format!("cus_local_{}", request.tenant_id.simple()));
            Ok(CreatedCheckout {
                url: format!("{}{}", self.public_url, checkout_path(&provider_ref)),
                provider_ref,
                customer_id: Some(customer_id),
            })
        })
    }
}
