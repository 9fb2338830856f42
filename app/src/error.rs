//! The one error type of the application. It crosses the wire: the JSON API renders it as
//! `{"errors": {...}}` and server functions carry it to the browser as it is.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field name → messages, as in `{"errors": {"email": ["can't be blank"]}}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("validation failed")]
    Validation { fields: FieldErrors },
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("unauthorized: {detail}")]
    Unauthorized { detail: String },
    #[error("forbidden")]
    Forbidden,
    /// Only a person may do this (an API key asked).
    #[error("not for API keys")]
    ApiKeyNotAllowed,
    #[error("cross-site request refused")]
    CrossSite,
    #[error("not found")]
    NotFound,
    #[error("conflict: {detail}")]
    Conflict { detail: String, code: String },
    /// The plan does not include `feature` (e.g. webhooks on the starter plan).
    #[error("plan feature unavailable: {feature}")]
    PlanFeatureUnavailable { feature: String },
    /// The plan allows no more of `resource`.
    #[error("plan limit reached for {resource}")]
    PlanLimit { resource: String, limit: i64 },
    /// A signup whose slug or document is already registered; `suggested_slug` is free.
    #[error("already registered: {code}")]
    Taken { detail: String, code: String, suggested_slug: String },
    /// Understood but refused by a business rule (e.g. `contact_sales`).
    #[error("unprocessable: {detail}")]
    Unprocessable { detail: String, code: String },
    /// A plan change the current usage does not fit in.
    #[error("plan change exceeds usage")]
    DowngradeExceeds { plan: String, exceeds: Vec<Excess> },
    /// The tenant's subscription is past due, canceled or its trial ended: reads only.
    #[error("subscription inactive")]
    SubscriptionInactive,
    /// Checkout and invitations wait until the owner confirmed the signup address.
    #[error("email not verified")]
    EmailUnverified,
    /// The company requires two-step sign-in and this user has not set it up: only enrolling is
    /// allowed.
    #[error("mfa enrollment required")]
    MfaEnrollmentRequired,
    /// A second-step code that is wrong, already used, or for a challenge that is over.
    #[error("invalid mfa code")]
    InvalidMfaCode,
    /// The `mfa_token` of a sign-in's second step is unknown, used, expired or out of attempts.
    #[error("invalid mfa token")]
    InvalidMfaToken,
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Too much password hashing waiting already (a sign-in storm): try again shortly.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// The workspace used up its plan's API requests of this minute (every node counts them).
    #[error("quota exceeded")]
    QuotaExceeded { retry_after_secs: u64 },
    /// The payment provider failed or could not be reached: nothing was changed; retry.
    #[error("payment provider unavailable")]
    PaymentProvider,
    /// The database cannot be reached (restarting, failing over): nothing was done; retry.
    #[error("service unavailable")]
    Unavailable { retry_after_secs: u64 },
    #[error("bad request: {detail}")]
    BadRequest { detail: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Details were logged where the error happened; the client only learns that it failed.
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        AppError::Unauthorized { detail: detail.into() }
    }

    pub fn field(field: &str, message: &str) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), vec![message.to_string()]);
        AppError::Validation { fields }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::InvalidCredentials
            | AppError::Unauthorized { .. }
            | AppError::InvalidMfaCode
            | AppError::InvalidMfaToken => 401,
            AppError::Forbidden
            | AppError::ApiKeyNotAllowed
            | AppError::CrossSite
            | AppError::PlanLimit { .. }
            | AppError::PlanFeatureUnavailable { .. }
            | AppError::EmailUnverified
            | AppError::MfaEnrollmentRequired => 403,
            AppError::NotFound => 404,
            AppError::Conflict { .. } | AppError::Taken { .. } => 409,
            AppError::Unprocessable { .. } | AppError::DowngradeExceeds { .. } => 422,
            AppError::SubscriptionInactive => 402,
            AppError::RateLimited { .. } | AppError::QuotaExceeded { .. } => 429,
            AppError::Busy { .. } | AppError::Unavailable { .. } => 503,
            AppError::PaymentProvider => 502,
            AppError::BadRequest { .. } => 400,
            AppError::PayloadTooLarge => 413,
            AppError::UnsupportedMediaType => 415,
            AppError::Internal => 500,
        }
    }

    /// The machine-readable `code` of the JSON body.
    pub fn code(&self) -> &str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Unauthorized { .. } => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::ApiKeyNotAllowed => "api_key_not_allowed",
            AppError::CrossSite => "cross_site_request",
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } | AppError::Taken { code, .. } | AppError::Unprocessable { code, .. } => {
                code
            }
            AppError::DowngradeExceeds { .. } => "plan_exceeds_usage",
            AppError::SubscriptionInactive => "subscription_inactive",
            AppError::EmailUnverified => "email_unverified",
            AppError::MfaEnrollmentRequired => "mfa_enrollment_required",
            AppError::InvalidMfaCode => "invalid_mfa_code",
            AppError::InvalidMfaToken => "invalid_mfa_token",
            AppError::PlanLimit { .. } => "plan_limit_reached",
            AppError::PlanFeatureUnavailable { .. } => "plan_feature_unavailable",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Busy { .. } => "busy",
            AppError::QuotaExceeded { .. } => "quota_exceeded",
            AppError::Unavailable { .. } => "service_unavailable",
            AppError::PaymentProvider => "payment_provider_unavailable",
            AppError::BadRequest { .. } => "bad_request",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal => "internal_error",
        }
    }

    /// The human-readable `detail` of the JSON body (English; the UI translates by `code`).
    pub fn detail(&self) -> String {
        match self {
            AppError::Validation { .. } => "Validation failed".into(),
            AppError::InvalidCredentials => "Invalid credentials".into(),
            AppError::Unauthorized { detail } => detail.clone(),
            AppError::Forbidden => "Forbidden".into(),
            AppError::ApiKeyNotAllowed => {
                "API keys cannot manage API keys, passwords, two-step sign-in, sessions or billing: sign in as a person"
                    .into()
            }
            AppError::CrossSite => "Cross-site request refused".into(),
            AppError::NotFound => "Not found".into(),
            AppError::Conflict { detail, .. }
            | AppError::Taken { detail, .. }
            | AppError::Unprocessable { detail, .. } => detail.clone(),
            AppError::DowngradeExceeds { plan, exceeds } => {
                let what: Vec<String> =
                    exceeds.iter().map(|e| format!("{} {} (limit {})", e.used, e.resource, e.limit)).collect();
                format!("The {plan} plan does not fit the current usage: {}", what.join(", "))
            }
            AppError::SubscriptionInactive => {
                "The subscription is not active: data can be read but not changed until it is paid".into()
            }
            AppError::EmailUnverified => {
                "Confirm the owner's email address first: use the link sent at signup (it can be sent again)".into()
            }
            AppError::MfaEnrollmentRequired => {
                "Your company requires two-step sign-in: set it up first (POST /api/v1/users/me/mfa)".into()
            }
            AppError::InvalidMfaCode => "The code is wrong or was already used".into(),
            AppError::InvalidMfaToken => "The sign-in step expired or was already used: sign in again".into(),
            AppError::PlanLimit { resource, limit } => {
                format!("Your plan allows at most {limit} {resource}; upgrade the plan to add more")
            }
            AppError::PlanFeatureUnavailable { feature } => {
                format!("Your plan does not include {feature}: upgrade the plan to use them")
            }
            AppError::RateLimited { .. } => "Too many requests, retry later".into(),
            AppError::Busy { .. } => "The server is busy checking passwords: retry in a moment".into(),
            AppError::QuotaExceeded { .. } => {
                "Your plan's API requests for this minute are used up: retry after the reset (RateLimit-Reset)".into()
            }
            AppError::Unavailable { .. } => {
                "The service is briefly unavailable: nothing was changed; retry shortly".into()
            }
            AppError::PaymentProvider => {
                "The payment provider did not answer as expected: nothing was changed; retry shortly".into()
            }
            AppError::BadRequest { detail } => detail.clone(),
            AppError::PayloadTooLarge => "Request body too large".into(),
            AppError::UnsupportedMediaType => "Expected Content-Type: application/json".into(),
            AppError::Internal => "Internal server error".into(),
        }
    }

    /// The `errors` object of a JSON error body.
    pub fn body(&self) -> serde_json::Value {
        match self {
            AppError::Validation { fields } => serde_json::json!({ "errors": fields }),
            AppError::PlanLimit { resource, limit } => serde_json::json!({ "errors": {
                "detail": self.detail(), "code": self.code(), "limit": limit, "resource": resource,
            } }),
            AppError::PlanFeatureUnavailable { feature } => serde_json::json!({ "errors": {
                "detail": self.detail(), "code": self.code(), "feature": feature,
            } }),
            AppError::Taken { suggested_slug, .. } => serde_json::json!({ "errors": {
                "detail": self.detail(), "code": self.code(), "suggested_slug": suggested_slug,
            } }),
            AppError::DowngradeExceeds { exceeds, .. } => serde_json::json!({ "errors": {
                "detail": self.detail(), "code": self.code(), "exceeds": exceeds,
            } }),
            other => serde_json::json!({ "errors": { "detail": other.detail(), "code": other.code() } }),
        }
    }
}

/// One resource whose usage is above what a plan allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excess {
    pub resource: String,
    pub used: i64,
    pub limit: i64,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                AppError::BadRequest { detail: format!("Invalid arguments: {detail}") }
            }
            ServerFnErrorErr::MissingArg(name) => AppError::field(&name, "can't be blank"),
            ServerFnErrorErr::UnsupportedRequestMethod(detail) => AppError::BadRequest { detail },
            _ => AppError::Internal,
        }
    }
}
