//! The authenticated tenant and user of a request, and the one function that makes one.
use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{db::TenantDb, slug::Slug, tenant::Tenant};
use crate::{
    error::AppError,
    server::db::tenant::{sessions, users::UserRow},
    server::state::Core,
};

/// The only way to a [`TenantDb`] for request handling. Made by [`resolve`], which both the
/// bearer and the session middleware end in.
#[derive(Clone)]
pub struct TenantContext {
    pub tenant: Arc<Tenant>,
    pub db: TenantDb,
    pub user: UserRow,
    /// The sign-in (browser session or API refresh family) the request's credential belongs to.
    pub session_id: Uuid,
}

impl TenantContext {
    /// Called by every service that changes the tenant's business data.
    pub fn ensure_writable(&self) -> Result<(), AppError> {
        if self.tenant.accepts_writes() {
            Ok(())
        } else {
            Err(AppError::SubscriptionInactive)
        }
    }

    /// The same tenant and user after a change to the user's row (e.g. a new security version).
    pub fn with_user(&self, user: UserRow) -> TenantContext {
        TenantContext { user, ..self.clone() }
    }
}

/// What a credential (access token or browser session) says about who is asking.
pub struct Credential<'a> {
    pub slug: &'a Slug,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub security_version: i32,
    pub session_id: Uuid,
}

/// Loads the tenant and the user a credential names, and checks the credential is still current.
/// `None` when the tenant or user is gone, the user is inactive, the security version moved, or
/// the session ended (signed out, ended from the sessions list, past its absolute lifetime).
/// Records the tenant and user on the request's span, so every log line of the request has them.
pub async fn resolve(core: &Core, credential: &Credential<'_>) -> Result<Option<TenantContext>, AppError> {
    let Some(tenant) = core.tenants.get(credential.slug).await? else { return Ok(None) };
    if tenant.id != credential.tenant_id {
        return Ok(None);
    }
    let db = tenant.db(&core.pool);
    let Some(found) = core.users.load(&db, credential.user_id, credential.session_id).await? else {
        return Ok(None);
    };
    let user = found.user;
    let Some(last_used) = found.session_last_used else { return Ok(None) };
    if !user.active || user.security_version != credential.security_version {
        return Ok(None);
    }
    if OffsetDateTime::now_utc() - last_used > time::Duration::minutes(1) {
        // Best effort and off the request's path: "last used" is for people reading the list.
        let (db, id) = (db.clone(), credential.session_id);
        tokio::spawn(async move {
            if let Err(err) = sessions::touch(&db, id, "").await {
                tracing::debug!(error = %err, "session use not recorded");
            }
        });
    }
    crate::server::metrics::tenant_request(&tenant.plan_id);
    let span = tracing::Span::current();
    span.record("tenant", tenant.slug.as_str());
    span.record("user_id", tracing::field::display(user.id));
    Ok(Some(TenantContext { tenant, db, user, session_id: credential.session_id }))
}
