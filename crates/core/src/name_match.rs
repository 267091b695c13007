//! Matching the names on an official list (高新技术企业名单, 专精特新名单 …) to the registry when
//! the list gives no usable 统一社会信用代码: an exact name (spaces and full-width brackets
//! aside) is a match; otherwise the closest registry names are proposed for a person to
//! confirm, never taken by themselves.
//!
//! Closeness is the Dice coefficient of the names' character pairs after the words every firm
//! carries (有限公司, 象山县, 宁波 …) are dropped. It is bounded: a character pair shared by more
//! than [`COMMON_PAIR`] registry names says nothing about which firm is meant and is not
//! followed, so one lookup touches at most a few thousand names however large the registry.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// A pair shared by more names than this is not followed (see the module note).
pub const COMMON_PAIR: usize = 2000;

/// Words that tell firms apart from nothing: legal forms and place names, longest first.
const NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团",
    "公司",
    "浙江省",
    "浙江",
    "宁波市",
    "宁波",
    "象山县",
    "象山",
];

/// A name as compared for an exact match: no spaces, brackets half-width.
pub fn exact_key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// A name as compared for closeness: the exact key without brackets and noise words.
pub fn core_of(name: &str) -> String {
    // One pass for the exact key and the brackets (of either width) and marks together, and a
    // word replaced only where it occurs: the registry's every name goes through here when a
    // list is matched, and a `replace` always copies.
    let mut s: String = name
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '（' | '）' | '(' | ')' | '·' | '.' | '-' | '、')
        })
        .collect();
    for w in NOISE {
        if s.contains(w) {
            s = s.replace(w, "");
        }
    }
    s
}

fn pairs(core: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = core.chars().collect();
    let mut out: Vec<(char, char)> = match chars.len() {
        0 => Vec::new(),
        1 => vec![(chars[0], ' ')],
        _ => chars.windows(2).map(|w| (w[0], w[1])).collect(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// A close registry name: the caller's key and the score in percent (100 = the same core).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close {
    pub key: usize,
    pub score: u8,
}

/// The registry's names, indexed once for many lookups.
pub struct NameIndex {
    /// Each exact key's first name; keys that several names share also in `shared`, with
    /// every one of them (most keys are one name's: no list of one for each).
    exact: HashMap<String, usize>,
    shared: HashMap<String, Vec<usize>>,
    grams: HashMap<(char, char), Vec<u32>>,
    sizes: Vec<u16>,
}

impl NameIndex {
    /// Indexes `names`; a lookup answers positions in this slice.
    pub fn new<S: AsRef<str>>(names: &[S]) -> NameIndex {
        let mut index = NameIndex::with_capacity(names.len());
        for n in names {
            index.push(n.as_ref());
        }
        index
    }

    /// An empty index with room for `names` names.
    pub fn with_capacity(names: usize) -> NameIndex {
        NameIndex {
            exact: HashMap::with_capacity(names),
            shared: HashMap::new(),
            grams: HashMap::new(),
            sizes: Vec::with_capacity(names),
        }
    }

    /// Indexes the next name, at the position of the number of names before it (so that the
    /// registry is indexed while it is still being read).
    pub fn push(&mut self, name: &str) {
        let i = self.sizes.len();
        match self.exact.entry(exact_key(name)) {
            Entry::Vacant(v) => {
                v.insert(i);
            }
            Entry::Occupied(o) => {
                let first = *o.get();
                self.shared
                    .entry(o.key().clone())
                    .or_insert_with(|| vec![first])
                    .push(i);
            }
        }
        let p = pairs(&core_of(name));
        self.sizes.push(u16::try_from(p.len()).unwrap_or(u16::MAX));
        for g in p {
            self.grams.entry(g).or_default().push(i as u32);
        }
    }

    /// Every registry name equal to `name` (spaces and bracket widths aside).
    pub fn exact(&self, name: &str) -> &[usize] {
        let key = exact_key(name);
        match self.shared.get(&key) {
            Some(all) => all,
            None => self.exact.get(&key).map_or(&[], std::slice::from_ref),
        }
    }

    /// Up to `limit` registry names at least `min_score` percent close to `name`, closest first.
    pub fn close(&self, name: &str, min_score: u8, limit: usize) -> Vec<Close> {
        let mine = pairs(&core_of(name));
        if mine.is_empty() {
            return Vec::new();
        }
        let mut shared: HashMap<u32, u16> = HashMap::new();
        for g in &mine {
            if let Some(list) = self.grams.get(g).filter(|l| l.len() <= COMMON_PAIR) {
                for &i in list {
                    *shared.entry(i).or_default() += 1;
                }
            }
        }
        let mut out: Vec<Close> = shared
            .into_iter()
            .filter_map(|(i, n)| {
                let total = mine.len() + usize::from(self.sizes[i as usize]);
                let score = (200 * usize::from(n) / total.max(1)).min(100) as u8;
                (score >= min_score).then_some(Close {
                    key: i as usize,
                    score,
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then(a.key.cmp(&b.key)));
        out.truncate(limit);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_ignore_spaces_and_bracket_widths() {
        let idx = NameIndex::new(&["宁波申菱电梯配件有限公司", "象山合力（宁波）有限公司"]);
        assert_eq!(idx.exact("宁波申菱电梯配件 有限公司"), &[0]);
        assert_eq!(idx.exact("象山合力(宁波)有限公司"), &[1]);
        assert!(idx.exact("申菱电梯").is_empty());
    }

    #[test]
    fn close_names_are_proposed_closest_first_and_noise_words_do_not_count() {
        let idx = NameIndex::new(&[
            "宁波申菱电梯配件有限公司",
            "象山申菱机械有限公司",
            "宁波乐惠国际工程装备股份有限公司",
            "象山县某某有限公司",
        ]);
        let found = idx.close("申菱电梯配件股份有限公司", 50, 5);
        assert_eq!(found[0].key, 0);
        assert_eq!(found[0].score, 100);
        assert!(found.iter().all(|c| c.key != 3), "{found:?}");
        assert!(idx.close("乐惠国际工程装备", 50, 5)[0].key == 2);
        // Only the legal form and the place in common: nothing proposed.
        assert!(idx.close("宁波市有限公司", 50, 5).is_empty());
        assert!(idx.close("完全不同的名字", 50, 5).is_empty());
    }

    #[test]
    fn a_name_several_firms_carry_answers_every_one_in_order() {
        let idx = NameIndex::new(&["甲有限公司", "乙有限公司", "甲 有限公司", "甲有限公司"]);
        assert_eq!(idx.exact("甲有限公司"), &[0, 2, 3]);
        assert_eq!(idx.exact("乙有限公司"), &[1]);
    }

    #[test]
    fn a_pair_every_firm_shares_is_not_followed() {
        let names: Vec<String> = (0..COMMON_PAIR + 1)
            .map(|i| format!("科技{i}有限公司"))
            .collect();
        let idx = NameIndex::new(&names);
        assert!(idx.close("科技", 10, 5).is_empty());
    }
}
