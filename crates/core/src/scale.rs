//! 规模: whether an enterprise is 规上 (above designated size) or 规下, the split every
//! 亩均 evaluation, registry filter and threshold is made by.

use crate::label::{Labelled, Lang};

/// 规模: whether an enterprise is 规上 (above designated size) or 规下.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Scale {
    /// 规上工业企业
    Above = 0,
    /// 规下工业企业
    Below = 1,
}

impl Scale {
    /// Both scales in output order (规上 first).
    pub const ALL: [Scale; 2] = [Scale::Above, Scale::Below];

    /// The contract spelling: `above` / `below`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Above => "above",
            Scale::Below => "below",
        }
    }

    /// Parses `above`/`below` (any case), 规上/规下, or their long forms as registers write
    /// them (规模以上, 规上企业; 规模以下, 规下企业).
    pub fn parse(s: &str) -> Option<Scale> {
        if s.eq_ignore_ascii_case("above") || matches!(s, "规上" | "规模以上" | "规上企业")
        {
            Some(Scale::Above)
        } else if s.eq_ignore_ascii_case("below") || matches!(s, "规下" | "规模以下" | "规下企业")
        {
            Some(Scale::Below)
        } else {
            None
        }
    }
}

impl Labelled for Scale {
    fn label(&self, lang: Lang) -> &'static str {
        match self {
            Scale::Above => lang.pick("规上", "Above designated size"),
            Scale::Below => lang.pick("规下", "Below designated size"),
        }
    }
}

/// Sent (JSON, templates) as its code: `above` / `below`.
impl serde::Serialize for Scale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Decoding a stored `scale` column: only the codes `above`/`below`; anything else is an
/// error naming it, never a default.
impl TryFrom<String> for Scale {
    type Error = crate::state::UnknownState;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Scale::ALL
            .into_iter()
            .find(|s| s.as_str() == code)
            .ok_or(crate::state::UnknownState {
                what_zh: "规模",
                what_en: "scale",
                code,
            })
    }
}

/// An evaluation group's label as stored with a result (`below`, `above / 3856 / 石浦镇`, or
/// `全部` for a single group) in the reader's language: its scale by name (规下), the rest
/// as it is.
pub fn group_label(stored: &str, lang: Lang) -> String {
    if stored == "全部" {
        return lang.pick("全部", "All").to_string();
    }
    stored
        .split(" / ")
        .map(|part| Scale::parse(part).map_or(part, |s| s.label(lang)))
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_scale_decodes_only_from_its_code() {
        assert_eq!(Scale::try_from("above".to_string()), Ok(Scale::Above));
        assert_eq!(Scale::try_from("below".to_string()), Ok(Scale::Below));
        for bad in ["", "Above", "规上", "large"] {
            assert!(Scale::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_stored_group_label_reads_in_the_readers_language() {
        use super::group_label;
        assert_eq!(group_label("below", Lang::Zh), "规下");
        assert_eq!(
            group_label("above / 3856 / 石浦镇", Lang::Zh),
            "规上 / 3856 / 石浦镇"
        );
        assert_eq!(group_label("above", Lang::En), "Above designated size");
        assert_eq!(group_label("全部", Lang::En), "All");
    }
}
