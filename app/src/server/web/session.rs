//! The browser's side of authentication: a tower-sessions session (stored in `public.sessions`)
//! that remembers which tenant and user signed in, and under which security version.
use axum::http::{header, HeaderMap};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{
        error::internal,
        state::Core,
        tenancy::{
            context::{resolve, TenantContext},
            slug::Slug,
        },
    },
};

const AUTH_KEY: &str = "auth";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAuth {
    tenant: String,
    tenant_id: Uuid,
    user_id: Uuid,
    sv: i32,
}

fn store_error(err: tower_sessions::session::Error) -> AppError {
    internal("session store", err)
}

/// The signed-in context of this browser session, if any and still valid. A session whose user
/// was deactivated or changed password is emptied.
pub async fn authenticate(core: &Core, session: &Session) -> Result<Option<TenantContext>, AppError> {
    let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(store_error)? else {
        return Ok(None);
    };
    let ctx = match Slug::parse(&auth.tenant) {
        Ok(slug) => resolve(core, &slug, auth.tenant_id, auth.user_id, auth.sv).await?,
        Err(_) => None,
    };
    if ctx.is_none() {
        session.flush().await.map_err(store_error)?;
    }
    Ok(ctx)
}

/// Signs the browser in: a new session id (no fixation), then the identity.
pub async fn sign_in(session: &Session, ctx: &TenantContext) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_error)?;
    remember(session, ctx).await
}

/// Re-records the identity, e.g. after the user's own password change moved the security version.
pub async fn remember(session: &Session, ctx: &TenantContext) -> Result<(), AppError> {
    let auth = SessionAuth {
        tenant: ctx.tenant.slug.as_str().to_string(),
        tenant_id: ctx.tenant.id,
        user_id: ctx.user.id,
        sv: ctx.user.security_version,
    };
    session.insert(AUTH_KEY, auth).await.map_err(store_error)
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_error)
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|line| {
        line.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    })
}
