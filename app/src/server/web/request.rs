//! What a server function knows about its request: the state, the tenant context put there by
//! the tenant middleware, the browser session and the client address.

use axum::http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::flash;
use crate::{
    error::AppError,
    server::{error::internal, state::AppState, tenancy::context::TenantContext},
};

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("server function", "AppState missing from context"))
}

pub fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| internal("server function", "request parts missing from context"))
}

/// The signed-in context, or 401.
pub fn tenant_context(parts: &Parts) -> Result<TenantContext, AppError> {
    parts.extensions.get::<TenantContext>().cloned().ok_or_else(|| AppError::unauthorized("Authentication required"))
}

pub fn session(parts: &Parts) -> Result<Session, AppError> {
    parts.extensions.get::<Session>().cloned().ok_or_else(|| internal("server function", "session layer missing"))
}

/// The client's address, proxies taken into account (`web::client`).
pub fn client_ip(parts: &Parts) -> String {
    super::client::of(parts).to_string()
}

/// The bound every visitor form that checks or hashes a secret shares with `/api/auth/*`: so
/// many requests per client address per minute.
pub async fn limit_per_address(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    crate::server::services::throttle::auth(state, &client_ip(parts)).await
}

/// The client of a sign-in: its address and user agent.
pub fn client(parts: &Parts) -> crate::server::services::sessions::Client {
    let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    crate::server::services::sessions::Client { address: client_ip(parts), user_agent: user_agent.to_string() }
}

pub use super::flash::is_plain_form;

/// Adds a `Set-Cookie` for a long-lived, non-secret preference cookie.
pub fn set_preference_cookie(state: &AppState, name: &str, value: &str) {
    if let Some(res) = use_context::<ResponseOptions>() {
        let secure = if state.settings.https { "; Secure" } else { "" };
        let cookie = format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.append_header(header::SET_COOKIE, value);
        }
    }
}

/// The long-lived cookie that tells this browser apart from others a user signed in from.
pub const DEVICE_COOKIE: &str = "atrium_device";

/// Records the browser of a sign-in (giving it a device cookie when it has none), so an owner or
/// manager hears of a sign-in from a browser not seen before. Never fails the sign-in.
pub async fn record_sign_in(state: &AppState, parts: &Parts, ctx: &TenantContext) {
    use crate::server::services::mail::notices::{self, SignIn};
    let existing = super::session::cookie(&parts.headers, DEVICE_COOKIE)
        .filter(|d| d.len() == 32 && d.bytes().all(|b| b.is_ascii_hexdigit()));
    let device = match existing {
        Some(device) => device,
        None => {
            let device = uuid::Uuid::new_v4().simple().to_string();
            set_private_cookie(state, DEVICE_COOKIE, &device);
            device
        }
    };
    let user_agent = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let sign_in = SignIn { device: &device, address: &client_ip(parts), user_agent };
    if let Err(err) = notices::signed_in(state, ctx, &sign_in).await {
        tracing::warn!(error = %err, "sign-in not recorded");
    }
}

/// A long-lived cookie scripts cannot read.
fn set_private_cookie(state: &AppState, name: &str, value: &str) {
    if let Some(res) = use_context::<ResponseOptions>() {
        let secure = if state.settings.https { "; Secure" } else { "" };
        let cookie = format!("{name}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.append_header(header::SET_COOKIE, value);
        }
    }
}

/// A form of a signed-in page: runs `op` with the request's tenant context (401 without one),
/// then ends like [`finish_form`].
pub async fn signed_in_form<T, Fut>(
    op: impl FnOnce(TenantContext) -> Fut,
    success: impl FnOnce(&T) -> String,
) -> Result<T, AppError>
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let parts = parts()?;
    let result = match tenant_context(&parts) {
        Ok(ctx) => op(ctx).await,
        Err(err) => Err(err),
    };
    finish_form(&parts, result, success).await
}

/// The end of a form's server function. A success leading to a page with a `?notice=` keeps that
/// notice in the browser session, so the page shows it once (not again on reload). With
/// JavaScript, the result goes back as it is. A plain form post (no JavaScript) is redirected
/// instead: on success to `success(&value)`, on failure back to the page it came from, with the
/// error and the values it sent kept for that page (`flash`).
pub async fn finish_form<T>(
    parts: &Parts,
    result: Result<T, AppError>,
    success: impl FnOnce(&T) -> String,
) -> Result<T, AppError> {
    let plain = is_plain_form(parts);
    let browser = session(parts).ok();
    match &result {
        Ok(value) => {
            let target = success(value);
            if let (Some(browser), Some(notice)) = (&browser, flash::of_success(&target)) {
                flash::keep(browser, notice).await;
            }
            if plain {
                leptos_axum::redirect(&target);
            }
        }
        Err(err) if plain => {
            let back = parts
                .headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
                .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
                .map(|path| path.split(['?', '#']).next().unwrap_or("/").to_string())
                .unwrap_or_else(|| "/".into());
            if let Some(browser) = &browser {
                flash::keep(browser, flash::of_failure(parts, back.clone(), err)).await;
            }
            leptos_axum::redirect(&back);
        }
        Err(_) => {}
    }
    result
}

/// A secret a page shows for a while after the form that made it (recovery codes, a new API key):
/// kept in the server-side browser session with the time it was made, never in a URL.
pub async fn keep_to_show<T: serde::Serialize>(browser: &Session, key: &str, value: T) -> Result<(), AppError> {
    let made_at = time::OffsetDateTime::now_utc().unix_timestamp();
    browser.insert(key, (made_at, value)).await.map_err(|e| internal("session", e))
}

/// What [`keep_to_show`] kept under `key`, while it is younger than `for_secs`; forgotten after.
pub async fn still_to_show<T>(browser: &Session, key: &str, for_secs: i64) -> Result<Option<T>, AppError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let kept: Option<(i64, T)> = browser.get(key).await.map_err(|e| internal("session", e))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match kept {
        Some((made_at, value)) if now - made_at <= for_secs => Ok(Some(value)),
        Some(_) => {
            stop_showing(browser, key).await?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Forgets what [`keep_to_show`] kept ("I have saved it").
pub async fn stop_showing(browser: &Session, key: &str) -> Result<(), AppError> {
    browser.remove_value(key).await.map(|_| ()).map_err(|e| internal("session", e))
}
