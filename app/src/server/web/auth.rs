//! The HTTP side of authentication: two middlewares, one per kind of client, that end in the same
//! `tenancy::context::resolve`. The JSON API (`/api/v1`) proves itself with `Authorization:
//! Bearer` + `X-Tenant`; pages and server functions with the browser session, where cross-site
//! writes are refused and visitors are sent to the sign-in page.
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::session;
use crate::{
    error::AppError,
    i18n::Locale,
    server::{
        payments::local::is_local_checkout_path,
        services::mfa,
        state::{AppState, Core},
        tenancy::{
            context::{resolve, resolve_api_key, Credential, TenantContext},
            slug::Slug,
        },
        tokens::{AccessClaims, ApiKeyText},
        web::client::ClientAddress,
    },
    url::urlencode,
};

impl<S: Send + Sync> FromRequestParts<S> for TenantContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<TenantContext>()
            .cloned()
            .ok_or_else(|| AppError::unauthorized("Authentication required"))
    }
}

/// The context of a request a person made: an API key is refused with 403
/// `api_key_not_allowed`. [`people_only`] puts it in front of whole routers; a handler takes it
/// for one method of a path.
pub struct Person(pub TenantContext);

impl<S: Send + Sync> FromRequestParts<S> for Person {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = TenantContext::from_request_parts(parts, state).await?;
        if ctx.api_key.is_some() {
            return Err(AppError::ApiKeyNotAllowed);
        }
        Ok(Person(ctx))
    }
}

/// The language a page is rendered in, decided per request.
#[derive(Debug, Clone, Copy)]
pub struct RequestLocale(pub Locale);

/// Paths that anyone may open; every other page needs a signed-in browser session.
fn is_public_page(path: &str) -> bool {
    path == "/login"
        || path == "/signup"
        || path == "/forgot-password"
        || path == "/reset-password"
        || path == "/verify-email"
        || path.starts_with("/invitation/")
        || path.starts_with("/dev/mailbox")
        || is_local_checkout_path(path)
        || path.starts_with("/pkg/")
        || path.starts_with("/rpc/")
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Nested on `/api/v1`: every request there carries a bearer token and `X-Tenant`, else 401.
pub async fn bearer_middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let address = req.extensions().get::<ClientAddress>().map(ToString::to_string).unwrap_or_default();
    match authenticate_bearer(&state, req.headers(), &address).await {
        Ok(ctx) if mfa::enrolment_required(&ctx) && !is_enrolment_call(req.method(), req.uri().path()) => {
            AppError::MfaEnrollmentRequired.into_response()
        }
        Ok(ctx) => {
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
        Err(err) => err.into_response(),
    }
}

/// On the `/api/v1` routes a person must call: an API key cannot manage API keys, passwords,
/// second factors, sessions or billing (403 `api_key_not_allowed`).
pub async fn people_only(_: Person, req: Request, next: Next) -> Response {
    next.run(req).await
}

/// On the web router (pages and `/rpc`), inside the session layer: the signed-in context when
/// there is one, the page language always.
pub async fn session_middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !is_safe_method(req.method()) && is_cross_site(req.headers()) {
        return AppError::CrossSite.into_response();
    }
    let ctx = match req.extensions().get::<Session>().cloned() {
        Some(browser) => match session::authenticate(&state, &browser).await {
            Ok(ctx) => ctx,
            Err(err) => return err.into_response(),
        },
        None => None,
    };
    let locale = decide_locale(req.headers(), ctx.as_ref());
    req.extensions_mut().insert(RequestLocale(locale));
    if ctx.as_ref().is_some_and(mfa::enrolment_required) {
        let path = req.uri().path();
        if req.method() == Method::GET && !is_public_page(path) && !path.starts_with("/profile/mfa") {
            return Redirect::to("/profile/mfa").into_response();
        }
        if path.starts_with("/rpc/") && !is_enrolment_rpc(path) {
            return AppError::MfaEnrollmentRequired.into_response();
        }
    }
    if let Some(browser) = req.extensions().get::<Session>().cloned().filter(|_| super::flash::is_page_load(&req)) {
        let path = req.uri().path().to_string();
        let flash = super::flash::take(&browser, &path).await;
        if let Some(flash) = flash {
            req.extensions_mut().insert(flash);
        }
    }
    match ctx {
        Some(ctx) => {
            req.extensions_mut().insert(ctx);
        }
        None if req.method() == Method::GET && !is_public_page(req.uri().path()) => {
            let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            return Redirect::to(&format!("/login?next={}", urlencode(target))).into_response();
        }
        None => {}
    }
    next.run(req).await
}

/// The credential of `Authorization: Bearer <credential>`, else 401 with `missing`.
fn bearer_credential<'h>(headers: &'h HeaderMap, missing: &str) -> Result<&'h str, AppError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| AppError::unauthorized(missing))
}

async fn authenticate_bearer(core: &Core, headers: &HeaderMap, address: &str) -> Result<TenantContext, AppError> {
    let token = bearer_credential(headers, "Missing bearer token")?;
    // Exactly one X-Tenant: with two, proxies and frameworks disagree on which one counts.
    let mut x_tenants = headers.get_all("x-tenant").iter();
    let x_tenant = x_tenants.next().ok_or_else(|| AppError::unauthorized("Missing X-Tenant header"))?;
    if x_tenants.next().is_some() {
        return Err(AppError::unauthorized("X-Tenant must be sent once"));
    }
    if let Some(key) = ApiKeyText::parse(token) {
        // The key names no tenant: X-Tenant says which schema holds it, and another tenant's
        // key is not found there.
        let slug = x_tenant
            .to_str()
            .ok()
            .and_then(|raw| Slug::parse(raw).ok())
            .ok_or_else(|| AppError::unauthorized("Invalid or expired API key"))?;
        return resolve_api_key(core, &slug, &key, address)
            .await?
            .ok_or_else(|| AppError::unauthorized("Invalid or expired API key"));
    }
    let claims = core.tokens.verify_access(token).ok_or_else(|| AppError::unauthorized("Invalid or expired token"))?;
    if x_tenant.as_bytes() != claims.tenant.as_bytes() {
        return Err(AppError::unauthorized("X-Tenant does not match the token's tenant"));
    }
    resolve_claims(core, &claims).await
}

/// The person an access token (a JWT, never an API key) names, where no `X-Tenant` is sent: the
/// public signup checkout, which the owner's token from registration proves. 401 without one.
pub async fn authenticate_access_token(core: &Core, headers: &HeaderMap) -> Result<TenantContext, AppError> {
    let token = bearer_credential(headers, "Missing bearer token: send the access token registration returned")?;
    let claims = core.tokens.verify_access(token).ok_or_else(|| AppError::unauthorized("Invalid or expired token"))?;
    resolve_claims(core, &claims).await
}

async fn resolve_claims(core: &Core, claims: &AccessClaims) -> Result<TenantContext, AppError> {
    let slug = Slug::parse(&claims.tenant).map_err(|_| AppError::unauthorized("Invalid or expired token"))?;
    let credential = Credential {
        slug: &slug,
        tenant_id: claims.company_id,
        user_id: claims.sub,
        security_version: claims.sv,
        session_id: claims.sid,
    };
    resolve(core, &credential).await?.ok_or_else(|| AppError::unauthorized("Invalid or expired token"))
}

/// What a user may still do while the company's policy waits for them to set up a second
/// factor: read who they are and enrol. (Paths as the `/api/v1` router sees them.)
fn is_enrolment_call(method: &Method, path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    matches!(
        (method.as_str(), path),
        ("GET", "/users/me") | ("POST", "/users/me/mfa") | ("POST", "/users/me/mfa/confirm")
    )
}

/// The server functions a browser may call while its user must still set up a second factor:
/// the enrolment page's and signing out (the page frame's own reads included).
fn is_enrolment_rpc(path: &str) -> bool {
    let endpoint = path.trim_start_matches("/rpc/");
    [
        "start_mfa",
        "confirm_mfa",
        "recovery_codes_to_show",
        "forget_recovery_codes",
        "logout",
        "viewer",
        "set_locale",
        "login",
        "login_mfa",
    ]
    .iter()
    .any(|allowed| endpoint == *allowed || endpoint.starts_with(&format!("{allowed}?")))
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A browser tells us where a request comes from: `Sec-Fetch-Site` in current browsers, `Origin`
/// in older ones. Requests from another site must not ride on the user's cookie.
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("null");
    origin_host != host
}

/// An explicit choice (cookie) first, then the user's setting, then the browser's languages.
fn decide_locale(headers: &HeaderMap, ctx: Option<&TenantContext>) -> Locale {
    session::cookie(headers, crate::i18n::LOCALE_COOKIE)
        .and_then(|v| Locale::parse(&v))
        .or_else(|| ctx.map(|c| c.user.locale()))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_detection() {
        let mut h = HeaderMap::new();
        assert!(!is_cross_site(&h), "non-browser clients send neither header");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(is_cross_site(&h));
        h.insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert!(!is_cross_site(&h));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        h.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert!(!is_cross_site(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(is_cross_site(&h));
    }
}
