//! Enums stored and sent as codes, defined by one macro: the enum, its table of codes and
//! labels, [`Labelled`](crate::label::Labelled) and the decoding of a stored code, which fails with an error naming the code instead of guessing a value.
//!
//! [`coded_enum!`] is the shape every such enum shares; each family names the error its
//! decoding returns: [`stored_state!`] for the states of `state` and `evaluation`
//! ([`UnknownState`](crate::state::UnknownState)), the problem codes their own, notices theirs.

/// Defines `enum $name` with `ALL`, `as_str` (the code), `from_code`, `Labelled` and
/// `TryFrom<String>` (for `#[sqlx(try_from = "String")]`), whose error is built by
/// `unknown(code) => …` from the unknown code. Derives `Debug, Clone, Copy, PartialEq, Eq,
/// Hash`; further derives and serde attributes come with the enum's own attributes.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+
        }
        unknown($unknown:ident) => $error:ty { $make:expr }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database (and used in URLs, the API and webhooks).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The value a code names, if any.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }

        impl $crate::label::Labelled for $name {
            fn label(&self, lang: $crate::label::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en)),+ }
            }
        }

        impl $crate::coded::Coded for $name {
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn of_code(code: &str) -> Option<Self> {
                Self::from_code(code)
            }
        }

        /// Decoding a stored code: an unknown one is an error naming it, never a default.
        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from($unknown: String) -> Result<Self, $error> {
                Self::from_code(&$unknown).ok_or_else(|| $make)
            }
        }
    };
}
pub(crate) use coded_enum;

/// An enum stored as a code (what [`coded_enum!`] defines), for code that holds any of them.
pub trait Coded: Sized + Copy + 'static {
    /// The stored code.
    fn code(self) -> &'static str;
    /// The value a code names, if any.
    fn of_code(code: &str) -> Option<Self>;
}

/// serde through the code, `#[serde(with = "crate::coded::by_code")]`: reading an unknown code
/// is an error naming it.
pub mod by_code {
    use super::Coded;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<T: Coded, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.code())
    }

    pub fn deserialize<'de, T: Coded, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let code = String::deserialize(d)?;
        T::of_code(&code).ok_or_else(|| D::Error::custom(format!("unknown code {code:?}")))
    }
}

/// A state as stored (plans, periods, submissions, evaluation runs, objections): a
/// [`coded_enum!`] serialised and displayed as its code, whose `parse` fails with
/// [`UnknownState`](crate::state::UnknownState) naming what kind of state it was.
macro_rules! stored_state {
    ($(#[$meta:meta])* $name:ident ($what_zh:literal, $what_en:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal;)+
    }) => {
        $crate::coded::coded_enum! {
            $(#[$meta])*
            #[derive(serde::Serialize)]
            #[serde(rename_all = "snake_case")]
            $name { $($(#[$vmeta])* $variant = $code, $zh, $en;)+ }
            unknown(code) => $crate::state::UnknownState {
                $crate::state::UnknownState { what_zh: $what_zh, what_en: $what_en, code }
            }
        }

        impl $name {
            pub fn parse(code: &str) -> Result<Self, $crate::state::UnknownState> {
                Self::try_from(code.to_string())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::state::StateOf for $name {
            const WHAT_ZH: &'static str = $what_zh;
            const WHAT_EN: &'static str = $what_en;
        }
    };
}
pub(crate) use stored_state;

/// `TryFrom<String>` for an enum with `parse(&str) -> Option<Self>` (roles, unit kinds): an
/// unknown stored code is an [`UnknownState`](crate::state::UnknownState) naming what it was.
macro_rules! decoded_with_parse {
    ($name:ident ($what_zh:literal, $what_en:literal)) => {
        /// Decoding the stored column: an unknown code is an error, never a default.
        impl TryFrom<String> for $name {
            type Error = $crate::state::UnknownState;
            fn try_from(code: String) -> Result<Self, Self::Error> {
                $name::parse(&code).ok_or($crate::state::UnknownState {
                    what_zh: $what_zh,
                    what_en: $what_en,
                    code,
                })
            }
        }
    };
}
pub(crate) use decoded_with_parse;
