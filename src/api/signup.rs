//! `/api/signup`: public, rate limited per client address (see `api::per_client_limit`).
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use app::{
    error::AppError,
    i18n::Locale,
    server::{
        services::{
            billing::{self, CheckoutInput},
            signup::{self, AdminInput, CompanyInput, RegisterInput},
        },
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(plans))
        .route("/validate-document", post(validate_document))
        .route("/register", post(register))
        .route("/checkout", post(checkout))
}

async fn plans(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": billing::plans(&state).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentBody {
    document: Option<String>,
    document_type: Option<String>,
}

async fn validate_document(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<DocumentBody>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": signup::validate_document(&state, body.document, body.document_type).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    company_name: Option<String>,
    document: Option<String>,
    document_type: Option<String>,
    admin_name: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    plan: Option<String>,
    slug: Option<String>,
}

async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<impl IntoResponse, AppError> {
    let locale = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or_default();
    let input = RegisterInput {
        company: CompanyInput {
            company_name: body.company_name,
            document: body.document,
            document_type: body.document_type,
            slug: body.slug,
        },
        admin: AdminInput {
            admin_name: body.admin_name,
            admin_email: body.admin_email,
            admin_password: body.admin_password,
        },
        plan: body.plan,
        locale,
    };
    let registered = signup::register(&state, input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "data": registered.dto }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutBody {
    tenant: Option<String>,
    plan: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
}

async fn checkout(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CheckoutBody>,
) -> Result<impl IntoResponse, AppError> {
    let input = CheckoutInput { plan: body.plan, success_url: body.success_url, cancel_url: body.cancel_url };
    Ok(Json(json!({ "data": billing::signup_checkout(&state, body.tenant, input).await? })))
}
