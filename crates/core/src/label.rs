//! Names of domain values in the user's language: one trait instead of a `*_label` helper per enum.

/// The language a page is shown in: Chinese by default, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `en…` (as a cookie or an `Accept-Language` tag) is English; anything else Chinese.
    pub fn parse(s: &str) -> Lang {
        if s.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value for `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the text for this language from a pair.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `format!` of a sentence in the reader's language: both spellings side by side, over the
/// same facts (`say!(lang, "第{n}名", "No. {n}")`).
macro_rules! say {
    ($lang:expr, $zh:literal, $en:literal $(,)?) => {
        match $lang {
            $crate::label::Lang::Zh => format!($zh),
            $crate::label::Lang::En => format!($en),
        }
    };
}
pub(crate) use say;

/// Decoding a stored language (`users.lang`): only the codes [`Lang::code`] writes; anything
/// else is an error, never a default, since the column is written by this program alone.
impl TryFrom<String> for Lang {
    type Error = crate::state::UnknownState;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        [Lang::Zh, Lang::En]
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or(crate::state::UnknownState {
                what_zh: "界面语言",
                what_en: "language",
                code,
            })
    }
}

/// Serialised as its code (`zh`, `en`), as stored.
impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A value with a name a person reads (角色 "办公室" / "Office").
pub trait Labelled {
    fn label(&self, lang: Lang) -> &'static str;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use crate::units::UnitKind;

    #[test]
    fn languages_parse_from_cookies_and_tags() {
        assert_eq!(Lang::parse("en"), Lang::En);
        assert_eq!(Lang::parse("en-GB"), Lang::En);
        assert_eq!(Lang::parse("zh"), Lang::Zh);
        assert_eq!(Lang::parse(""), Lang::Zh);
        assert_eq!(Lang::En.html(), "en");
        assert_eq!(Lang::Zh.html(), "zh-CN");
    }

    #[test]
    fn a_stored_language_decodes_only_from_its_own_codes() {
        assert_eq!(Lang::try_from("en".to_string()), Ok(Lang::En));
        assert_eq!(Lang::try_from("zh".to_string()), Ok(Lang::Zh));
        assert!(Lang::try_from("en-GB".to_string()).is_err());
        assert!(Lang::try_from(String::new()).is_err());
    }

    #[test]
    fn roles_and_unit_kinds_have_a_label_in_each_language() {
        assert_eq!(Role::Admin.label(Lang::Zh), "办公室");
        assert_eq!(Role::Admin.label(Lang::En), "Office");
        for role in Role::ALL {
            assert_ne!(role.label(Lang::Zh), role.label(Lang::En));
        }
        for kind in UnitKind::ALL {
            assert!(!kind.label(Lang::Zh).is_empty());
            assert!(!kind.label(Lang::En).is_empty());
        }
    }
}
