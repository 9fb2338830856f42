//! Creating a tenant: registry row, schema, tenant tables and owner, all in one transaction, so a
//! crash at any point leaves either the whole tenant or nothing. Kept behind this one function so
//! the strategy (e.g. pre-created schemas) can change without touching callers.
use sqlx::Executor;
use uuid::Uuid;

use crate::{
    error::AppError,
    i18n::Locale,
    model::Role,
    server::{
        db::{self, tenants::NewTenant, users::NewUser},
        error::{internal, unique_violation},
        fault::pause_point,
        migrate,
        tenant::{begin_statement_tail, Slug, TenantTx},
        AppState,
    },
};

pub struct NewOwner<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// Already hashed: the deliberate cost of argon2 stays outside the transaction.
    pub password_hash: &'a str,
    pub locale: Locale,
}

pub struct Provisioned {
    pub tenant_id: Uuid,
    pub owner_id: Uuid,
}

pub async fn provision(
    state: &AppState,
    slug: &Slug,
    name: &str,
    plan_id: &str,
    owner: &NewOwner<'_>,
) -> Result<Provisioned, AppError> {
    let schema = slug.schema_name();
    let tenant_id = Uuid::new_v4();
    let mut tx = TenantTx::for_provisioning(&state.pool, schema.clone()).await?;
    db::tenants::insert(tx.conn(), &NewTenant { id: tenant_id, slug, name, plan_id }).await.map_err(|e| {
        match unique_violation(&e) {
            Some(_) => {
                AppError::Conflict { detail: "This workspace name is already taken".into(), code: "slug_taken".into() }
            }
            None => e.into(),
        }
    })?;
    pause_point("provision:registry_row").await;
    tx.conn().execute(&*format!("CREATE SCHEMA {}", schema.quoted())).await?;
    pause_point("provision:schema").await;
    tx.conn().execute(&*begin_statement_tail(&schema)).await?;
    migrate::apply_tenant(&mut tx).await.map_err(|e| internal("tenant migrations", e))?;
    let owner_id = Uuid::new_v4();
    db::users::insert(
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
    pause_point("provision:owner").await;
    tx.commit().await?;
    state.tenants.evict(slug);
    Ok(Provisioned { tenant_id, owner_id })
}
