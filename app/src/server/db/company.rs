//! The tenant's company profile row, and the lock that serialises limit-checked writes.
use sqlx::Row;
use uuid::Uuid;

use crate::server::tenant::{TenantDb, TenantTx};

pub struct CompanyRow {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
}

/// Takes the tenant's write lock (its company row) until the transaction ends.
pub async fn lock(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    let sql = tx.sql("SELECT id FROM {t}.company WHERE id = 1 FOR UPDATE");
    sqlx::query(&sql).execute(tx.conn()).await?;
    Ok(())
}

pub async fn get(db: &TenantDb) -> Result<CompanyRow, sqlx::Error> {
    let sql = db.sql("SELECT email, phone, logo_url, primary_color FROM {t}.company WHERE id = 1");
    let row = sqlx::query(&sql).fetch_one(db.executor()).await?;
    Ok(CompanyRow {
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        logo_url: row.try_get("logo_url")?,
        primary_color: row.try_get("primary_color")?,
    })
}

/// `Some(Some(v))` sets, `Some(None)` clears, `None` keeps.
pub struct CompanyChange<'a> {
    pub email: Option<Option<&'a str>>,
    pub phone: Option<Option<&'a str>>,
    pub logo_url: Option<Option<&'a str>>,
    pub primary_color: Option<Option<&'a str>>,
}

pub async fn update(tx: &mut TenantTx, c: &CompanyChange<'_>) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.company SET \
         email = CASE WHEN $1 THEN $2 ELSE email END, phone = CASE WHEN $3 THEN $4 ELSE phone END, \
         logo_url = CASE WHEN $5 THEN $6 ELSE logo_url END, primary_color = CASE WHEN $7 THEN $8 ELSE primary_color END, \
         updated_at = now() WHERE id = 1",
    );
    sqlx::query(&sql)
        .bind(c.email.is_some())
        .bind(c.email.flatten())
        .bind(c.phone.is_some())
        .bind(c.phone.flatten())
        .bind(c.logo_url.is_some())
        .bind(c.logo_url.flatten())
        .bind(c.primary_color.is_some())
        .bind(c.primary_color.flatten())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The registry side of the company (name), changed in the same transaction as the profile.
pub async fn rename(tx: &mut TenantTx, tenant_id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE public.tenants SET name = $2, updated_at = now() WHERE id = $1")
        .bind(tenant_id)
        .bind(name)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub struct Registry {
    pub document: Option<String>,
    pub document_type: Option<String>,
}

pub async fn registry(db: &TenantDb, tenant_id: Uuid) -> Result<Registry, sqlx::Error> {
    let row = sqlx::query("SELECT document, document_type FROM public.tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(db.executor())
        .await?;
    Ok(Registry { document: row.try_get("document")?, document_type: row.try_get("document_type")? })
}

/// The limits of the tenant's current plan (`None` = unlimited), read inside the locked transaction.
pub struct Limits {
    pub max_users: Option<i32>,
    pub max_departments: Option<i32>,
}

pub async fn limits(tx: &mut TenantTx, tenant_id: Uuid) -> Result<Limits, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.max_users, p.max_departments FROM public.tenants t JOIN public.plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(tenant_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(Limits { max_users: row.try_get("max_users")?, max_departments: row.try_get("max_departments")? })
}
