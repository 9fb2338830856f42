//! The JSON API: `/api/auth/*` and `/api/signup/*` (public, rate limited per client address),
//! `/api/webhooks/*` (the payment provider's events, authenticated by its token) and `/api/v1/*` (tenant-scoped:
//! the bearer middleware has authenticated the request). One module per resource, thin handlers
//! over `app::server::services`, whose input types are the request bodies.
mod api_keys;
mod auth;
mod billing;
mod company;
mod departments;
mod invitations;
mod json;
mod mfa;
pub mod openapi;
mod payment_webhooks;
mod sessions;
mod signup;
mod users;
mod webhooks;

use axum::{
    extract::{DefaultBodyLimit, FromRequestParts, Path, Request, State},
    http::request::Parts,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};

use app::server::{tenancy::context::TenantContext, web::client::ClientAddress};
use app::{
    error::AppError,
    server::{
        services,
        state::AppState,
        web::auth::{bearer_middleware, people_only},
    },
};

pub use json::{ApiJson, Created, Data, JsonResult};

/// Every API module's router: handlers registered with `utoipa_axum::routes!` carry their
/// OpenAPI description into the spec.
pub type ApiRouter = utoipa_axum::router::OpenApiRouter<AppState>;

/// The resource id of a path: a UUID; anything else names nothing (404).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct IdParam {
    #[allow(dead_code)]
    id: uuid::Uuid,
}

/// Paging of a list: by page number, or after a `cursor` from `meta.next_cursor`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct ListParams {
    /// From 1 (not with `cursor`).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Rows per page, 1–100 (20 when absent); outside that range, 422.
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<i64>,
    #[param(inline)]
    sort_order: Option<SortOrder>,
    /// `meta.next_cursor` of the previous page (opaque, signed; a forged one is a 422).
    cursor: Option<String>,
    /// Part of the name or email (case- and accent-insensitive).
    #[param(pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    search: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "lowercase")]
pub(crate) enum SortOrder {
    Asc,
    Desc,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
pub(crate) enum UserSortBy {
    Name,
    Email,
    Role,
    InsertedAt,
}

/// The users list's own filters and sorts.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct UserFilters {
    #[param(inline)]
    sort_by: Option<UserSortBy>,
    #[param(inline)]
    role: Option<app::model::Role>,
    active: Option<bool>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "snake_case")]
pub(crate) enum DepartmentSortBy {
    Name,
    InsertedAt,
}

/// The departments list's own filters and sorts.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct DepartmentFilters {
    #[param(inline)]
    sort_by: Option<DepartmentSortBy>,
    active: Option<bool>,
}

/// An id in a path that is not a UUID names nothing: 404, like any id this tenant does not have.
pub(crate) fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The one resource id of a path (`/users/{id}`), checked by [`parse_id`].
pub(crate) struct Id(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        parse_id(&raw).map(Id)
    }
}

/// Request bodies larger than this answer 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The JSON API and its OpenAPI description, built together.
pub fn router(state: AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    // Unknown paths under /v1 pass through the bearer middleware too (401 before 404), so the
    // API does not reveal its routes to anonymous callers.
    // What only a person may do: an API key is refused there with 403 `api_key_not_allowed`.
    let people = sessions::router()
        .merge(mfa::router())
        .merge(billing::router())
        .merge(api_keys::router())
        .route_layer(middleware::from_fn(people_only));
    let v1 = users::router()
        .merge(departments::router())
        .merge(company::router())
        .merge(invitations::router())
        .merge(webhooks::router())
        .merge(people)
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), tenant_quota))
        .layer(middleware::from_fn_with_state(state.clone(), bearer_middleware));
    let api = ApiRouter::with_openapi(<openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .nest("/auth", auth::router().layer(middleware::from_fn_with_state(state.clone(), per_client_limit)))
        .nest("/signup", signup::router().layer(middleware::from_fn_with_state(state, per_client_signup_limit)))
        .nest("/webhooks", payment_webhooks::router())
        .nest("/v1", v1);
    let (api, mut spec) = api.split_for_parts();
    // The server nests this router at `/api`; the spec names whole paths. Then the shared parts
    // (errors, security, operation ids), once every path is known.
    spec.paths.paths =
        std::mem::take(&mut spec.paths.paths).into_iter().map(|(path, item)| (format!("/api{path}"), item)).collect();
    utoipa::Modify::modify(&openapi::Shared, &mut spec);
    let routes = api
        .merge(openapi::router(&spec))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    (routes, spec)
}

/// The client of a sign-in: its address (proxies taken into account) and user agent.
pub(crate) fn client(address: ClientAddress, headers: &axum::http::HeaderMap) -> services::sessions::Client {
    let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    services::sessions::Client { address: address.to_string(), user_agent: user_agent.to_string() }
}

fn client_ip(req: &Request) -> String {
    req.extensions().get::<ClientAddress>().map(ToString::to_string).unwrap_or_default()
}

/// The bound on all `/api/auth/*` requests from one client address.
async fn per_client_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(err) = services::throttle::auth(&state, &client_ip(&req)).await {
        return err.into_response();
    }
    next.run(req).await
}

/// The bound on all `/api/signup/*` requests from one client address (shared with the signup
/// pages, which count through the same limiter).
async fn per_client_signup_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(err) = services::signup::throttle(&state, &client_ip(&req)).await {
        return err.into_response();
    }
    next.run(req).await
}

/// The workspace's quota on `/api/v1` (the bearer middleware, outside this one, has named the
/// tenant): every answer tells where the workspace stands (`RateLimit-Limit`, `-Remaining`,
/// `-Reset` in seconds); over it, 429 `quota_exceeded` with `Retry-After`.
async fn tenant_quota(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(tenant) = req.extensions().get::<TenantContext>().map(|ctx| ctx.tenant.clone()) else {
        return next.run(req).await;
    };
    let allowance = match state.quota.take(tenant.id, tenant.api_requests_per_minute).await {
        Ok(allowance) => allowance,
        Err(err) => return AppError::from(err).into_response(),
    };
    let mut response = if allowance.admitted {
        next.run(req).await
    } else {
        app::server::metrics::refused("tenant_quota", &tenant.plan_id);
        AppError::QuotaExceeded { retry_after_secs: allowance.reset_secs }.into_response()
    };
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", allowance.limit.into());
    headers.insert("ratelimit-remaining", allowance.remaining.into());
    headers.insert("ratelimit-reset", allowance.reset_secs.into());
    response
}
