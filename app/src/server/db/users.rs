//! A tenant's users.
use sqlx::{postgres::PgRow, PgExecutor, Row};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::{
    i18n::Locale,
    model::{Role, UserDto},
    server::tenant::{TenantConn, TenantDb, TenantTx},
};

/// A user as the server works with it. The password hash is read only where it is checked.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub locale: String,
    pub avatar_url: Option<String>,
    pub security_version: i32,
    pub inserted_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl UserRow {
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }

    pub fn to_dto(&self) -> UserDto {
        let ts = |t: &OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
        UserDto {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            active: self.active,
            locale: self.locale(),
            avatar_url: self.avatar_url.clone(),
            inserted_at: ts(&self.inserted_at),
            updated_at: ts(&self.updated_at),
        }
    }
}

macro_rules! columns {
    () => {
        "id, name, email, role, active, locale, avatar_url, security_version, inserted_at, updated_at"
    };
}
const COLUMNS: &str = columns!();

fn from_row(row: &PgRow) -> Result<UserRow, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(UserRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?,
        active: row.try_get("active")?,
        locale: row.try_get("locale")?,
        avatar_url: row.try_get("avatar_url")?,
        security_version: row.try_get("security_version")?,
        inserted_at: row.try_get("inserted_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn find_by_id(db: &TenantDb, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS} FROM {{t}}.users WHERE id = $1"));
    sqlx::query(&sql).bind(id).fetch_optional(db.executor()).await?.as_ref().map(from_row).transpose()
}

const FIND_MANY: &str = concat!("SELECT ", columns!(), " FROM {t}.users WHERE id = ANY($1)");

/// The users with these ids (in no particular order); one statement whatever the count.
pub async fn find_many(db: &TenantDb, ids: &[Uuid]) -> Result<Vec<UserRow>, sqlx::Error> {
    fetch_many(&db.sql(FIND_MANY), db.executor(), ids).await
}

/// [`find_many`] on a connection the caller holds.
pub async fn find_many_on(conn: &mut TenantConn, ids: &[Uuid]) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = conn.sql(FIND_MANY);
    fetch_many(&sql, conn.conn(), ids).await
}

async fn fetch_many<'e>(sql: &str, executor: impl PgExecutor<'e>, ids: &[Uuid]) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query(sql).bind(ids).fetch_all(executor).await?.iter().map(from_row).collect()
}

/// The user with this email (case-insensitively) and their password hash, for signing in.
pub async fn find_credentials(db: &TenantDb, email: &str) -> Result<Option<(UserRow, Option<String>)>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS}, password_hash FROM {{t}}.users WHERE lower(email) = lower($1)"));
    let Some(row) = sqlx::query(&sql).bind(email).fetch_optional(db.executor()).await? else {
        return Ok(None);
    };
    Ok(Some((from_row(&row)?, row.try_get("password_hash")?)))
}

pub async fn password_hash(tx: &mut TenantTx, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    let sql = tx.sql("SELECT password_hash FROM {t}.users WHERE id = $1 FOR UPDATE");
    Ok(sqlx::query_scalar(&sql).bind(id).fetch_optional(tx.conn()).await?.flatten())
}

pub struct NewUser<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub locale: Locale,
}

/// Inserts a user; the unique index on `lower(email)` makes a duplicate a unique violation.
pub async fn insert(tx: &mut TenantTx, new: &NewUser<'_>) -> Result<UserRow, sqlx::Error> {
    let sql = tx.sql(&format!(
        "INSERT INTO {{t}}.users (id, name, email, password_hash, role, locale) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    ));
    let row = sqlx::query(&sql)
        .bind(new.id)
        .bind(new.name)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.locale.tag())
        .fetch_one(tx.conn())
        .await?;
    from_row(&row)
}

pub struct ProfileChange<'a> {
    pub name: Option<&'a str>,
    pub locale: Option<Locale>,
    /// A new argon2 hash; also moves the security version, ending every other token and session.
    pub password_hash: Option<&'a str>,
}

pub async fn update_profile(
    tx: &mut TenantTx,
    id: Uuid,
    change: &ProfileChange<'_>,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = tx.sql(&format!(
        "UPDATE {{t}}.users SET name = COALESCE($2, name), locale = COALESCE($3, locale), \
         password_hash = COALESCE($4, password_hash), \
         security_version = security_version + CASE WHEN $4 IS NULL THEN 0 ELSE 1 END, \
         updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
    ));
    sqlx::query(&sql)
        .bind(id)
        .bind(change.name)
        .bind(change.locale.map(|l| l.tag()))
        .bind(change.password_hash)
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn set_locale(db: &TenantDb, id: Uuid, locale: Locale) -> Result<(), sqlx::Error> {
    let sql = db.sql("UPDATE {t}.users SET locale = $2, updated_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).bind(locale.tag()).execute(db.executor()).await?;
    Ok(())
}

/// Sortable columns of the users list; the only text ever spliced into its ORDER BY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Name,
    Email,
    Role,
    InsertedAt,
}

impl UserSort {
    fn column(self) -> &'static str {
        match self {
            UserSort::Name => "lower(name)",
            UserSort::Email => "lower(email)",
            UserSort::Role => {
                "CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END"
            }
            UserSort::InsertedAt => "inserted_at",
        }
    }
}

pub struct UserFilter<'a> {
    pub search: Option<&'a str>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub sort: UserSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The WHERE clause for the filters that are set, with their `$n` placeholders from `first`, so
/// an unfiltered page is the plain statement (one plan, no `$1 IS NULL OR ...` for the planner).
fn filter_clause(f: &UserFilter<'_>, first: usize) -> String {
    let mut conditions = Vec::new();
    let mut n = first;
    if f.search.is_some() {
        conditions.push(format!("(lower(name) LIKE ${n} OR lower(email) LIKE ${n})"));
        n += 1;
    }
    if f.role.is_some() {
        conditions.push(format!("role = ${n}"));
        n += 1;
    }
    if f.active.is_some() {
        conditions.push(format!("active = ${n}"));
    }
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

fn bind_filters<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    f: &UserFilter<'_>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    if let Some(search) = f.search {
        query = query.bind(crate::server::text::like_pattern(search));
    }
    if let Some(role) = f.role {
        query = query.bind(role.as_str());
    }
    if let Some(active) = f.active {
        query = query.bind(active);
    }
    query
}

/// One page of users and the total matching, in one statement.
pub async fn list(db: &TenantDb, f: &UserFilter<'_>) -> Result<(Vec<UserRow>, i64), sqlx::Error> {
    let dir = if f.descending { "DESC" } else { "ASC" };
    let sql = db.sql(&format!(
        "SELECT {COLUMNS}, count(*) OVER () AS total FROM {{t}}.users {} ORDER BY {} {dir}, id {dir} LIMIT $1 OFFSET $2",
        filter_clause(f, 3),
        f.sort.column()
    ));
    let rows = bind_filters(sqlx::query(&sql).bind(f.limit).bind(f.offset), f).fetch_all(db.executor()).await?;
    let total = match rows.first() {
        Some(row) => row.try_get("total")?,
        None => count_matching(db, f).await?,
    };
    Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
}

/// The total for a page past the end (where the window count has no row to ride on).
async fn count_matching(db: &TenantDb, f: &UserFilter<'_>) -> Result<i64, sqlx::Error> {
    let sql = db.sql(&format!("SELECT count(*) FROM {{t}}.users {}", filter_clause(f, 1)));
    let (count,): (i64,) = {
        let row = bind_filters(sqlx::query(&sql), f).fetch_one(db.executor()).await?;
        (row.try_get(0)?,)
    };
    Ok(count)
}

pub async fn find_for_update(tx: &mut TenantTx, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = tx.sql(&format!("SELECT {COLUMNS} FROM {{t}}.users WHERE id = $1 FOR UPDATE"));
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(from_row).transpose()
}

pub async fn count_active(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let sql = tx.sql("SELECT count(*) FROM {t}.users WHERE active");
    sqlx::query_scalar(&sql).fetch_one(tx.conn()).await
}

pub async fn count_active_owners(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let sql = tx.sql("SELECT count(*) FROM {t}.users WHERE active AND role = 'owner'");
    sqlx::query_scalar(&sql).fetch_one(tx.conn()).await
}

pub struct AdminChange<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub locale: Option<Locale>,
    /// Ends the user's tokens and sessions (deactivation).
    pub bump_security: bool,
}

pub async fn update_admin(tx: &mut TenantTx, id: Uuid, c: &AdminChange<'_>) -> Result<UserRow, sqlx::Error> {
    let sql = tx.sql(&format!(
        "UPDATE {{t}}.users SET name = COALESCE($2, name), email = COALESCE($3, email), role = COALESCE($4, role), \
         active = COALESCE($5, active), locale = COALESCE($6, locale), \
         security_version = security_version + CASE WHEN $7 THEN 1 ELSE 0 END, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ));
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(c.name)
        .bind(c.email)
        .bind(c.role.map(Role::as_str))
        .bind(c.active)
        .bind(c.locale.map(|l| l.tag()))
        .bind(c.bump_security)
        .fetch_one(tx.conn())
        .await?;
    from_row(&row)
}

pub async fn set_password(tx: &mut TenantTx, id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.users SET password_hash = $2, security_version = security_version + 1, updated_at = now() WHERE id = $1",
    );
    sqlx::query(&sql).bind(id).bind(hash).execute(tx.conn()).await?;
    Ok(())
}
