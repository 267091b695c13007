//! The unit directory (单位名录) the parser resolves responsible-unit names against.
//!
//! It is built by the caller from whatever registry it has (the CLI from `qx_core`'s seed
//! registry, the web importer from the database), so this crate knows no particular county.

use crate::text::fold_key;
use std::collections::HashMap;

/// Canonical unit names and the other names (aliases, full names) that mean the same unit.
#[derive(Debug, Clone, Default)]
pub struct UnitDirectory {
    /// folded name or alias → canonical name
    by_key: HashMap<String, String>,
    len: usize,
}

impl UnitDirectory {
    /// An empty directory: every unit name is then reported as unknown but still output.
    pub fn new() -> Self {
        Self::default()
    }

    /// Build from `(canonical name, aliases)` pairs; put full names among the aliases.
    ///
    /// ```
    /// let dir = qx_plan::UnitDirectory::from_entries([
    ///     ("县经信局", vec!["象山县经济和信息化局", "县经济和信息化局"]),
    ///     ("县财政局", vec![]),
    /// ]);
    /// assert_eq!(dir.resolve("县经济和信息化局"), Some("县经信局"));
    /// ```
    pub fn from_entries<I, N, A>(entries: I) -> Self
    where
        I: IntoIterator<Item = (N, A)>,
        N: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        let mut dir = Self::new();
        for (name, aliases) in entries {
            dir.add(name, aliases);
        }
        dir
    }

    /// Add one unit. The first registration of a name or alias wins.
    pub fn add<N, A>(&mut self, name: N, aliases: A)
    where
        N: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        let name: String = name.into();
        let key = fold_key(&name);
        if key.is_empty() {
            return;
        }
        self.len += 1;
        self.index(key, &name);
        for alias in aliases {
            let alias: String = alias.into();
            let key = fold_key(&alias);
            if !key.is_empty() {
                self.index(key, &name);
            }
        }
    }

    fn index(&mut self, key: String, name: &str) {
        if all_towns(&key) {
            self.by_key
                .entry(ALL_TOWNS.to_owned())
                .or_insert_with(|| name.to_owned());
        }
        self.by_key.entry(key).or_insert_with(|| name.to_owned());
    }

    /// Number of units (not counting aliases).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The canonical name for a name or alias as written in a document. Full-width and
    /// half-width brackets and spaces do not matter. A name missing only its level prefix
    /// (`经信局` for `县经信局`) resolves when exactly one such unit exists.
    pub fn resolve(&self, written: &str) -> Option<&str> {
        let key = fold_key(written);
        if key.is_empty() {
            return None;
        }
        if let Some(name) = self.by_key.get(&key) {
            return Some(name.as_str());
        }
        if all_towns(&key) {
            return self.by_key.get(ALL_TOWNS).map(String::as_str);
        }
        let mut found: Option<&str> = None;
        for prefix in ["县", "市", "区"] {
            if let Some(name) = self.by_key.get(&format!("{prefix}{key}")) {
                if found.is_some_and(|f| f != name) {
                    return None;
                }
                found = Some(name.as_str());
            }
        }
        found
    }
}

/// The key under which the registry's collective name for every town is also found.
const ALL_TOWNS: &str = "\u{0}各乡镇街道";

/// Plans name "every town" in many spellings (各镇乡街道, 各乡镇（街道）, 各镇（街道）, 各乡镇, 各镇街):
/// 各 followed only by 乡, 镇, 街, 道, brackets and 、, with a 乡 or 镇 among them.
fn all_towns(key: &str) -> bool {
    let Some(rest) = key.strip_prefix('各') else {
        return false;
    };
    !rest.is_empty()
        && rest.contains(['乡', '镇'])
        && rest.chars().all(|c| {
            matches!(
                c,
                '乡' | '镇' | '街' | '道' | '(' | ')' | '（' | '）' | '、'
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_all_towns_is_the_registrys_one() {
        let dir = UnitDirectory::from_entries([
            ("县经信局", vec![]),
            ("各镇乡街道", vec!["各镇乡(街道)"]),
        ]);
        for written in [
            "各乡镇街道",
            "各镇（街道）",
            "各乡镇（街道）",
            "各乡镇",
            "各镇街",
            "各镇、乡、街道",
        ] {
            assert_eq!(dir.resolve(written), Some("各镇乡街道"), "{written}");
        }
        for other in ["各街道", "各部门", "各镇乡街道办", "各"] {
            assert_eq!(dir.resolve(other), None, "{other}");
        }
        // A registry without a collective name resolves none of them.
        let bare = UnitDirectory::from_entries([("县经信局", Vec::<String>::new())]);
        assert_eq!(bare.resolve("各乡镇街道"), None);
    }
}
