//! The authenticated tenant and user of a request, and the one function that makes one.
use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{db::TenantDb, slug::Slug, tenant::Tenant};
use crate::{
    error::AppError,
    server::db::tenant::{api_keys, sessions, users::UserRow},
    server::state::Core,
    server::tokens::ApiKeyText,
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
    /// Set when the request authenticated with an API key: then `user` is the key acting with
    /// its role (its id and name; no email, no sessions, no second factor).
    pub api_key: Option<Uuid>,
}

impl TenantContext {
    /// The person behind the request: `None` for an API key.
    pub fn person_id(&self) -> Option<Uuid> {
        self.api_key.is_none().then_some(self.user.id)
    }

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
    Ok(Some(TenantContext { tenant, db, user, session_id: credential.session_id, api_key: None }))
}

/// Loads the tenant and the API key a `Bearer atr_<prefix>_<secret>` names (`slug` from
/// `X-Tenant`), and checks the secret and the expiry. `None` for a key this tenant does not have
/// (another tenant's key included), a wrong secret or an expired key. The use is recorded
/// (time and client address) at most once a minute, off the request's path.
pub async fn resolve_api_key(
    core: &Core,
    slug: &Slug,
    key: &ApiKeyText<'_>,
    address: &str,
) -> Result<Option<TenantContext>, AppError> {
    let Some(tenant) = core.tenants.get(slug).await? else { return Ok(None) };
    let db = tenant.db(&core.pool);
    let Some(found) = api_keys::find_by_prefix(&db, key.prefix).await? else { return Ok(None) };
    if !key.matches(&found.secret_hash) {
        return Ok(None);
    }
    let now = OffsetDateTime::now_utc();
    if found.expires_at.is_some_and(|end| end <= now) {
        return Ok(None);
    }
    if found.last_used_at.is_none_or(|at| now - at > time::Duration::minutes(1)) {
        let (db, id, address) = (db.clone(), found.id, address.to_string());
        tokio::spawn(async move {
            if let Err(err) = api_keys::touch(&db, id, &address).await {
                tracing::debug!(error = %err, "API key use not recorded");
            }
        });
    }
    crate::server::metrics::tenant_request(&tenant.plan_id);
    let span = tracing::Span::current();
    span.record("tenant", tenant.slug.as_str());
    span.record("user_id", tracing::field::display(found.id));
    let user = UserRow {
        id: found.id,
        name: found.name,
        email: String::new(),
        role: found.role,
        active: true,
        locale: crate::i18n::Locale::default().tag().to_string(),
        avatar_url: None,
        security_version: 0,
        mfa_enabled: false,
        inserted_at: now,
        updated_at: now,
        last_sign_in_at: None,
    };
    Ok(Some(TenantContext { tenant, db, user, session_id: found.id, api_key: Some(found.id) }))
}
