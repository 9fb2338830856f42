//! `/api/signup`: public, rate limited per client address (see `api::per_client_signup_limit`).

use axum::{
    extract::State,
    http::{header, HeaderMap},
    routing::{get, post},
    Router,
};

use super::{json::ok, ApiJson, Created, JsonResult};
use app::server::web::{auth::authenticate_access_token, client::ClientAddress};
use app::{
    error::AppError,
    i18n::Locale,
    model::{CheckoutDto, DocumentCheck, PlanDto, SignupDto},
    server::{
        services::{
            billing::{
                self,
                checkout::{self, SignupCheckout},
            },
            signup::{self, DocumentInput, RegisterInput},
        },
        state::AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(plans))
        .route("/validate-document", post(validate_document))
        .route("/register", post(register))
        .route("/checkout", post(start_checkout))
}

async fn plans(State(state): State<AppState>) -> JsonResult<Vec<PlanDto>> {
    Ok(ok(billing::plans(&state).await?))
}

async fn validate_document(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<DocumentInput>,
) -> JsonResult<DocumentCheck> {
    Ok(ok(signup::validate_document(&state, input).await?))
}

/// The owner's language is the browser's (`Accept-Language`), else pt-BR.
async fn register(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<Created<SignupDto>, AppError> {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or_default();
    Ok(Created(signup::register(&state, input, locale, &super::client(address, &headers)).await?))
}

/// The owner's access token from registration proves the workspace (401 without it).
async fn start_checkout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<SignupCheckout>,
) -> JsonResult<CheckoutDto> {
    let owner = authenticate_access_token(&state, &headers).await?;
    Ok(ok(checkout::signup_checkout(&state, &owner, input).await?))
}
