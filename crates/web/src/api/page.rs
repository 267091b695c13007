//! One pagination style for every list: `limit` (default 50, at most 500) and an opaque
//! `cursor`, the base64 of the last row's key, answered as `next_cursor` while rows remain.
//!
//! A page continues after the last key it handed out, never at a row count, so a row
//! inserted (or removed) between two requests neither repeats a row nor skips one.

use super::problem::ApiError;
use crate::form::FieldErrors;
use crate::i18n::{self, Lang};
use base64::Engine as _;
use serde::{Serialize, de::DeserializeOwned};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// A page of a list: its rows and, while more remain, the cursor of the next page.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Send as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The `limit` and `cursor` of a request, read.
#[derive(Debug, Clone)]
pub struct Paging<K> {
    pub limit: usize,
    /// The key of the last row already handed out.
    pub after: Option<K>,
}

impl<K: Serialize + DeserializeOwned> Paging<K> {
    /// Reads `limit` and `cursor` as sent; a limit out of range or a cursor this API did not
    /// make is refused (422 naming the parameter).
    pub fn read(limit: Option<&str>, cursor: Option<&str>, lang: Lang) -> Result<Self, ApiError> {
        let mut errs = FieldErrors::new(lang);
        let limit = match limit.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errs.add("limit", i18n::t(lang, "api.err.limit"));
                    DEFAULT_LIMIT
                }
            },
        };
        let after = match cursor.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(c) => match decode(c) {
                Some(k) => Some(k),
                None => {
                    errs.add("cursor", i18n::t(lang, "api.err.cursor"));
                    None
                }
            },
        };
        if !errs.is_empty() {
            return Err(ApiError::invalid(&errs));
        }
        Ok(Paging { limit, after })
    }

    /// The cursor that continues after `key`.
    pub fn cursor(key: &K) -> String {
        encode(key)
    }
}

fn encode<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode<K: DeserializeOwned>(cursor: &str) -> Option<K> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl<K: Serialize + DeserializeOwned + Ord + Clone> Paging<K> {
    /// A page of `rows` (the whole list, as the page module reads it) in ascending `key`
    /// order: the rows after the cursor's key, `limit` of them.
    pub fn page<T>(&self, rows: Vec<T>, key: impl Fn(&T) -> K) -> Page<T> {
        let mut keyed: Vec<(K, T)> = rows
            .into_iter()
            .map(|r| (key(&r), r))
            .filter(|(k, _)| self.after.as_ref().is_none_or(|a| k > a))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let more = keyed.len() > self.limit;
        keyed.truncate(self.limit);
        let next_cursor = if more {
            keyed.last().map(|(k, _)| Self::cursor(k))
        } else {
            None
        };
        Page {
            items: keyed.into_iter().map(|(_, r)| r).collect(),
            next_cursor,
        }
    }
}

/// A page of rows a store read in key order past the cursor (ascending after it, or
/// descending below it), `limit + 1` of them (the extra row only says that more remain).
pub fn keyset<T, K: Serialize>(mut rows: Vec<T>, limit: usize, key: impl Fn(&T) -> K) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|r| encode(&key(r)))
    } else {
        None
    };
    Page {
        items: rows,
        next_cursor,
    }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_sees_every_row_once_while_rows_are_added() {
        let mut rows: Vec<i64> = (1..=7).collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let p = Paging::<i64>::read(Some("3"), cursor.as_deref(), Lang::Zh).unwrap();
            let page = p.page(rows.clone(), |r| *r);
            seen.extend(page.items);
            rows.push(rows.len() as i64 + 1);
            match page.next_cursor {
                Some(c) if rows.len() < 12 => cursor = Some(c),
                _ => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.dedup();
        assert_eq!(seen, sorted, "no row twice");
        assert_eq!(seen, (1..=seen.len() as i64).collect::<Vec<_>>(), "no gap");
    }

    #[test]
    fn a_limit_out_of_range_or_a_made_up_cursor_is_refused() {
        assert!(Paging::<i64>::read(Some("0"), None, Lang::Zh).is_err());
        assert!(Paging::<i64>::read(Some("501"), None, Lang::Zh).is_err());
        assert!(Paging::<i64>::read(None, Some("!!"), Lang::Zh).is_err());
        assert_eq!(
            Paging::<i64>::read(None, None, Lang::Zh).unwrap().limit,
            DEFAULT_LIMIT
        );
    }
}
