//! A tenant's departments and their members.
use uuid::Uuid;

use super::users::{self, UserRow};
use crate::{
    model::DepartmentDto,
    server::{
        tenancy::db::{TenantDb, TenantTx},
        text::like_pattern,
    },
};

macro_rules! columns {
    () => {
        "d.id, d.name, d.identifier, d.description, d.active, d.max_queue_size, d.max_wait_time, \
         d.inserted_at, d.updated_at, \
         (SELECT count(*) FROM {t}.department_members m WHERE m.department_id = d.id) AS user_count"
    };
}
const COLUMNS: &str = columns!();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartmentSort {
    Name,
    InsertedAt,
}

pub struct DepartmentFilter<'a> {
    pub search: Option<&'a str>,
    pub active: Option<bool>,
    pub sort: DepartmentSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(db: &TenantDb, f: &DepartmentFilter<'_>) -> Result<(Vec<DepartmentDto>, i64), sqlx::Error> {
    let dir = if f.descending { "DESC" } else { "ASC" };
    let column = match f.sort {
        DepartmentSort::Name => "lower(d.name)",
        DepartmentSort::InsertedAt => "d.inserted_at",
    };
    let filter = "($1::text IS NULL OR lower(d.name) LIKE $1 OR lower(d.identifier) LIKE $1) \
                  AND ($2::boolean IS NULL OR d.active = $2)";
    let sql = db.sql(&format!(
        "SELECT {COLUMNS} FROM {{t}}.departments d WHERE {filter} ORDER BY {column} {dir}, d.id {dir} LIMIT $3 OFFSET $4"
    ));
    let pattern = f.search.map(like_pattern);
    let rows = sqlx::query_as(&sql)
        .bind(&pattern)
        .bind(f.active)
        .bind(f.limit)
        .bind(f.offset)
        .fetch_all(db.executor())
        .await?;
    let count_sql = db.sql(&format!("SELECT count(*) FROM {{t}}.departments d WHERE {filter}"));
    let total: i64 = sqlx::query_scalar(&count_sql).bind(&pattern).bind(f.active).fetch_one(db.executor()).await?;
    Ok((rows, total))
}

const FIND: &str = concat!("SELECT ", columns!(), " FROM {t}.departments d WHERE d.id = $1");

pub async fn find(db: &TenantDb, id: Uuid) -> Result<Option<DepartmentDto>, sqlx::Error> {
    sqlx::query_as(&db.sql(FIND)).bind(id).fetch_optional(db.executor()).await
}

pub async fn find_in(tx: &mut TenantTx, id: Uuid) -> Result<Option<DepartmentDto>, sqlx::Error> {
    let sql = tx.sql(FIND);
    sqlx::query_as(&sql).bind(id).fetch_optional(tx.conn()).await
}

pub async fn count_active(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let sql = tx.sql("SELECT count(*) FROM {t}.departments WHERE active");
    sqlx::query_scalar(&sql).fetch_one(tx.conn()).await
}

pub async fn identifier_taken(tx: &mut TenantTx, identifier: &str, except: Option<Uuid>) -> Result<bool, sqlx::Error> {
    let sql = tx.sql("SELECT EXISTS (SELECT 1 FROM {t}.departments WHERE identifier = $1 AND id IS DISTINCT FROM $2)");
    sqlx::query_scalar(&sql).bind(identifier).bind(except).fetch_one(tx.conn()).await
}

pub struct DepartmentFields<'a> {
    pub name: &'a str,
    pub identifier: &'a str,
    pub description: Option<&'a str>,
    pub active: bool,
    pub max_queue_size: Option<i32>,
    pub max_wait_time: Option<i32>,
}

pub async fn insert(tx: &mut TenantTx, id: Uuid, f: &DepartmentFields<'_>) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "INSERT INTO {t}.departments (id, name, identifier, description, active, max_queue_size, max_wait_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    );
    execute_with_fields(tx, &sql, id, f).await
}

pub async fn update(tx: &mut TenantTx, id: Uuid, f: &DepartmentFields<'_>) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.departments SET name = $2, identifier = $3, description = $4, active = $5, max_queue_size = $6, \
         max_wait_time = $7, updated_at = now() WHERE id = $1",
    );
    execute_with_fields(tx, &sql, id, f).await
}

/// Runs `sql` with `$1` = id and `$2..$7` = the fields, in the order both statements above use.
async fn execute_with_fields(
    tx: &mut TenantTx,
    sql: &str,
    id: Uuid,
    f: &DepartmentFields<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .bind(id)
        .bind(f.name)
        .bind(f.identifier)
        .bind(f.description)
        .bind(f.active)
        .bind(f.max_queue_size)
        .bind(f.max_wait_time)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete(db: &TenantDb, id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = db.sql("DELETE FROM {t}.departments WHERE id = $1");
    Ok(sqlx::query(&sql).bind(id).execute(db.executor()).await?.rows_affected() > 0)
}

pub async fn members(db: &TenantDb, department_id: Uuid) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = db.sql(
        "SELECT u.id FROM {t}.department_members m JOIN {t}.users u ON u.id = m.user_id \
         WHERE m.department_id = $1 ORDER BY lower(u.name), u.id",
    );
    let ids: Vec<Uuid> = sqlx::query_scalar(&sql).bind(department_id).fetch_all(db.executor()).await?;
    let mut users = users::find_many(db, &ids).await?;
    users.sort_by_key(|u| ids.iter().position(|id| *id == u.id));
    Ok(users)
}

/// `false` when the user already was a member.
pub async fn add_member(db: &TenantDb, department_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let sql =
        db.sql("INSERT INTO {t}.department_members (department_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    Ok(sqlx::query(&sql).bind(department_id).bind(user_id).execute(db.executor()).await?.rows_affected() > 0)
}

pub async fn remove_member(db: &TenantDb, department_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = db.sql("DELETE FROM {t}.department_members WHERE department_id = $1 AND user_id = $2");
    Ok(sqlx::query(&sql).bind(department_id).bind(user_id).execute(db.executor()).await?.rows_affected() > 0)
}
