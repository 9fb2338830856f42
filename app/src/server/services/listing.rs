//! Query-string parameters of list endpoints, validated into a field map instead of a 400, and
//! the two ways through a list: `page` numbers (the web UI) and keyset `cursor`s (API clients,
//! as fast deep in a list as on its first page).
use std::collections::HashMap;

use uuid::Uuid;

use crate::{
    error::{AppError, FieldErrors},
    model::PageMeta,
    server::{
        cursor::{CursorKeys, Position},
        db::keyset::{After, Listed},
    },
};

pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

pub struct Query<'a> {
    params: &'a HashMap<String, String>,
    pub errors: FieldErrors,
    /// `page` (from 1), `page_size` and `sort_order`, read at construction.
    pub paging: Paging,
}

#[derive(Debug, Clone)]
pub struct Paging {
    pub page: i64,
    pub size: i64,
    pub descending: bool,
    /// Set when the request continues after a cursor (then `page` does not apply).
    pub after: Option<After>,
    /// The list and the `sort_by` name in force, which the next page's cursor carries.
    list: &'static str,
    sort: &'static str,
}

impl Paging {
    /// Rows to skip before this page (none after a cursor: the position is the start).
    pub fn offset(&self) -> i64 {
        if self.after.is_some() {
            0
        } else {
            (self.page - 1) * self.size
        }
    }

    /// The answer's `meta`, with the cursor of the next page (bound to this tenant and list).
    pub fn meta<T>(&self, listed: &Listed<T>, keys: &CursorKeys, tenant: Uuid) -> PageMeta {
        let (list, sort_name) = (self.list, self.sort);
        let (total, capped) = (listed.total, listed.capped);
        let mut meta = PageMeta::new(self.after.is_none().then_some(self.page), self.size, total);
        meta.total_count_capped = capped;
        meta.next_cursor = listed.next.clone().map(|after| {
            keys.encode(tenant, list, &Position { sort: sort_name.to_string(), descending: self.descending, after })
        });
        meta
    }
}

impl<'a> Query<'a> {
    /// Reads the paging parameters at once; the others are read by the caller, then `finish`.
    pub fn new(params: &'a HashMap<String, String>) -> Self {
        let mut q = Query {
            params,
            errors: FieldErrors::new(),
            paging: Paging { page: 1, size: 1, descending: false, after: None, list: "", sort: "" },
        };
        let page = q.int("page", 1, 1, 1_000_000);
        let size = q.int("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        let descending = q.one_of("sort_order", &[("asc", false), ("desc", true)], false);
        q.paging = Paging { page, size, descending, after: None, list: "", sort: "" };
        q
    }

    /// Reads `sort_by` (one of `sorts`, `default` when absent) and `cursor` of `list`. A cursor's
    /// position continues the list with the cursor's sort and direction (`sort_by`/`sort_order`
    /// may repeat them, not change them; `page` does not combine with it). A cursor that is not
    /// one this app made for this tenant's `list` is a 422, never a position. Answers the sort.
    pub fn sort<T: Copy + PartialEq>(
        &mut self,
        keys: &CursorKeys,
        tenant: Uuid,
        list: &'static str,
        sorts: &[(&'static str, T)],
        default: T,
    ) -> T {
        let sort = self.one_of("sort_by", sorts, default);
        let name_of = |sort: T| sorts.iter().find(|(_, s)| *s == sort).map_or("", |(name, _)| *name);
        self.paging.list = list;
        self.paging.sort = name_of(sort);
        let Some(raw) = self.raw("cursor") else { return sort };
        let found = keys.decode(tenant, list, raw).and_then(|p| {
            let chosen = sorts.iter().find(|(name, _)| *name == p.sort).map(|(_, s)| *s)?;
            Some((p, chosen))
        });
        let Some((position, chosen)) = found else {
            self.fail("cursor", "is invalid");
            return sort;
        };
        let contradicts = (self.raw("sort_by").is_some() && chosen != sort)
            || (self.raw("sort_order").is_some() && position.descending != self.paging.descending);
        if contradicts {
            self.fail("cursor", "does not match sort_by and sort_order");
        }
        if self.raw("page").is_some() {
            self.fail("page", "cannot be combined with cursor");
        }
        self.paging.descending = position.descending;
        self.paging.after = Some(position.after);
        self.paging.sort = name_of(chosen);
        chosen
    }

    /// A parameter as given, trimmed: present but empty is `Some("")`, which no typed parameter
    /// accepts (the API's contract; the web pages leave out the empty fields of their filter
    /// forms before calling, see `server_fns::listing_params`).
    fn raw(&self, key: &str) -> Option<&'a str> {
        self.params.get(key).map(|v| v.trim())
    }

    fn fail(&mut self, key: &str, message: &str) {
        self.errors.entry(key.to_string()).or_default().push(message.to_string());
    }

    pub fn int(&mut self, key: &str, default: i64, min: i64, max: i64) -> i64 {
        match self.raw(key).map(str::parse::<i64>) {
            None => default,
            Some(Ok(n)) if (min..=max).contains(&n) => n,
            Some(Ok(n)) if n > max => {
                self.fail(key, &format!("must be at most {max}"));
                default
            }
            Some(Ok(_)) => {
                self.fail(key, &format!("must be at least {min}"));
                default
            }
            Some(Err(_)) => {
                self.fail(key, "must be an integer");
                default
            }
        }
    }

    pub fn one_of<T: Copy>(&mut self, key: &str, choices: &[(&str, T)], default: T) -> T {
        match self.raw(key) {
            None => default,
            Some(v) => match choices.iter().find(|(name, _)| *name == v) {
                Some((_, t)) => *t,
                None => {
                    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                    self.fail(key, &format!("must be one of: {}", names.join(", ")));
                    default
                }
            },
        }
    }

    pub fn optional<T: Copy>(&mut self, key: &str, choices: &[(&str, T)]) -> Option<T> {
        self.raw(key)?;
        let wrapped: Vec<(&str, Option<T>)> = choices.iter().map(|(n, t)| (*n, Some(*t))).collect();
        self.one_of(key, &wrapped, None)
    }

    /// Free text: empty is the same as absent; control characters are refused (a NUL byte could
    /// not even reach PostgreSQL).
    pub fn text(&mut self, key: &str) -> Option<&'a str> {
        let value = self.raw(key).filter(|v| !v.is_empty())?;
        if crate::server::domain::has_control(value) {
            self.fail(key, crate::server::domain::name::CONTROL);
            return None;
        }
        Some(value)
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        self.optional(key, &[("true", true), ("false", false)])
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation { fields: self.errors })
        }
    }
}
