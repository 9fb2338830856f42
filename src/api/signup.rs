//! `/api/signup`: public, rate limited per client address (see `api::per_client_signup_limit`).

use axum::{
    extract::State,
    http::{header, HeaderMap},
};
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Created, Data, JsonResult};
use app::server::web::{auth::authenticate_access_token, client::ClientAddress};
use app::{
    error::AppError,
    i18n::Locale,
    model::{CheckoutDto, DocumentCheck, PlanDto, SignupDto},
    server::{
        services::{
            billing::{
                self,
                subscription::{self as checkout, SignupCheckout},
            },
            signup::{self, DocumentInput, RegisterInput},
        },
        state::AppState,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(plans))
        .routes(routes!(validate_document))
        .routes(routes!(register))
        .routes(routes!(start_checkout))
}

/// The plans a new workspace can choose.
#[utoipa::path(get, path = "/plans", tag = "signup", responses((status = 200, body = Data<Vec<PlanDto>>)))]
async fn plans(State(state): State<AppState>) -> JsonResult<Vec<PlanDto>> {
    Ok(ok(billing::plans(&state).await?))
}

/// Checks a CNPJ or CPF: valid, formatted, and whether it is free.
#[utoipa::path(post, path = "/validate-document", tag = "signup", request_body = DocumentInput,
    responses((status = 200, body = Data<DocumentCheck>)))]
async fn validate_document(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<DocumentInput>,
) -> JsonResult<DocumentCheck> {
    Ok(ok(signup::validate_document(&state, input).await?))
}

/// Creates a workspace in its trial with its owner, signed in. The owner's language is the
/// browser's (`Accept-Language`), else pt-BR.
#[utoipa::path(post, path = "/register", tag = "signup", request_body = RegisterInput,
    responses((status = 201, body = Data<SignupDto>)))]
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

/// Starts the first checkout of a workspace in its trial. The owner's access token from
/// registration proves the workspace (401 without it).
#[utoipa::path(post, path = "/checkout", tag = "signup", request_body = SignupCheckout,
    responses((status = 200, body = Data<CheckoutDto>)))]
async fn start_checkout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<SignupCheckout>,
) -> JsonResult<CheckoutDto> {
    let owner = authenticate_access_token(&state, &headers).await?;
    Ok(ok(checkout::signup_checkout(&state, &owner, input).await?))
}
