//! A tenant's API keys: the prefix that finds a key and a SHA-256 of its secret, never the key.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    model::Role,
    server::tenancy::db::{TenantDb, TenantTx},
};

/// A key as the server checks it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub secret_hash: Vec<u8>,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A key as the list shows it, with its creator's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedKey {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub prefix: String,
    pub created_by: Option<String>,
    pub inserted_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_address: Option<String>,
}

pub struct NewKey<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub role: Role,
    pub prefix: &'a str,
    pub secret_hash: &'a [u8],
    pub created_by: Uuid,
    pub expires_at: Option<OffsetDateTime>,
}

pub async fn insert(tx: &mut TenantTx, key: &NewKey<'_>) -> Result<OffsetDateTime, sqlx::Error> {
    let sql = tx.sql(
        "INSERT INTO {t}.api_keys (id, name, role, prefix, secret_hash, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING inserted_at",
    );
    sqlx::query_scalar(&sql)
        .bind(key.id)
        .bind(key.name)
        .bind(key.role.as_str())
        .bind(key.prefix)
        .bind(key.secret_hash)
        .bind(key.created_by)
        .bind(key.expires_at)
        .fetch_one(tx.conn())
        .await
}

/// The key a prefix names.
pub async fn find_by_prefix(db: &TenantDb, prefix: &str) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    let sql =
        db.sql("SELECT id, name, role, secret_hash, expires_at, last_used_at FROM {t}.api_keys WHERE prefix = $1");
    sqlx::query_as(&sql).bind(prefix).fetch_optional(db.executor()).await
}

/// Every key, newest first.
pub async fn list(db: &TenantDb) -> Result<Vec<ListedKey>, sqlx::Error> {
    let sql = db.sql(
        "SELECT k.id, k.name, k.role, k.prefix, u.name AS created_by, k.inserted_at, k.expires_at, \
                k.last_used_at, k.last_used_address \
         FROM {t}.api_keys k LEFT JOIN {t}.users u ON u.id = k.created_by \
         ORDER BY k.inserted_at DESC, k.id",
    );
    sqlx::query_as(&sql).fetch_all(db.executor()).await
}

/// Deletes a key: the next request that presents it is refused. Whether it existed.
pub async fn delete(db: &TenantDb, id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = db.sql("DELETE FROM {t}.api_keys WHERE id = $1");
    Ok(sqlx::query(&sql).bind(id).execute(db.executor()).await?.rows_affected() == 1)
}

/// Records a use (time and client address).
pub async fn touch(db: &TenantDb, id: Uuid, address: &str) -> Result<(), sqlx::Error> {
    let sql = db.sql("UPDATE {t}.api_keys SET last_used_at = now(), last_used_address = $2 WHERE id = $1");
    sqlx::query(&sql).bind(id).bind(address).execute(db.executor()).await?;
    Ok(())
}
