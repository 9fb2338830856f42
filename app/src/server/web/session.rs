//! The browser's side of authentication: a tower-sessions session (stored in `public.sessions`)
//! that remembers which tenant and user signed in, under which security version, and which of the
//! user's sessions (`user_sessions`, the list they can see and end) it is.
use axum::http::{header, HeaderMap};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{
        db::tenant::sessions::Kind,
        error::internal,
        services::sessions::{self, Client},
        state::Core,
        tenancy::{
            context::{resolve, Credential, TenantContext},
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
    /// The `user_sessions` row; nil in sessions from before that table (they end at once).
    #[serde(default)]
    sid: Uuid,
}

/// The store is PostgreSQL: its backend failing means the database is unreachable (503, like
/// any lost connection); a record that cannot be read or written is a bug (500).
fn store_error(err: tower_sessions::session::Error) -> AppError {
    use tower_sessions::{session::Error, session_store};
    if let Error::Store(session_store::Error::Backend(detail)) = &err {
        tracing::warn!(error = %detail, "session store unavailable");
        crate::server::db::health::connection_lost();
        return AppError::Unavailable { retry_after_secs: 1 };
    }
    internal("session store", err)
}

/// The signed-in context of this browser session, if any and still valid. A session whose user
/// was deactivated or changed password is emptied.
pub async fn authenticate(core: &Core, session: &Session) -> Result<Option<TenantContext>, AppError> {
    let Some(auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(store_error)? else {
        return Ok(None);
    };
    let ctx = match Slug::parse(&auth.tenant) {
        Ok(slug) => {
            let credential = Credential {
                slug: &slug,
                tenant_id: auth.tenant_id,
                user_id: auth.user_id,
                security_version: auth.sv,
                session_id: auth.sid,
            };
            resolve(core, &credential).await?
        }
        Err(_) => None,
    };
    if ctx.is_none() {
        session.flush().await.map_err(store_error)?;
    }
    Ok(ctx)
}

/// Signs the browser in: a new session of the user (listed, with an absolute end), a new session
/// id (no fixation), then the identity. Answers the context bound to the new session.
pub async fn sign_in(
    core: &Core,
    session: &Session,
    ctx: &TenantContext,
    client: &Client,
) -> Result<TenantContext, AppError> {
    let ctx = sessions::begin(core, ctx, Kind::Browser, client).await?;
    session.cycle_id().await.map_err(store_error)?;
    remember(session, &ctx).await?;
    Ok(ctx)
}

/// After the user's own password change: a new session id, so a copy of the old cookie is
/// worth nothing, and the identity under the new security version.
pub async fn renew(session: &Session, ctx: &TenantContext) -> Result<(), AppError> {
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
        sid: ctx.session_id,
    };
    session.insert(AUTH_KEY, auth).await.map_err(store_error)
}

/// Ends the user's session (so it leaves their list) and empties the browser's.
pub async fn sign_out(session: &Session, ctx: Option<&TenantContext>) -> Result<(), AppError> {
    if let Some(ctx) = ctx {
        sessions::end_own(ctx, ctx.session_id).await.or_else(|e| match e {
            AppError::NotFound => Ok(()),
            other => Err(other),
        })?;
    }
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
