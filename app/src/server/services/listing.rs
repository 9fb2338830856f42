//! Query-string parameters of list endpoints, validated into a field map instead of a 400.
use std::collections::HashMap;

use crate::{
    error::{AppError, FieldErrors},
    model::PageMeta,
};

pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

pub struct Query<'a> {
    params: &'a HashMap<String, String>,
    pub errors: FieldErrors,
    /// `page` (from 1), `page_size` and `sort_order`, read at construction.
    pub paging: Paging,
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub size: i64,
    pub descending: bool,
}

impl Paging {
    /// Rows to skip before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.size
    }

    pub fn meta(&self, total: i64) -> PageMeta {
        PageMeta::new(self.page, self.size, total)
    }
}

impl<'a> Query<'a> {
    /// Reads the paging parameters at once; the others are read by the caller, then `finish`.
    pub fn new(params: &'a HashMap<String, String>) -> Self {
        let mut q =
            Query { params, errors: FieldErrors::new(), paging: Paging { page: 1, size: 1, descending: false } };
        let page = q.int("page", 1, 1, 1_000_000);
        let size = q.int("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        let descending = q.one_of("sort_order", &[("asc", false), ("desc", true)], false);
        q.paging = Paging { page, size, descending };
        q
    }

    fn raw(&self, key: &str) -> Option<&'a str> {
        self.params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
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

    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.raw(key)
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
