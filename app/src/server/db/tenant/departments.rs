//! A tenant's departments and their members.
use time::OffsetDateTime;
use uuid::Uuid;

use super::users::{self, UserRow};
use crate::{
    model::DepartmentDto,
    server::{
        db::keyset::{self, after_row, After, KeyValue, Listed, PageQuery},
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

impl DepartmentSort {
    /// The ORDER BY expression; each has an index on (expression, id) (tenant migration 0005).
    fn column(self) -> &'static str {
        match self {
            DepartmentSort::Name => "lower(d.name)",
            DepartmentSort::InsertedAt => "d.inserted_at",
        }
    }

    /// The sort key as the row stores it: the lowered name is a generated column (tenant
    /// migration 0011), equal to what [`Self::column`] computes.
    fn stored(self) -> &'static str {
        match self {
            DepartmentSort::Name => "d.name_lower",
            DepartmentSort::InsertedAt => self.column(),
        }
    }

    fn key_columns(self) -> &'static str {
        match self {
            DepartmentSort::Name => "d.name_lower AS key_text, NULL::bigint AS key_int",
            DepartmentSort::InsertedAt => {
                "NULL::text AS key_text, (extract(epoch FROM d.inserted_at) * 1000000)::bigint AS key_int"
            }
        }
    }
}

pub struct DepartmentFilter<'a> {
    pub search: Option<&'a str>,
    pub active: Option<bool>,
    pub sort: DepartmentSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
    /// Continue after this position (keyset paging) instead of skipping `offset` rows.
    pub after: Option<&'a After>,
}

/// The conditions of the filters that are set, numbered from `$first`; answers the next number.
fn filter_conditions(f: &DepartmentFilter<'_>, first: usize) -> (Vec<String>, usize) {
    let mut conditions = Vec::new();
    let mut n = first;
    if f.search.is_some() {
        // Served by the trigram indexes on the stored lowered name and identifier.
        conditions.push(format!("(d.name_lower LIKE ${n} OR d.identifier_lower LIKE ${n})"));
        n += 1;
    }
    if f.active.is_some() {
        conditions.push(format!("d.active = ${n}"));
        n += 1;
    }
    (conditions, n)
}

#[derive(sqlx::FromRow)]
struct ListedDepartment {
    #[sqlx(flatten)]
    department: DepartmentDto,
    key_text: Option<String>,
    key_int: Option<i64>,
    total: i64,
}

impl keyset::PageRow for ListedDepartment {
    type Item = DepartmentDto;

    fn total(&self) -> i64 {
        self.total
    }

    fn position(&self) -> After {
        after_row(&self.key_text, self.key_int, self.department.id)
    }

    fn into_item(self) -> Self::Item {
        self.department
    }
}

/// Whether `f`'s page is served from its matches collected first (a search trigrams can look
/// up) rather than by walking the sort's index.
fn collects(f: &DepartmentFilter<'_>) -> bool {
    f.search.is_some_and(keyset::trigram_searchable)
}

/// The page statement's parts for `f`: the filters' parameters, then the cursor's key and id.
fn page_query<'a>(f: &DepartmentFilter<'_>, columns: &'a str, filters: &'a [String], next: usize) -> PageQuery<'a> {
    PageQuery {
        columns,
        from: "{t}.departments d",
        id: "d.id",
        sort: f.sort.column(),
        key: f.sort.stored(),
        filters,
        after: f.after.map(|_| (format!("${next}"), format!("${}", next + 1))),
        descending: f.descending,
        limit: f.limit,
        offset: f.offset,
    }
}

/// The page statement: the index walk, or the page sorted from the collected matches.
fn page_sql(f: &DepartmentFilter<'_>, walk: bool) -> String {
    let columns = format!("{COLUMNS}, {}", f.sort.key_columns());
    let (filters, next) = filter_conditions(f, 1);
    let page = page_query(f, &columns, &filters, next);
    if walk {
        page.walk_sql()
    } else {
        page.matched_sql()
    }
}

/// Binds the filters that are set, in the order [`filter_conditions`] numbered them.
fn bind_filters<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    f: &DepartmentFilter<'_>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    if let Some(search) = f.search {
        query = query.bind(like_pattern(search));
    }
    if let Some(active) = f.active {
        query = query.bind(active);
    }
    query
}

/// Binds the page statement's parameters.
fn bind_page<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    f: &DepartmentFilter<'_>,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let query = bind_filters(query, f);
    let Some(after) = f.after else { return query };
    let query = match &after.key {
        KeyValue::Int(micros) => query.bind(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(*micros) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        ),
        KeyValue::Text(text) => query.bind(text.clone()),
    };
    query.bind(after.id)
}

/// One page in the sort's order (after `f.after`, or past `f.offset` rows) and the number
/// matching, capped: one statement, or two for a search with more than a capful of matches.
pub async fn list(db: &TenantDb, f: &DepartmentFilter<'_>) -> Result<Listed<DepartmentDto>, sqlx::Error> {
    let fetch = |walk: bool| async move {
        let sql = db.sql(&page_sql(f, walk));
        bind_page(sqlx::query_as::<_, ListedDepartment>(&sql), f).fetch_all(db.executor()).await
    };
    keyset::serve(collects(f), f.limit, fetch, || count_matching(db, f)).await
}

/// The (capped) total for a page past the end, where no row carries it.
async fn count_matching(db: &TenantDb, f: &DepartmentFilter<'_>) -> Result<i64, sqlx::Error> {
    let (filters, next) = filter_conditions(f, 1);
    let sql = db.sql(&page_query(f, "", &filters, next).count_sql());
    let (count,): (i64,) = bind_filters(sqlx::query_as(&sql), f).fetch_one(db.executor()).await?;
    Ok(count)
}

/// The plan PostgreSQL chooses for the statement that serves `f`'s page first (`EXPLAIN (FORMAT
/// JSON)`).
pub async fn explain_list(db: &TenantDb, f: &DepartmentFilter<'_>) -> Result<serde_json::Value, sqlx::Error> {
    let sql = db.sql(&format!("EXPLAIN (FORMAT JSON) {}", page_sql(f, !collects(f))));
    let (plan,): (serde_json::Value,) = bind_page(sqlx::query_as(&sql), f).fetch_one(db.executor()).await?;
    Ok(plan)
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

/// Deletes the department; answers it as it was (None when there was none).
pub async fn delete(tx: &mut TenantTx, id: Uuid) -> Result<Option<DepartmentDto>, sqlx::Error> {
    let Some(department) = find_in(tx, id).await? else { return Ok(None) };
    let sql = tx.sql("DELETE FROM {t}.departments WHERE id = $1");
    let deleted = sqlx::query(&sql).bind(id).execute(tx.conn()).await?.rows_affected() > 0;
    Ok(deleted.then_some(department))
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

/// The departments `user_id` belongs to (id, name), by name.
pub async fn of_user(db: &TenantDb, user_id: Uuid) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let sql = db.sql(
        "SELECT d.id, d.name FROM {t}.department_members m JOIN {t}.departments d ON d.id = m.department_id \
         WHERE m.user_id = $1 ORDER BY lower(d.name), d.id",
    );
    sqlx::query_as(&sql).bind(user_id).fetch_all(db.executor()).await
}

/// `false` when the user already was a member.
/// True when the user was not a member before.
pub async fn add_member(tx: &mut TenantTx, department_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let sql =
        tx.sql("INSERT INTO {t}.department_members (department_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    Ok(sqlx::query(&sql).bind(department_id).bind(user_id).execute(tx.conn()).await?.rows_affected() > 0)
}

pub async fn remove_member(tx: &mut TenantTx, department_id: Uuid, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = tx.sql("DELETE FROM {t}.department_members WHERE department_id = $1 AND user_id = $2");
    Ok(sqlx::query(&sql).bind(department_id).bind(user_id).execute(tx.conn()).await?.rows_affected() > 0)
}
