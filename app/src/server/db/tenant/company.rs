//! The tenant's company profile row, and the lock that serialises limit-checked writes.
use crate::server::tenancy::db::{TenantDb, TenantTx};

#[derive(sqlx::FromRow)]
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
    sqlx::query_as(&sql).fetch_one(db.executor()).await
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

/// Active users and departments, read in one statement.
pub async fn usage(db: &TenantDb) -> Result<(i64, i64), sqlx::Error> {
    let sql = db.sql(
        "SELECT (SELECT count(*) FROM {t}.users WHERE active), (SELECT count(*) FROM {t}.departments WHERE active)",
    );
    sqlx::query_as(&sql).fetch_one(db.executor()).await
}

/// What the first-run checklist looks at: people beyond the owner (users or invitations),
/// departments, and whether the company set its colour and logo.
#[derive(sqlx::FromRow)]
pub struct Onboarding {
    pub users: i64,
    pub invitations: i64,
    pub departments: i64,
    pub branded: bool,
}

pub async fn onboarding(db: &TenantDb) -> Result<Onboarding, sqlx::Error> {
    let sql = db.sql(
        "SELECT (SELECT count(*) FROM {t}.users) AS users, (SELECT count(*) FROM {t}.user_invitations) AS invitations, \
         (SELECT count(*) FROM {t}.departments) AS departments, \
         (SELECT logo_url IS NOT NULL AND primary_color IS NOT NULL FROM {t}.company WHERE id = 1) AS branded",
    );
    sqlx::query_as(&sql).fetch_one(db.executor()).await
}
