//! The authenticated tenant and user of a request, and the one function that makes one.
use std::sync::Arc;

use uuid::Uuid;

use super::{db::TenantDb, slug::Slug, tenant::Tenant};
use crate::{error::AppError, server::db::tenant::users::UserRow, server::state::Core};

/// The only way to a [`TenantDb`] for request handling. Made by [`resolve`], which both the
/// bearer and the session middleware end in.
#[derive(Clone)]
pub struct TenantContext {
    pub tenant: Arc<Tenant>,
    pub db: TenantDb,
    pub user: UserRow,
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

/// Loads the tenant and the user a credential names, and checks the credential is still current.
/// `None` when the tenant or user is gone, the user is inactive, or the security version moved.
/// Records the tenant and user on the request's span, so every log line of the request has them.
pub async fn resolve(
    core: &Core,
    slug: &Slug,
    tenant_id: Uuid,
    user_id: Uuid,
    security_version: i32,
) -> Result<Option<TenantContext>, AppError> {
    let Some(tenant) = core.tenants.get(slug).await? else { return Ok(None) };
    if tenant.id != tenant_id {
        return Ok(None);
    }
    let db = tenant.db(&core.pool);
    let Some(user) = core.users.load(&db, user_id).await? else { return Ok(None) };
    if !user.active || user.security_version != security_version {
        return Ok(None);
    }
    let span = tracing::Span::current();
    span.record("tenant", tenant.slug.as_str());
    span.record("user_id", tracing::field::display(user.id));
    Ok(Some(TenantContext { tenant, db, user }))
}
