//! Creating a tenant: registry row, schema, tenant tables and owner, all in one transaction, so a
//! crash at any point leaves either the whole tenant or nothing.
//!
//! Creating a schema's tables costs dozens of catalog writes, and that cost grows with the
//! catalog. So schemas are made ahead of time ("spares", each complete and migrated, in its own
//! transaction) and provisioning renames one: the signup pays for a rename and a few inserts.
//! When no spare is left it creates the schema inline, the same way a spare is made.
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Executor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    document::Document,
    error::AppError,
    i18n::Locale,
    model::{Role, SubscriptionStatus},
    server::{
        db::{
            public::{
                spares,
                tenants::{self, NewTenant},
            },
            tenant::users::{self, NewUser},
        },
        error::{internal, on_constraint},
        fault::pause_point,
        migrate,
        services::verification,
        state::Core,
        tenancy::{
            db::{search_path_statement, TenantTx},
            slug::{SchemaName, Slug},
            tenant::Tenant,
        },
    },
};

pub struct NewOwner<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Already hashed: the deliberate cost of argon2 stays outside the transaction.
    pub password_hash: &'a str,
    pub locale: Locale,
}

/// What the registry row records besides slug and name.
pub struct NewCompany<'a> {
    pub name: &'a str,
    pub plan_id: &'a str,
    pub document: Option<&'a Document>,
    pub trial_ends_at: Option<OffsetDateTime>,
    /// False for a signup: the owner gets a link to confirm the address (see [`verification`]).
    pub email_verified: bool,
}

pub struct Provisioned {
    pub tenant_id: Uuid,
    pub owner_id: Uuid,
    /// Whether a ready-made schema was used.
    pub from_spare: bool,
}

pub async fn provision(
    core: &Core,
    slug: &Slug,
    company: &NewCompany<'_>,
    owner: &NewOwner<'_>,
) -> Result<Provisioned, AppError> {
    let provisioned = provision_in(core, slug, company, owner).await?;
    core.tenants.evict(slug);
    replenish_in_background(core);
    Ok(provisioned)
}

async fn provision_in(
    core: &Core,
    slug: &Slug,
    company: &NewCompany<'_>,
    owner: &NewOwner<'_>,
) -> Result<Provisioned, AppError> {
    let schema = slug.schema_name();
    let tenant_id = Uuid::new_v4();
    let mut tx = TenantTx::for_provisioning(&core.pool, schema.clone()).await?;
    let row = NewTenant {
        id: tenant_id,
        slug,
        name: company.name,
        plan_id: company.plan_id,
        document: company.document,
        trial_ends_at: company.trial_ends_at,
        email_verified: company.email_verified,
    };
    // The registry row first: a taken slug or document fails here, before any schema work.
    tenants::insert(tx.conn(), &row).await.map_err(|e| taken_or_internal(e, slug))?;
    pause_point("provision:registry_row").await;
    let spare = spares::claim(tx.conn()).await?;
    let from_spare = spare.is_some();
    match spare {
        Some(spare) => {
            let spare = spare_identifier(&spare).ok_or_else(|| internal("spare schema", "invalid spare name"))?;
            tx.conn().execute(&*format!("ALTER SCHEMA {spare} RENAME TO {}", schema.quoted())).await?;
        }
        None => {
            tx.conn().execute(&*format!("CREATE SCHEMA {}", schema.quoted())).await?;
        }
    }
    pause_point("provision:schema").await;
    tx.conn().execute(&*search_path_statement(&schema)).await?;
    // A spare made before the latest tenant migration catches up here.
    migrate::apply_tenant(&mut tx).await.map_err(|e| internal("tenant migrations", e))?;
    let owner_id = Uuid::new_v4();
    users::insert(
        &mut tx,
        &NewUser {
            id: owner_id,
            name: owner.name,
            email: owner.email,
            password_hash: Some(owner.password_hash),
            role: Role::Owner,
            locale: owner.locale,
        },
    )
    .await?;
    if !company.email_verified {
        let tenant = Tenant {
            id: tenant_id,
            slug: slug.clone(),
            name: company.name.to_string(),
            schema: schema.clone(),
            plan_id: company.plan_id.to_string(),
            plan_name: String::new(),
            status: SubscriptionStatus::Trialing,
            trial_ends_at: company.trial_ends_at,
            current_period_end: None,
            billing_grace: time::Duration::days(core.settings.billing_grace_days),
            email_verified: false,
            mfa_required: false,
            api_requests_per_minute: 0,
            webhooks_enabled: false,
        };
        verification::send_link(core, &mut tx, &tenant, owner_id, owner.name, owner.email, owner.locale).await?;
    }
    pause_point("provision:owner").await;
    tx.commit().await.map_err(|e| taken_or_internal(e, slug))?;
    Ok(Provisioned { tenant_id, owner_id, from_spare })
}

/// A unique violation on the registry means another signup took the slug or document first.
fn taken_or_internal(err: sqlx::Error, slug: &Slug) -> AppError {
    let err = on_constraint(
        err,
        &[
            ("tenants_document_key", || document_taken(String::new())),
            ("tenants_slug_key", || slug_taken(String::new())),
            ("tenants_schema_name_key", || slug_taken(String::new())),
        ],
    );
    match err {
        AppError::Taken { detail, code, .. } => AppError::Taken { detail, code, suggested_slug: slug.to_string() },
        other => other,
    }
}

pub fn document_taken(suggested_slug: String) -> AppError {
    AppError::Taken {
        detail: "A company with this document is already registered".into(),
        code: "document_taken".into(),
        suggested_slug,
    }
}

pub fn slug_taken(suggested_slug: String) -> AppError {
    AppError::Taken { detail: "This workspace name is already taken".into(), code: "slug_taken".into(), suggested_slug }
}

/// Spare schemas are named `spare_<32 hex digits>` by [`make_spare`]; anything else in the table
/// is refused rather than spliced into SQL.
fn spare_identifier(name: &str) -> Option<String> {
    let hex = name.strip_prefix("spare_")?;
    (hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        .then(|| format!("\"{name}\""))
}

/// Creates one complete spare schema in its own transaction.
pub async fn make_spare(pool: &PgPool) -> Result<(), AppError> {
    let name = format!("spare_{}", Uuid::new_v4().simple());
    let quoted = spare_identifier(&name).expect("generated spare name");
    let mut tx = TenantTx::for_provisioning(pool, SchemaName::spare(&name)).await?;
    tx.conn().execute(&*format!("CREATE SCHEMA {quoted}")).await?;
    tx.conn().execute(&*format!("SELECT set_config('search_path', '{quoted}', true)")).await?;
    migrate::apply_tenant(&mut tx).await.map_err(|e| internal("spare schema migrations", e))?;
    spares::insert(tx.conn(), &name).await?;
    tx.commit().await?;
    Ok(())
}

/// Tops the spare schemas up to `target`; returns how many it made.
pub async fn replenish(pool: &PgPool, target: usize) -> Result<usize, AppError> {
    let have = spares::count(pool).await?;
    let missing = target.saturating_sub(usize::try_from(have).unwrap_or(0));
    for _ in 0..missing {
        make_spare(pool).await?;
    }
    Ok(missing)
}

static REPLENISHING: AtomicBool = AtomicBool::new(false);

/// One refill at a time per process, off the request's path.
pub fn replenish_in_background(core: &Core) {
    let target = core.settings.spare_schemas;
    if target == 0 || REPLENISHING.swap(true, Ordering::AcqRel) {
        return;
    }
    let pool = core.pool.clone();
    tokio::spawn(async move {
        if let Err(err) = replenish(&pool, target).await {
            tracing::warn!(error = %err, "could not make spare tenant schemas");
        }
        REPLENISHING.store(false, Ordering::Release);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_generated_spare_names_are_accepted() {
        let name = format!("spare_{}", uuid::Uuid::new_v4().simple());
        assert!(super::spare_identifier(&name).is_some());
        for bad in ["spare_", "t_acme", "spare_x\"; drop schema public; --", "spare_0123456789ABCDEF0123456789abcdef"] {
            assert!(super::spare_identifier(bad).is_none(), "{bad}");
        }
    }
}
