//! A tenant's users.
use sqlx::PgExecutor;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::{
    i18n::Locale,
    model::{Role, UserDto},
    server::{
        db::keyset::{self, after_row, After, KeyValue, Listed, PageQuery},
        tenancy::db::{TenantConn, TenantDb, TenantTx},
        text::like_pattern,
    },
};

/// A user as the server works with it. The password hash is read only where it is checked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub active: bool,
    pub locale: String,
    pub avatar_url: Option<String>,
    pub security_version: i32,
    pub mfa_enabled: bool,
    pub inserted_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_sign_in_at: Option<OffsetDateTime>,
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
            mfa_enabled: self.mfa_enabled,
            inserted_at: ts(&self.inserted_at),
            updated_at: ts(&self.updated_at),
            last_sign_in_at: self.last_sign_in_at.as_ref().map(ts),
        }
    }
}

macro_rules! columns {
    () => {
        "id, name, email, role, active, locale, avatar_url, security_version, \
         mfa_enabled_at IS NOT NULL AS mfa_enabled, inserted_at, updated_at, last_sign_in_at"
    };
}
const COLUMNS: &str = columns!();

pub async fn find_by_id(db: &TenantDb, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS} FROM {{t}}.users WHERE id = $1"));
    sqlx::query_as(&sql).bind(id).fetch_optional(db.executor()).await
}

/// Notes a successful sign-in (in the transaction that begins its session).
pub async fn record_sign_in(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.users SET last_sign_in_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    Ok(())
}

const FIND_MANY: &str = concat!("SELECT ", columns!(), " FROM {t}.users WHERE id = ANY($1)");

/// The users with these ids (in no particular order); one statement whatever the count.
pub async fn find_many(db: &TenantDb, ids: &[Uuid]) -> Result<Vec<UserRow>, sqlx::Error> {
    fetch_many(&db.sql(FIND_MANY), db.executor(), ids).await
}

async fn fetch_many<'e>(sql: &str, executor: impl PgExecutor<'e>, ids: &[Uuid]) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query_as(sql).bind(ids).fetch_all(executor).await
}

/// A user as a request's credential names them, with whether the credential's session is live.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignedInUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub session_id: Uuid,
    /// When the session was last recorded as used; `None` when it has ended or passed its end.
    pub session_last_used: Option<OffsetDateTime>,
}

const FIND_SIGNED_IN: &str = concat!(
    "SELECT u.*, k.session_id, s.last_used_at AS session_last_used \
     FROM unnest($1::uuid[], $2::uuid[]) AS k(user_id, session_id) \
     JOIN LATERAL (SELECT ",
    columns!(),
    " FROM {t}.users WHERE id = k.user_id) u ON true \
     LEFT JOIN {t}.user_sessions s ON s.id = k.session_id AND s.user_id = k.user_id \
       AND s.ended_at IS NULL AND s.expires_at > now()"
);

/// [`FIND_SIGNED_IN`] for one pair, the usual batch. With arrays for parameters PostgreSQL plans
/// every execution (a generic plan must guess the arrays' length, so its estimate never beats a
/// custom plan's): 0.15 ms of planning for 0.04 ms of execution. With two plain keys it keeps
/// one generic plan after its fifth execution.
const FIND_ONE_SIGNED_IN: &str = concat!(
    "SELECT ",
    columns!(),
    ", $2::uuid AS session_id, \
     (SELECT s.last_used_at FROM {t}.user_sessions s WHERE s.id = $2 AND s.user_id = $1 \
       AND s.ended_at IS NULL AND s.expires_at > now()) AS session_last_used \
     FROM {t}.users WHERE id = $1"
);

/// The users of these (user, session) pairs with their sessions' state, in one statement: every
/// authenticated request reads both, and the session check must not cost a round trip of its own.
pub async fn find_signed_in_on(
    conn: &mut TenantConn,
    pairs: &[(Uuid, Uuid)],
) -> Result<Vec<SignedInUser>, sqlx::Error> {
    if let [(user, session)] = pairs {
        let sql = conn.sql(FIND_ONE_SIGNED_IN);
        return sqlx::query_as(&sql).bind(user).bind(session).fetch_all(conn.conn()).await;
    }
    let sql = conn.sql(FIND_SIGNED_IN);
    let (users, sessions): (Vec<Uuid>, Vec<Uuid>) = pairs.iter().copied().unzip();
    sqlx::query_as(&sql).bind(users).bind(sessions).fetch_all(conn.conn()).await
}

/// A user with their password hash: only where a password is checked.
#[derive(sqlx::FromRow)]
pub struct UserCredentials {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: Option<String>,
}

/// The user with this email (case-insensitively) and their password hash, for signing in.
pub async fn find_credentials(db: &TenantDb, email: &str) -> Result<Option<UserCredentials>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS}, password_hash FROM {{t}}.users WHERE lower(email) = lower($1)"));
    sqlx::query_as(&sql).bind(email).fetch_optional(db.executor()).await
}

/// The user's password hash, read without a lock (checking a password takes the time of argon2:
/// no row stays locked meanwhile).
pub async fn password_hash_of(db: &TenantDb, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    let sql = db.sql("SELECT password_hash FROM {t}.users WHERE id = $1");
    Ok(sqlx::query_scalar(&sql).bind(id).fetch_optional(db.executor()).await?.flatten())
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
    sqlx::query_as(&sql)
        .bind(new.id)
        .bind(new.name)
        .bind(new.email)
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.locale.tag())
        .fetch_one(tx.conn())
        .await
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
    sqlx::query_as(&sql)
        .bind(id)
        .bind(change.name)
        .bind(change.locale.map(|l| l.tag()))
        .bind(change.password_hash)
        .fetch_optional(tx.conn())
        .await
}

pub async fn set_locale(db: &TenantDb, id: Uuid, locale: Locale) -> Result<(), sqlx::Error> {
    let sql = db.sql("UPDATE {t}.users SET locale = $2, updated_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).bind(locale.tag()).execute(db.executor()).await?;
    Ok(())
}

/// A person who may be added to a department, with the departments they are in.
#[derive(sqlx::FromRow)]
pub struct Candidate {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub departments: Vec<String>,
}

/// Active users by name (and by email when `by_email`), with their departments' names.
pub async fn candidates(
    db: &TenantDb,
    search: Option<&str>,
    by_email: bool,
    limit: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = db.sql(
        "SELECT u.id, u.name, u.email, u.role, \
           COALESCE(array_agg(d.name ORDER BY lower(d.name)) FILTER (WHERE d.id IS NOT NULL), '{}') AS departments \
         FROM {t}.users u \
         LEFT JOIN {t}.department_members m ON m.user_id = u.id \
         LEFT JOIN {t}.departments d ON d.id = m.department_id \
         WHERE u.active AND ($1::text IS NULL OR lower(u.name) LIKE $1 OR ($2 AND lower(u.email) LIKE $1)) \
         GROUP BY u.id ORDER BY lower(u.name), u.id LIMIT $3",
    );
    sqlx::query_as(&sql).bind(search.map(like_pattern)).bind(by_email).bind(limit).fetch_all(db.executor()).await
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
    /// The ORDER BY expression; each has an index on (expression, id) (tenant migration 0005).
    fn column(self) -> &'static str {
        match self {
            UserSort::Name => "lower(name)",
            UserSort::Email => "lower(email)",
            UserSort::Role => ROLE_RANK,
            UserSort::InsertedAt => "inserted_at",
        }
    }

    /// The sort key as the row stores it: the lowered name and email are generated columns
    /// (tenant migration 0011), equal to what [`Self::column`] computes.
    fn stored(self) -> &'static str {
        match self {
            UserSort::Name => "name_lower",
            UserSort::Email => "email_lower",
            UserSort::Role | UserSort::InsertedAt => self.column(),
        }
    }

    /// The sort key of each row as the page selects it (text keys or numbers), for the cursor.
    fn key_columns(self) -> String {
        match self {
            UserSort::Name | UserSort::Email => format!("{} AS key_text, NULL::bigint AS key_int", self.stored()),
            UserSort::Role => format!("NULL::text AS key_text, ({ROLE_RANK})::bigint AS key_int"),
            UserSort::InsertedAt => {
                "NULL::text AS key_text, (extract(epoch FROM inserted_at) * 1000000)::bigint AS key_int".into()
            }
        }
    }

    /// The placeholder a cursor's key is compared through (`$n`, typed like the column).
    fn key_param(self, n: usize) -> String {
        match self {
            UserSort::Role => format!("${n}::int"),
            _ => format!("${n}"),
        }
    }
}

/// Roles in order of power, as the role sort and its index compute it.
const ROLE_RANK: &str = "CASE role WHEN 'attendant' THEN 1 WHEN 'supervisor' THEN 2 WHEN 'manager' THEN 3 ELSE 4 END";

pub struct UserFilter<'a> {
    pub search: Option<&'a str>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub sort: UserSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// Continue after this position (keyset paging) instead of skipping `offset` rows.
    pub after: Option<&'a After>,
}

/// The conditions for the filters that are set, with their `$n` placeholders from `first`, so
/// an unfiltered page is the plain statement (one plan, no `$1 IS NULL OR ...` for the planner).
/// Answers the conditions and the next free placeholder number.
fn filter_conditions(f: &UserFilter<'_>, first: usize) -> (Vec<String>, usize) {
    let mut conditions = Vec::new();
    let mut n = first;
    if f.search.is_some() {
        // Served by the trigram indexes on the stored lowered name and email.
        conditions.push(format!("(name_lower LIKE ${n} OR email_lower LIKE ${n})"));
        n += 1;
    }
    if f.role.is_some() {
        conditions.push(format!("role = ${n}"));
        n += 1;
    }
    if f.active.is_some() {
        conditions.push(format!("active = ${n}"));
        n += 1;
    }
    (conditions, n)
}

/// Binds the filters that are set, in the order [`filter_conditions`] numbered them.
fn bind_filters<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    f: &UserFilter<'_>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    if let Some(search) = f.search {
        query = query.bind(like_pattern(search));
    }
    if let Some(role) = f.role {
        query = query.bind(role.as_str());
    }
    if let Some(active) = f.active {
        query = query.bind(active);
    }
    query
}

/// A row of a list page, with its sort key and the (capped) total the statement counted once.
#[derive(sqlx::FromRow)]
struct ListedUser {
    #[sqlx(flatten)]
    user: UserRow,
    key_text: Option<String>,
    key_int: Option<i64>,
    total: i64,
}

impl keyset::PageRow for ListedUser {
    type Item = UserRow;

    fn total(&self) -> i64 {
        self.total
    }

    fn position(&self) -> After {
        after_row(&self.key_text, self.key_int, self.user.id)
    }

    fn into_item(self) -> Self::Item {
        self.user
    }
}

/// The page statement's parts for `f`: the filters' parameters, then the cursor's key and id.
fn page_query<'a>(f: &UserFilter<'_>, columns: &'a str, filters: &'a [String], next: usize) -> PageQuery<'a> {
    PageQuery {
        columns,
        from: "{t}.users",
        id: "id",
        sort: f.sort.column(),
        key: f.sort.stored(),
        filters,
        after: f.after.map(|_| (f.sort.key_param(next), format!("${}", next + 1))),
        descending: f.descending,
        limit: f.limit,
        offset: f.offset,
    }
}

/// Whether `f`'s page is served from its matches collected first (a search trigrams can look
/// up) rather than by walking the sort's index.
fn collects(f: &UserFilter<'_>) -> bool {
    f.search.is_some_and(keyset::trigram_searchable)
}

/// The page statement: the index walk, or the page sorted from the collected matches.
fn page_sql(f: &UserFilter<'_>, walk: bool) -> String {
    let columns = format!("{COLUMNS}, {}", f.sort.key_columns());
    let (filters, next) = filter_conditions(f, 1);
    let page = page_query(f, &columns, &filters, next);
    if walk {
        page.walk_sql()
    } else {
        page.matched_sql()
    }
}

/// Binds the page statement's parameters.
fn bind_page<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    f: &UserFilter<'_>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let query = bind_filters(query, f);
    match f.after {
        Some(after) => bind_after(query, f.sort, after),
        None => query,
    }
}

/// One page of users in the sort's order (after `f.after`, or past `f.offset` rows) and the
/// number matching, capped: one statement, or two for a search with more than a capful of
/// matches (the collected matches say so, then the index walk serves the page).
pub async fn list(db: &TenantDb, f: &UserFilter<'_>) -> Result<Listed<UserRow>, sqlx::Error> {
    let fetch = |walk: bool| async move {
        let sql = db.sql(&page_sql(f, walk));
        bind_page(sqlx::query_as::<_, ListedUser>(&sql), f).fetch_all(db.executor()).await
    };
    keyset::serve(collects(f), f.limit, fetch, || count_matching(db, f)).await
}

/// The plan PostgreSQL chooses for the statement that serves `f`'s page first (`EXPLAIN (FORMAT
/// JSON)`), for checking that every sort is served by its index.
pub async fn explain_list(db: &TenantDb, f: &UserFilter<'_>) -> Result<serde_json::Value, sqlx::Error> {
    let sql = db.sql(&format!("EXPLAIN (FORMAT JSON) {}", page_sql(f, !collects(f))));
    let (plan,): (serde_json::Value,) = bind_page(sqlx::query_as(&sql), f).fetch_one(db.executor()).await?;
    Ok(plan)
}

/// Binds a cursor's key (typed as its sort compares it) and id.
fn bind_after<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    sort: UserSort,
    after: &After,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let query = match (&after.key, sort) {
        (KeyValue::Int(micros), UserSort::InsertedAt) => {
            let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(*micros) * 1000)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH);
            query.bind(at)
        }
        (KeyValue::Int(n), _) => query.bind(*n),
        (KeyValue::Text(text), _) => query.bind(text.clone()),
    };
    query.bind(after.id)
}

/// The (capped) total for a page past the end, where no row carries it.
async fn count_matching(db: &TenantDb, f: &UserFilter<'_>) -> Result<i64, sqlx::Error> {
    let (filters, next) = filter_conditions(f, 1);
    let sql = db.sql(&page_query(f, "", &filters, next).count_sql());
    let (count,): (i64,) = bind_filters(sqlx::query_as(&sql), f).fetch_one(db.executor()).await?;
    Ok(count)
}

pub async fn find_for_update(tx: &mut TenantTx, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = tx.sql(&format!("SELECT {COLUMNS} FROM {{t}}.users WHERE id = $1 FOR UPDATE"));
    sqlx::query_as(&sql).bind(id).fetch_optional(tx.conn()).await
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
    sqlx::query_as(&sql)
        .bind(id)
        .bind(c.name)
        .bind(c.email)
        .bind(c.role.map(Role::as_str))
        .bind(c.active)
        .bind(c.locale.map(|l| l.tag()))
        .bind(c.bump_security)
        .fetch_one(tx.conn())
        .await
}

pub async fn set_password(tx: &mut TenantTx, id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.users SET password_hash = $2, security_version = security_version + 1, updated_at = now() WHERE id = $1",
    );
    sqlx::query(&sql).bind(id).bind(hash).execute(tx.conn()).await?;
    Ok(())
}

/// The address the payment provider gets for a company: its first owner's.
pub async fn owner_email(db: &TenantDb) -> Result<Option<String>, sqlx::Error> {
    let sql = db.sql("SELECT email FROM {t}.users WHERE role = 'owner' AND active ORDER BY inserted_at LIMIT 1");
    sqlx::query_scalar(&sql).fetch_optional(db.executor()).await
}

/// Active owners (the recipients of billing notices), oldest first.
pub async fn active_owners(tx: &mut TenantTx) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql =
        tx.sql(&format!("SELECT {COLUMNS} FROM {{t}}.users WHERE role = 'owner' AND active ORDER BY inserted_at, id"));
    sqlx::query_as(&sql).fetch_all(tx.conn()).await
}

/// An active user with a password, by email (password recovery).
pub async fn find_active_with_password(tx: &mut TenantTx, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = tx.sql(&format!(
        "SELECT {COLUMNS} FROM {{t}}.users WHERE lower(email) = lower($1) AND active AND password_hash IS NOT NULL"
    ));
    sqlx::query_as(&sql).bind(email).fetch_optional(tx.conn()).await
}

/// A user still waiting to accept an invitation (no password yet) leaves, freeing the seat.
/// False when the user has a password by now.
pub async fn delete_pending(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = tx.sql("DELETE FROM {t}.department_members WHERE user_id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    let sql = tx.sql("DELETE FROM {t}.user_invitations WHERE user_id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    let sql = tx.sql("DELETE FROM {t}.users WHERE id = $1 AND password_hash IS NULL");
    Ok(sqlx::query(&sql).bind(id).execute(tx.conn()).await?.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    //! The repository on its own, against a real PostgreSQL: a tenant schema made from the tenant
    //! migrations, then the statements, with no HTTP layer, `Core` or service in between.
    use super::*;
    use crate::server::{
        migrate,
        tenancy::{db::search_path_statement, slug::Slug},
    };

    async fn fresh_tenant_schema() -> TenantDb {
        let url = std::env::var("DATABASE_URL").expect("DATABASE_URL must point at PostgreSQL (scripts/test sets it)");
        let pool = sqlx::PgPool::connect(&url).await.expect("connect to DATABASE_URL");
        // What the shared migrations provide to tenant schemas (the trigram operator classes).
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").execute(&pool).await.unwrap();
        let schema = Slug::parse(&format!("repo-{}", Uuid::new_v4().simple())).unwrap().schema_name();
        let mut tx = TenantTx::for_provisioning(&pool, schema.clone()).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {}", schema.quoted())).execute(tx.conn()).await.unwrap();
        sqlx::query(&search_path_statement(&schema)).execute(tx.conn()).await.unwrap();
        migrate::apply_tenant(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        TenantDb::new(&pool, schema)
    }

    fn new_user<'a>(name: &'a str, email: &'a str) -> NewUser<'a> {
        NewUser {
            id: Uuid::new_v4(),
            name,
            email,
            password_hash: Some("hash"),
            role: Role::Attendant,
            locale: Locale::Es,
        }
    }

    #[tokio::test]
    async fn users_are_stored_found_listed_and_unique_by_email() {
        let db = fresh_tenant_schema().await;
        let mut tx = db.begin().await.unwrap();
        let bia = insert(&mut tx, &new_user("bia", "Bia@Example.com")).await.unwrap();
        insert(&mut tx, &new_user("Ana", "ana@example.com")).await.unwrap();
        let duplicate = insert(&mut tx, &new_user("Other", "bia@example.COM")).await.unwrap_err();
        let constraint = match &duplicate {
            sqlx::Error::Database(e) => e.constraint().map(str::to_string),
            other => panic!("{other:?}"),
        };
        assert_eq!(constraint.as_deref(), Some("users_email_key"), "the name services map to 'has already been taken'");
        drop(tx);

        let mut tx = db.begin().await.unwrap();
        insert(&mut tx, &new_user("bia", "Bia@Example.com")).await.unwrap();
        insert(&mut tx, &new_user("Ana", "ana@example.com")).await.unwrap();
        tx.commit().await.unwrap();

        let found = find_credentials(&db, "BIA@example.com").await.unwrap().expect("case-insensitive email");
        assert_eq!((found.user.name.as_str(), found.password_hash.as_deref()), ("bia", Some("hash")));
        assert_eq!(found.user.locale(), Locale::Es);
        assert!(find_by_id(&db, bia.id).await.unwrap().is_none(), "the rolled-back row is gone");

        let filter = UserFilter {
            search: Some("a"),
            role: Some(Role::Attendant),
            active: Some(true),
            sort: UserSort::Name,
            descending: false,
            limit: 1,
            offset: 0,
            after: None,
        };
        let page = list(&db, &filter).await.unwrap();
        assert_eq!((page.rows.len(), page.total, page.capped), (1, 2, false));
        assert_eq!(page.rows[0].name, "Ana", "ordered by lower(name)");
        let next = page.next.expect("a second page");
        let second = list(&db, &UserFilter { after: Some(&next), ..filter }).await.unwrap();
        assert_eq!(second.rows.len(), 1);
        assert_ne!(second.rows[0].id, page.rows[0].id, "the page after the first");
        assert!(second.next.is_none(), "the last page");
        let past_the_end = list(&db, &UserFilter { offset: 5, ..filter }).await.unwrap();
        assert_eq!((past_the_end.rows.len(), past_the_end.total), (0, 2), "the total also for a page past the end");

        sqlx::query(&format!("DROP SCHEMA {} CASCADE", db.schema().quoted())).execute(db.executor()).await.unwrap();
    }
}
