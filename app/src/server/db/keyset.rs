//! Keyset paging shared by the list repositories: a page continues after the sort key and id of
//! the previous page's last row, so reading deep into a list costs what its first page costs.

/// A sort key as a page's last row had it: text (`lower(name)`) or a number (a role's rank, a
/// time in microseconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Text(String),
}

/// Where a page starts: strictly after this (key, id) in the list's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub key: KeyValue,
    pub id: uuid::Uuid,
}

/// Totals are exact up to this many rows; past it a list says "more than" (`total_count_capped`)
/// instead of counting every row of a large tenant on every page. Measured at 100,000 users
/// (docs/PERFORMANCE.md): counting to 10,001 cost more than the page itself and pushed the p99 at
/// 64 connections past 50 ms; counting to 1,001 costs about what the page costs.
pub const COUNT_CAP: i64 = 1_000;

/// `count(*)` of `from_where` (e.g. `{t}.users WHERE ...`), stopping at [`COUNT_CAP`] + 1.
pub fn capped_count(from_where: &str) -> String {
    format!("(SELECT count(*) FROM (SELECT 1 FROM {from_where} LIMIT {}) capped)", COUNT_CAP + 1)
}

/// Whether a search term can be looked up through a trigram index: pg_trgm finds no trigram in
/// a pattern of fewer than three characters and would read the whole index.
pub fn trigram_searchable(term: &str) -> bool {
    term.chars().filter(|c| !c.is_whitespace()).count() >= 3
}

/// The parts of one list's page statement, schema as `{t}`. LIMIT (one row more than the page,
/// to tell whether another follows) and OFFSET are written into the text: as parameters a generic
/// plan must assume a large LIMIT, so PostgreSQL planned every execution anew, which cost more
/// than running the page.
pub struct PageQuery<'a> {
    /// The select list of a row with its sort key (`key_text`, `key_int`).
    pub columns: &'a str,
    /// The table as the statement names it: `{t}.users`, `{t}.departments d`.
    pub from: &'a str,
    /// The id column as the statement names it.
    pub id: &'a str,
    /// The ORDER BY expression; the table has an index on (expression, id).
    pub sort: &'a str,
    /// The same key as the row stores it (a generated column where `sort` computes it: the
    /// collected matches of a search read it instead of computing it for each match).
    pub key: &'a str,
    /// The filters' conditions (their parameters come first).
    pub filters: &'a [String],
    /// The cursor's key and id placeholders, when the page continues after a cursor.
    pub after: Option<(String, String)>,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

impl PageQuery<'_> {
    fn direction(&self) -> (&'static str, &'static str) {
        if self.descending {
            ("DESC", "<")
        } else {
            ("ASC", ">")
        }
    }

    /// The page read in the sort's index order, filters applied on the way, and the capped total,
    /// in one statement. A page deep in the list by number first finds its first row with an
    /// index-only scan of the sort's covering index (tenant migration 0007) and reads one page
    /// from there: 5,000 deep, about a third of what skipping 5,000 rows costs (docs/PERFORMANCE.md).
    pub fn walk_sql(&self) -> String {
        let Self { columns, from, id, sort, .. } = *self;
        let (dir, op) = self.direction();
        let filtered = where_clause(self.filters);
        let mut conditions = self.filters.to_vec();
        if let Some((key, after_id)) = &self.after {
            conditions.push(format!("({sort}, {id}) {op} ({key}, {after_id})"));
        } else if self.offset > 0 {
            conditions.push(format!(
                "({sort}, {id}) {op}= (SELECT {sort}, {id} FROM {from} {filtered} ORDER BY {sort} {dir}, {id} {dir} \
                 OFFSET {} LIMIT 1)",
                self.offset
            ));
        }
        format!(
            "SELECT {columns}, {} AS total FROM {from} {} ORDER BY {sort} {dir}, {id} {dir} LIMIT {}",
            capped_count(&format!("{from} {filtered}")),
            where_clause(&conditions),
            self.limit + 1
        )
    }

    /// The page of a selective search: the matching rows are found once through the trigram
    /// indexes (up to [`COUNT_CAP`] + 1 of them), counted, and the page sorted from them. The
    /// walk would read the sort's index until a page of matches turned up, then count them
    /// again; and with the pattern a parameter PostgreSQL plans the walk anew on every
    /// execution, while this statement keeps one generic plan. Answers `total` over the cap
    /// when there were more matches: then the walk serves the page ([`Self::walk_sql`]).
    pub fn matched_sql(&self) -> String {
        let Self { columns, from, id, sort, key, .. } = *self;
        let (dir, op) = self.direction();
        let continues = match &self.after {
            Some((after_key, after_id)) => format!("WHERE (k, id) {op} ({after_key}, {after_id})"),
            None => String::new(),
        };
        format!(
            "WITH matched AS MATERIALIZED (SELECT {id} AS id, {key} AS k FROM {from} {} LIMIT {}) \
             SELECT {columns}, (SELECT count(*) FROM matched) AS total FROM {from} \
             WHERE {id} IN (SELECT id FROM matched {continues} ORDER BY k {dir}, id {dir} LIMIT {} OFFSET {}) \
             ORDER BY {sort} {dir}, {id} {dir}",
            where_clause(self.filters),
            COUNT_CAP + 1,
            self.limit + 1,
            if self.after.is_some() { 0 } else { self.offset }
        )
    }

    /// The capped count alone, for a page past the end where no row carries it.
    pub fn count_sql(&self) -> String {
        format!("SELECT {}", capped_count(&format!("{} {}", self.from, where_clause(self.filters))))
    }
}

/// The total to show and whether it was capped.
pub fn total(counted: i64) -> (i64, bool) {
    if counted > COUNT_CAP {
        (COUNT_CAP, true)
    } else {
        (counted, false)
    }
}

/// `WHERE` and the conditions joined by `AND`; nothing when there are none (an unfiltered page
/// stays the plain statement, one plan for the planner).
pub fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

/// The position after a row, from the key columns a page selects (`key_text` for text sorts,
/// `key_int` for numeric ones).
pub fn after_row(key_text: &Option<String>, key_int: Option<i64>, id: uuid::Uuid) -> After {
    let key = match key_text {
        Some(text) => KeyValue::Text(text.clone()),
        None => KeyValue::Int(key_int.unwrap_or_default()),
    };
    After { key, id }
}

/// A row of a list page as its statement answers it: the row, where it stands in the list and
/// the (capped) count the statement made once.
pub trait PageRow {
    type Item;
    fn total(&self) -> i64;
    fn position(&self) -> After;
    fn into_item(self) -> Self::Item;
}

/// Serves one page of a list: `fetch(walk)` runs the index walk ([`PageQuery::walk_sql`]) or the
/// collected-matches statement ([`PageQuery::matched_sql`]) when `collects`; `count` runs
/// [`PageQuery::count_sql`] when no row carries the total. One statement, or two for a search with
/// more than a capful of matches (the collected matches say so, then the walk serves the page).
pub async fn serve<R, Fetch, Rows, Count, Counted>(
    collects: bool,
    limit: i64,
    fetch: Fetch,
    count: Count,
) -> Result<Listed<R::Item>, sqlx::Error>
where
    R: PageRow,
    Fetch: Fn(bool) -> Rows,
    Rows: std::future::Future<Output = Result<Vec<R>, sqlx::Error>>,
    Count: Fn() -> Counted,
    Counted: std::future::Future<Output = Result<i64, sqlx::Error>>,
{
    let mut rows = fetch(!collects).await?;
    let mut counted = rows.first().map(R::total);
    if collects {
        // Past the collected matches the page is empty whether or not more matched: the count says.
        let matched = match counted {
            Some(matched) => matched,
            None => count().await?,
        };
        if matched > COUNT_CAP {
            rows = fetch(true).await?;
        }
        counted = Some(matched);
    }
    let counted = match counted {
        Some(counted) => counted,
        None => count().await?,
    };
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows.last().filter(|_| more).map(R::position);
    let (total, capped) = total(counted);
    Ok(Listed { rows: rows.into_iter().map(R::into_item).collect(), total, capped, next })
}

/// One list page as a repository answers it.
pub struct Listed<T> {
    pub rows: Vec<T>,
    /// Matching rows, exact up to [`COUNT_CAP`].
    pub total: i64,
    pub capped: bool,
    /// Where the next page starts, when there is one.
    pub next: Option<After>,
}
