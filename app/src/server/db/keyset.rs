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

/// One list page as a repository answers it.
pub struct Listed<T> {
    pub rows: Vec<T>,
    /// Matching rows, exact up to [`COUNT_CAP`].
    pub total: i64,
    pub capped: bool,
    /// Where the next page starts, when there is one.
    pub next: Option<After>,
}
