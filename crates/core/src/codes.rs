//! National codes that identify enterprises, places and industries.
//!
//! - [`CreditCode`]: 统一社会信用代码 (GB 32100-2015), the key of every enterprise record,
//!   checked with its check character (`shared/conventions.md` §2).
//! - [`RegionCode`]: 行政区划代码 (GB/T 2260, 6 digits) and the 统计用区划代码 extension to 9
//!   (乡级) and 12 (村级) digits (§3).
//! - [`IndustryCode`]: 国民经济行业分类 (GB/T 4754-2017) 大类/中类/小类 codes (§4).
//!
//! Each parses leniently (surrounding spaces, full-width characters, lower case) into one
//! canonical form, and its string form (`Display`, `FromStr`, serde) is that canonical form.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::to_halfwidth;

/// Trims, folds full-width forms to ASCII and upper-cases: the common first step of parsing.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| to_halfwidth(c).to_ascii_uppercase())
        .collect()
}

/// Implements `TryFrom<String>` and `From<T> for String` so serde can use the string form.
macro_rules! serde_via_string {
    ($t:ident, $err:ident) => {
        impl TryFrom<String> for $t {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> Self {
                v.to_string()
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码

/// The 31 characters of a credit code in value order (`A` = 10 … `Y` = 30); no I, O, Z, S, V.
const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Wᵢ = 3^(i−1) mod 31 for positions 1–17.
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A 统一社会信用代码: 18 characters, upper case, positions 3–8 digits.
///
/// [`CreditCode::parse`] (also `FromStr` and serde) also requires a correct check character;
/// [`CreditCode::parse_unchecked`] does not, for the early pilot codes that are legal but fail
/// the checksum (91350100M0001TGQXM) and that an administrator has let in. A stored code that
/// was let in that way must be read back with `parse_unchecked` too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode([u8; 18]);

/// Why a string is not a 统一社会信用代码. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error(
        "统一社会信用代码应为18位, 实际为{len}位: \"{input}\" \
         (a credit code has 18 characters)"
    )]
    Length { input: String, len: usize },
    #[error(
        "统一社会信用代码第{position}位字符 \"{found}\" 不合法(不使用 I、O、Z、S、V), \
         实际为 \"{input}\" (invalid character at position {position})"
    )]
    Character {
        input: String,
        position: usize,
        found: char,
    },
    #[error(
        "统一社会信用代码第{position}位应为数字(第3—8位是行政区划码), 实际为 \"{found}\": \
         \"{input}\" (positions 3–8 must be digits)"
    )]
    NotDigit {
        input: String,
        position: usize,
        found: char,
    },
    #[error(
        "统一社会信用代码校验码错误: 第18位应为 \"{expected}\", 实际为 \"{found}\": \
         \"{input}\" (wrong check character; expected {expected})"
    )]
    CheckDigit {
        input: String,
        expected: char,
        found: char,
    },
}

/// 登记管理部门 (position 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationAuthority {
    /// 1 机构编制
    Establishment,
    /// 2 外交
    ForeignAffairs,
    /// 3 司法行政
    Justice,
    /// 4 文化
    Culture,
    /// 5 民政
    CivilAffairs,
    /// 6 旅游
    Tourism,
    /// 7 宗教
    Religion,
    /// 8 工会
    TradeUnion,
    /// 9 工商 (市场监管): enterprises, 个体工商户, 农民专业合作社.
    MarketRegulation,
    /// A 中央军委改革和编制办公室
    CentralMilitaryCommission,
    /// N 农业
    Agriculture,
    /// Y 其他
    Other,
    /// A character of the code's alphabet that the standard's list does not name.
    Unlisted(char),
}

impl RegistrationAuthority {
    fn from_char(c: char) -> Self {
        match c {
            '1' => Self::Establishment,
            '2' => Self::ForeignAffairs,
            '3' => Self::Justice,
            '4' => Self::Culture,
            '5' => Self::CivilAffairs,
            '6' => Self::Tourism,
            '7' => Self::Religion,
            '8' => Self::TradeUnion,
            '9' => Self::MarketRegulation,
            'A' => Self::CentralMilitaryCommission,
            'N' => Self::Agriculture,
            'Y' => Self::Other,
            other => Self::Unlisted(other),
        }
    }

    /// The department's name; `None` for an unlisted character.
    pub fn name_zh(self) -> Option<&'static str> {
        Some(match self {
            Self::Establishment => "机构编制",
            Self::ForeignAffairs => "外交",
            Self::Justice => "司法行政",
            Self::Culture => "文化",
            Self::CivilAffairs => "民政",
            Self::Tourism => "旅游",
            Self::Religion => "宗教",
            Self::TradeUnion => "工会",
            Self::MarketRegulation => "工商",
            Self::CentralMilitaryCommission => "中央军委改革和编制办公室",
            Self::Agriculture => "农业",
            Self::Other => "其他",
            Self::Unlisted(_) => return None,
        })
    }
}

/// 机构类别 (position 2). Only the categories under 工商 (9) are named; others keep their
/// two characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgType {
    /// 91 企业
    Enterprise,
    /// 92 个体工商户
    IndividualBusiness,
    /// 93 农民专业合作社
    FarmerCooperative,
    /// Any other pair of (登记管理部门, 机构类别) characters.
    Other { authority: char, category: char },
}

impl OrgType {
    /// The category's name; `None` for the unnamed ones.
    pub fn name_zh(self) -> Option<&'static str> {
        match self {
            OrgType::Enterprise => Some("企业"),
            OrgType::IndividualBusiness => Some("个体工商户"),
            OrgType::FarmerCooperative => Some("农民专业合作社"),
            OrgType::Other { .. } => None,
        }
    }
}

fn credit_value(c: u8) -> Option<u32> {
    CREDIT_CHARSET
        .iter()
        .position(|&x| x == c)
        .and_then(|i| u32::try_from(i).ok())
}

/// The check character for the first 17 characters (all from the charset).
fn credit_check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(CREDIT_WEIGHTS)
        .map(|(&c, w)| credit_value(c).unwrap_or(0) * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    char::from(CREDIT_CHARSET[check as usize])
}

impl CreditCode {
    /// Parses and checks a code. Accepts surrounding spaces, lower case and full-width
    /// characters ("９１４４…", "…217t").
    pub fn parse(s: &str) -> Result<Self, CreditCodeError> {
        let code = Self::parse_unchecked(s)?;
        let expected = credit_check_char(&code.0[..17]);
        let found = char::from(code.0[17]);
        if expected != found {
            return Err(CreditCodeError::CheckDigit {
                input: s.to_owned(),
                expected,
                found,
            });
        }
        Ok(code)
    }

    /// Completes the first 17 characters with their check character (for generated test and
    /// demo data).
    pub fn complete(first17: &str) -> Result<Self, CreditCodeError> {
        let mut code = Self::parse_unchecked(&format!("{first17}0"))?;
        code.0[17] = credit_check_char(&code.0[..17]) as u8;
        Ok(code)
    }

    /// Parses a code without checking its check character (the administrator's override for
    /// legacy codes). Length, alphabet and the digit-only region part are still enforced.
    pub fn parse_unchecked(s: &str) -> Result<Self, CreditCodeError> {
        let normalised = normalise(s);
        let len = normalised.chars().count();
        if len != 18 {
            return Err(CreditCodeError::Length {
                input: s.to_owned(),
                len,
            });
        }
        let mut bytes = [0u8; 18];
        for (i, (slot, ch)) in bytes.iter_mut().zip(normalised.chars()).enumerate() {
            let position = i + 1;
            let byte = u8::try_from(ch)
                .ok()
                .filter(|b| CREDIT_CHARSET.contains(b))
                .ok_or_else(|| CreditCodeError::Character {
                    input: s.to_owned(),
                    position,
                    found: ch,
                })?;
            if (3..=8).contains(&position) && !byte.is_ascii_digit() {
                return Err(CreditCodeError::NotDigit {
                    input: s.to_owned(),
                    position,
                    found: ch,
                });
            }
            *slot = byte;
        }
        Ok(CreditCode(bytes))
    }

    /// The code as 18 upper-case ASCII characters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("credit codes hold ASCII only")
    }

    /// Whether the 18th character matches the checksum (false only for codes let in by
    /// [`CreditCode::parse_unchecked`]).
    pub fn is_checksum_valid(&self) -> bool {
        credit_check_char(&self.0[..17]) == char::from(self.0[17])
    }

    /// 登记管理部门 (position 1).
    pub fn registration_authority(&self) -> RegistrationAuthority {
        RegistrationAuthority::from_char(char::from(self.0[0]))
    }

    /// 机构类别 (position 2, read together with position 1).
    pub fn org_type(&self) -> OrgType {
        match (self.0[0], self.0[1]) {
            (b'9', b'1') => OrgType::Enterprise,
            (b'9', b'2') => OrgType::IndividualBusiness,
            (b'9', b'3') => OrgType::FarmerCooperative,
            (a, c) => OrgType::Other {
                authority: char::from(a),
                category: char::from(c),
            },
        }
    }

    /// 登记管理机关行政区划码 (positions 3–8), e.g. 330225 for 象山县. `None` when the six
    /// digits are not a region code (province part 00).
    pub fn region_code(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.as_str()[2..8]).ok()
    }

    /// 主体标识码 (组织机构代码, positions 9–17).
    pub fn organization_code(&self) -> &str {
        &self.as_str()[8..17]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

serde_via_string!(CreditCode, CreditCodeError);

// ---------------------------------------------------------------------------------------------
// 行政区划代码

/// A 区划代码: 6 digits (GB/T 2260, province/city/county), 9 digits (乡级) or 12 digits (村级).
///
/// Parsing keeps one form per place: a 12-digit code ending in 000 becomes its 9-digit 乡级
/// code, and a 9-digit code ending in 000 its 6-digit county code ("330225001000" →
/// "330225001", "330225000000" → "330225"), so equal places compare equal.
/// [`RegionCode::to_statistical`] gives the 12-digit form back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode {
    digits: [u8; 12],
    len: u8,
}

/// Why a string is not a 区划代码.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error(
        "区划代码应为6位、9位或12位数字, 实际为 \"{input}\" \
         (a region code has 6, 9 or 12 digits)"
    )]
    Format { input: String },
    #[error("区划代码前两位(省级)不能为00, 实际为 \"{input}\" (province part is 00)")]
    Province { input: String },
    #[error(
        "村级代码的乡级段(第7—9位)不能为000, 实际为 \"{input}\" \
         (a village code needs its township part)"
    )]
    VillageWithoutTownship { input: String },
}

/// The level of a place in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionLevel {
    /// 省级 (xx0000)
    Province,
    /// 地级 (xxxx00)
    City,
    /// 县级 (6 digits)
    County,
    /// 乡级 (9 digits)
    Township,
    /// 村级 (12 digits)
    Village,
}

/// The kind of a 乡级 unit, from digits 7–9 (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TownshipKind {
    /// 街道 (001–099)
    Subdistrict,
    /// 镇 (100–199)
    Town,
    /// 乡 (200–399)
    Township,
    /// 政企合一单位 (400–599)
    GovernmentEnterprise,
}

impl TownshipKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            TownshipKind::Subdistrict => "街道",
            TownshipKind::Town => "镇",
            TownshipKind::Township => "乡",
            TownshipKind::GovernmentEnterprise => "政企合一单位",
        }
    }
}

impl RegionCode {
    /// Parses a 6-, 9- or 12-digit code (spaces and full-width digits accepted).
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let normalised = normalise(s);
        let bytes = normalised.as_bytes();
        if !matches!(bytes.len(), 6 | 9 | 12) || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(RegionCodeError::Format {
                input: s.to_owned(),
            });
        }
        if &bytes[..2] == b"00" {
            return Err(RegionCodeError::Province {
                input: s.to_owned(),
            });
        }
        let mut len = bytes.len();
        if len == 12 && &bytes[6..9] == b"000" && &bytes[9..] != b"000" {
            return Err(RegionCodeError::VillageWithoutTownship {
                input: s.to_owned(),
            });
        }
        while len > 6 && &bytes[len - 3..len] == b"000" {
            len -= 3;
        }
        let mut digits = [b'0'; 12];
        digits[..len].copy_from_slice(&bytes[..len]);
        Ok(RegionCode {
            digits,
            len: len as u8,
        })
    }

    /// The canonical digits (6, 9 or 12 of them).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)])
            .expect("region codes hold ASCII digits only")
    }

    /// The 12-digit 统计用区划代码 form ("330225001" → "330225001000").
    pub fn to_statistical(&self) -> String {
        std::str::from_utf8(&self.digits)
            .expect("region codes hold ASCII digits only")
            .to_owned()
    }

    pub fn level(&self) -> RegionLevel {
        match self.len {
            12 => RegionLevel::Village,
            9 => RegionLevel::Township,
            _ if &self.digits[2..6] == b"0000" => RegionLevel::Province,
            _ if &self.digits[4..6] == b"00" => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The 6-digit GB/T 2260 part: the code itself for a province, city or county, and the
    /// county (or city) a township or village belongs to.
    pub fn gb2260(&self) -> RegionCode {
        self.truncated(6)
    }

    /// The county this code is in (itself for a county); `None` for a province or city, and
    /// for townships directly under a city.
    pub fn county(&self) -> Option<RegionCode> {
        let county = self.gb2260();
        (county.level() == RegionLevel::County).then_some(county)
    }

    /// The 9-digit 乡级 code for a township or village.
    pub fn township(&self) -> Option<RegionCode> {
        (self.len >= 9).then(|| self.truncated(9))
    }

    /// 街道 / 镇 / 乡 / 政企合一 for a township or village code; `None` above township level
    /// or for a segment (600–999) the standard does not assign.
    pub fn township_kind(&self) -> Option<TownshipKind> {
        if self.len < 9 {
            return None;
        }
        let segment = self.digits[6..9]
            .iter()
            .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        match segment {
            1..=99 => Some(TownshipKind::Subdistrict),
            100..=199 => Some(TownshipKind::Town),
            200..=399 => Some(TownshipKind::Township),
            400..=599 => Some(TownshipKind::GovernmentEnterprise),
            _ => None,
        }
    }

    /// Whether `other` is this place or lies within it (330000 contains 330225001).
    pub fn contains(&self, other: &RegionCode) -> bool {
        let significant = match self.level() {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        };
        self.digits[..significant] == other.digits[..significant] && self.level() <= other.level()
    }

    fn truncated(&self, len: usize) -> RegionCode {
        let mut digits = [b'0'; 12];
        digits[..len].copy_from_slice(&self.digits[..len]);
        RegionCode {
            digits,
            len: len as u8,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

serde_via_string!(RegionCode, RegionCodeError);

// ---------------------------------------------------------------------------------------------
// 国民经济行业分类

/// 门类 of GB/T 4754-2017, A–T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    H,
    I,
    J,
    K,
    L,
    M,
    N,
    O,
    P,
    Q,
    R,
    S,
    T,
}

/// The last 大类 of each 门类, in order: A 01–05, B 06–12, …, T 97.
const SECTION_ENDS: [(Section, u8); 20] = [
    (Section::A, 5),
    (Section::B, 12),
    (Section::C, 43),
    (Section::D, 46),
    (Section::E, 50),
    (Section::F, 52),
    (Section::G, 60),
    (Section::H, 62),
    (Section::I, 65),
    (Section::J, 69),
    (Section::K, 70),
    (Section::L, 72),
    (Section::M, 75),
    (Section::N, 79),
    (Section::O, 82),
    (Section::P, 83),
    (Section::Q, 85),
    (Section::R, 90),
    (Section::S, 96),
    (Section::T, 97),
];

impl Section {
    /// The 门类 a 大类 (1–97) belongs to; `None` outside 01–97.
    pub fn of_division(division: u8) -> Option<Section> {
        if division == 0 {
            return None;
        }
        SECTION_ENDS
            .iter()
            .find(|&&(_, end)| division <= end)
            .map(|&(section, _)| section)
    }

    /// The section's letter.
    pub fn letter(self) -> char {
        char::from(b'A' + self as u8)
    }

    /// The section for a letter A–T.
    pub fn from_letter(letter: char) -> Option<Section> {
        let index = u32::from(letter).checked_sub(u32::from('A'))?;
        SECTION_ENDS
            .get(usize::try_from(index).ok()?)
            .map(|&(s, _)| s)
    }

    /// 工业 = B 采矿业, C 制造业, D 电力、热力、燃气及水生产和供应业 (§4).
    pub fn is_industrial(self) -> bool {
        matches!(self, Section::B | Section::C | Section::D)
    }
}

/// The 31 manufacturing 大类 (C 13–43), §4.
const MANUFACTURING_DIVISIONS: [&str; 31] = [
    "农副食品加工业",
    "食品制造业",
    "酒、饮料和精制茶制造业",
    "烟草制品业",
    "纺织业",
    "纺织服装、服饰业",
    "皮革、毛皮、羽毛及其制品和制鞋业",
    "木材加工和木、竹、藤、棕、草制品业",
    "家具制造业",
    "造纸和纸制品业",
    "印刷和记录媒介复制业",
    "文教、工美、体育和娱乐用品制造业",
    "石油、煤炭及其他燃料加工业",
    "化学原料和化学制品制造业",
    "医药制造业",
    "化学纤维制造业",
    "橡胶和塑料制品业",
    "非金属矿物制品业",
    "黑色金属冶炼和压延加工业",
    "有色金属冶炼和压延加工业",
    "金属制品业",
    "通用设备制造业",
    "专用设备制造业",
    "汽车制造业",
    "铁路、船舶、航空航天和其他运输设备制造业",
    "电气机械和器材制造业",
    "计算机、通信和其他电子设备制造业",
    "仪器仪表制造业",
    "其他制造业",
    "废弃资源综合利用业",
    "金属制品、机械和设备修理业",
];

/// A GB/T 4754-2017 code: 大类 (2 digits), 中类 (3) or 小类 (4).
///
/// Input may carry the 门类 letter ("C3411"), which must agree with the 大类; the canonical
/// form is digits only ("3411") because the letter is derived ([`IndustryCode::with_section`]
/// gives "C3411").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryCode {
    digits: [u8; 4],
    len: u8,
}

/// Why a string is not a GB/T 4754-2017 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryCodeError {
    #[error(
        "行业代码应为2—4位数字, 可带门类字母(如 C3411), 实际为 \"{input}\" \
         (expected 2–4 digits, optionally after the section letter)"
    )]
    Format { input: String },
    #[error("行业大类 {division:02} 不存在(应为01—97), 实际为 \"{input}\" (no such division)")]
    UnknownDivision { input: String, division: u8 },
    #[error(
        "门类字母 {given} 与大类 {division:02} 不符, 应为 {expected}, 实际为 \"{input}\" \
         (section letter does not match the division)"
    )]
    SectionMismatch {
        input: String,
        given: char,
        expected: char,
        division: u8,
    },
}

/// The level of an industry code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IndustryLevel {
    /// 大类 (2 digits)
    Division,
    /// 中类 (3 digits)
    Group,
    /// 小类 (4 digits)
    Class,
}

impl IndustryCode {
    /// Parses "3411", "C3411", "c3411", "341", "34" (spaces and full-width accepted).
    pub fn parse(s: &str) -> Result<Self, IndustryCodeError> {
        let normalised = normalise(s);
        let format_err = || IndustryCodeError::Format {
            input: s.to_owned(),
        };
        let (letter, digits) = match normalised.chars().next() {
            Some(c) if c.is_ascii_uppercase() => (Some(c), &normalised[1..]),
            _ => (None, normalised.as_str()),
        };
        let bytes = digits.as_bytes();
        if !(2..=4).contains(&bytes.len()) || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(format_err());
        }
        let division = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        let section =
            Section::of_division(division).ok_or_else(|| IndustryCodeError::UnknownDivision {
                input: s.to_owned(),
                division,
            })?;
        if let Some(given) = letter {
            Section::from_letter(given).ok_or_else(format_err)?;
            if given != section.letter() {
                return Err(IndustryCodeError::SectionMismatch {
                    input: s.to_owned(),
                    given,
                    expected: section.letter(),
                    division,
                });
            }
        }
        let mut code = [b'0'; 4];
        code[..bytes.len()].copy_from_slice(bytes);
        Ok(IndustryCode {
            digits: code,
            len: bytes.len() as u8,
        })
    }

    /// The digits ("3411").
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)])
            .expect("industry codes hold ASCII digits only")
    }

    /// The code with its 门类 letter ("C3411"), as records often write it.
    pub fn with_section(&self) -> String {
        format!("{}{}", self.section().letter(), self.as_str())
    }

    pub fn level(&self) -> IndustryLevel {
        match self.len {
            2 => IndustryLevel::Division,
            3 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// The 大类 number (34 for "3411").
    pub fn division_number(&self) -> u8 {
        (self.digits[0] - b'0') * 10 + (self.digits[1] - b'0')
    }

    /// The 大类 this code belongs to ("3411" → "34").
    pub fn division(&self) -> IndustryCode {
        IndustryCode {
            digits: [self.digits[0], self.digits[1], b'0', b'0'],
            len: 2,
        }
    }

    /// The 门类, derived from the 大类.
    pub fn section(&self) -> Section {
        Section::of_division(self.division_number()).unwrap_or(Section::A)
    }

    /// Whether the code is 工业 (门类 B, C or D).
    pub fn is_industrial(&self) -> bool {
        self.section().is_industrial()
    }

    /// The name of the 大类 for the 31 manufacturing divisions (13–43); `None` for every
    /// other division, whose names are not in the project's reference.
    pub fn division_name_zh(&self) -> Option<&'static str> {
        let index = self.division_number().checked_sub(13)?;
        MANUFACTURING_DIVISIONS.get(usize::from(index)).copied()
    }
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IndustryCode {
    type Err = IndustryCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndustryCode::parse(s)
    }
}

serde_via_string!(IndustryCode, IndustryCodeError);

#[cfg(test)]
mod tests {
    #[test]
    fn complete_appends_the_check_character() {
        let code = super::CreditCode::complete("91440300192203821").unwrap();
        assert_eq!(code.as_str(), "914403001922038216");
        assert!(super::CreditCode::parse(code.as_str()).is_ok());
    }

    use super::*;

    const VALID: [&str; 6] = [
        "914403001922038216",
        "91310110666007217T",
        "91330225MA2J4X2M2B",
        "913302257995213595",
        "91330225799531063A",
        "91330225691361058X",
    ];

    #[test]
    fn conventions_vectors_are_valid() {
        for s in VALID {
            let code = CreditCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(code.to_string(), s);
            assert!(code.is_checksum_valid());
        }
    }

    #[test]
    fn every_single_character_substitution_is_caught() {
        // 31 is prime and no weight is 0 mod 31, so changing one character always changes
        // the checksum.
        for s in VALID {
            for position in 0..17 {
                for &replacement in CREDIT_CHARSET {
                    let mut bytes = s.as_bytes().to_vec();
                    if bytes[position] == replacement
                        || ((2..8).contains(&position) && !replacement.is_ascii_digit())
                    {
                        continue;
                    }
                    bytes[position] = replacement;
                    let changed = String::from_utf8(bytes).unwrap();
                    assert!(
                        matches!(
                            CreditCode::parse(&changed),
                            Err(CreditCodeError::CheckDigit { .. })
                        ),
                        "{changed}"
                    );
                    assert!(CreditCode::parse_unchecked(&changed).is_ok());
                }
            }
        }
    }

    #[test]
    fn wrong_check_character_says_what_it_should_be() {
        let err = CreditCode::parse("914403001922038217").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::CheckDigit {
                input: "914403001922038217".into(),
                expected: '6',
                found: '7'
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("第18位应为 \"6\""), "{msg}");
    }

    #[test]
    fn forbidden_letter_names_its_position() {
        let err = CreditCode::parse("91440300192203821I").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::Character {
                input: "91440300192203821I".into(),
                position: 18,
                found: 'I'
            }
        );
        assert!(err.to_string().contains("第18位字符 \"I\""));
        for (s, position) in [
            ("9O4403001922038216", 2),
            ("91440300192203821Z", 18),
            ("914403001S22038216", 10),
            ("91440300192203821V", 18),
            ("91440300192203821-", 18),
            ("914403001922038中16", 16),
        ] {
            assert!(
                matches!(
                    CreditCode::parse(s),
                    Err(CreditCodeError::Character { position: p, .. }) if p == position
                ),
                "{s}"
            );
        }
    }

    #[test]
    fn region_part_must_be_digits() {
        assert_eq!(
            CreditCode::parse("91A403001922038216").unwrap_err(),
            CreditCodeError::NotDigit {
                input: "91A403001922038216".into(),
                position: 3,
                found: 'A'
            }
        );
    }

    #[test]
    fn length_is_checked() {
        for s in ["", "91440300192203821", "9144030019220382166"] {
            assert!(
                matches!(CreditCode::parse(s), Err(CreditCodeError::Length { .. })),
                "{s:?}"
            );
        }
        let msg = CreditCode::parse("123").unwrap_err().to_string();
        assert!(
            msg.contains("应为18位") && msg.contains("实际为3位"),
            "{msg}"
        );
    }

    #[test]
    fn lower_case_full_width_and_spaces_are_normalised() {
        let expected = CreditCode::parse("91310110666007217T").unwrap();
        assert_eq!(CreditCode::parse("91310110666007217t").unwrap(), expected);
        assert_eq!(
            CreditCode::parse(" 91310110666007217T\u{3000}").unwrap(),
            expected
        );
        assert_eq!(
            CreditCode::parse("９１３１０１１０６６６００７２１７Ｔ").unwrap(),
            expected
        );
        assert_eq!(
            CreditCode::parse("９１３１０１１０６６６００７２１７ｔ").unwrap(),
            expected
        );
    }

    #[test]
    fn legacy_codes_need_the_unchecked_path() {
        let legacy = "91350100M0001TGQXM";
        assert!(matches!(
            CreditCode::parse(legacy),
            Err(CreditCodeError::CheckDigit { .. })
        ));
        let code = CreditCode::parse_unchecked(legacy).unwrap();
        assert!(!code.is_checksum_valid());
        assert_eq!(code.as_str(), legacy);
        assert!(CreditCode::parse_unchecked("91350100M0001TGQXI").is_err());
    }

    #[test]
    fn accessors() {
        let code = CreditCode::parse("91330225MA2J4X2M2B").unwrap();
        assert_eq!(
            code.registration_authority(),
            RegistrationAuthority::MarketRegulation
        );
        assert_eq!(code.registration_authority().name_zh(), Some("工商"));
        assert_eq!(code.org_type(), OrgType::Enterprise);
        assert_eq!(code.org_type().name_zh(), Some("企业"));
        assert_eq!(code.region_code().unwrap().as_str(), "330225");
        assert_eq!(code.organization_code(), "MA2J4X2M2");
        let other = CreditCode::parse_unchecked("52330225MA2J4X2M2B").unwrap();
        assert_eq!(
            other.registration_authority(),
            RegistrationAuthority::CivilAffairs
        );
        assert_eq!(
            other.org_type(),
            OrgType::Other {
                authority: '5',
                category: '2'
            }
        );
        assert_eq!(other.org_type().name_zh(), None);
        let unlisted = CreditCode::parse_unchecked("B1000000MA2J4X2M2B").unwrap();
        assert_eq!(
            unlisted.registration_authority(),
            RegistrationAuthority::Unlisted('B')
        );
        assert_eq!(unlisted.region_code(), None);
    }

    #[test]
    fn credit_code_serde_is_checked() {
        let code = CreditCode::parse("914403001922038216").unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            "\"914403001922038216\""
        );
        let back: CreditCode = serde_json::from_str("\"914403001922038216\"").unwrap();
        assert_eq!(back, code);
        assert!(serde_json::from_str::<CreditCode>("\"914403001922038217\"").is_err());
    }

    fn region(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn region_levels() {
        assert_eq!(region("330000").level(), RegionLevel::Province);
        assert_eq!(region("330200").level(), RegionLevel::City);
        assert_eq!(region("330225").level(), RegionLevel::County);
        assert_eq!(region("330225001").level(), RegionLevel::Township);
        assert_eq!(region("330225101001").level(), RegionLevel::Village);
    }

    #[test]
    fn region_codes_are_canonical() {
        assert_eq!(region("330225001000"), region("330225001"));
        assert_eq!(region("330225001000").as_str(), "330225001");
        assert_eq!(region("330225000000"), region("330225"));
        assert_eq!(region("330225000").as_str(), "330225");
        assert_eq!(region("330225001").to_statistical(), "330225001000");
        assert_eq!(region("330225").to_statistical(), "330225000000");
        assert_eq!(region(" ３３０２２５ ").as_str(), "330225");
        assert_eq!(region("330225101001").to_string(), "330225101001");
    }

    #[test]
    fn region_parts() {
        let town = region("330225101");
        assert_eq!(town.county(), Some(region("330225")));
        assert_eq!(town.gb2260(), region("330225"));
        assert_eq!(town.township(), Some(town));
        assert_eq!(region("330225101001").township(), Some(town));
        assert_eq!(region("330225").township(), None);
        assert_eq!(region("330225").county(), Some(region("330225")));
        assert_eq!(region("330200").county(), None);
        assert_eq!(region("330000").county(), None);
    }

    #[test]
    fn township_kinds_of_xiangshan() {
        assert_eq!(
            region("330225001").township_kind(),
            Some(TownshipKind::Subdistrict)
        );
        assert_eq!(
            region("330225110").township_kind(),
            Some(TownshipKind::Town)
        );
        assert_eq!(
            region("330225204").township_kind(),
            Some(TownshipKind::Township)
        );
        assert_eq!(
            region("330225400").township_kind(),
            Some(TownshipKind::GovernmentEnterprise)
        );
        assert_eq!(region("330225600").township_kind(), None);
        assert_eq!(region("330225").township_kind(), None);
        assert_eq!(
            region("330225204001").township_kind(),
            Some(TownshipKind::Township)
        );
        assert_eq!(TownshipKind::Town.name_zh(), "镇");
    }

    #[test]
    fn seed_towns_parse_as_townships_of_the_county() {
        let county = region(crate::units::COUNTY_CODE);
        for unit in crate::units::SEED_UNITS {
            if let Some(code) = unit.region_code {
                let town = region(code);
                assert_eq!(town.level(), RegionLevel::Township, "{}", unit.name);
                assert_eq!(town.county(), Some(county));
                let kind = town.township_kind().unwrap();
                assert!(unit.name.ends_with(kind.name_zh()), "{}", unit.name);
            }
        }
    }

    #[test]
    fn region_containment() {
        assert!(region("330000").contains(&region("330225001")));
        assert!(region("330200").contains(&region("330225")));
        assert!(region("330225").contains(&region("330225101001")));
        assert!(region("330225").contains(&region("330225")));
        assert!(!region("330225").contains(&region("330226001")));
        assert!(!region("330225001").contains(&region("330225")));
        assert!(!region("330225101").contains(&region("330225102001")));
    }

    #[test]
    fn bad_region_codes() {
        for s in [
            "",
            "33022",
            "3302250",
            "33022500",
            "33022A",
            "3302250010001",
            "330225-01",
        ] {
            assert!(
                matches!(RegionCode::parse(s), Err(RegionCodeError::Format { .. })),
                "{s:?}"
            );
        }
        assert!(matches!(
            RegionCode::parse("000000"),
            Err(RegionCodeError::Province { .. })
        ));
        assert!(matches!(
            RegionCode::parse("330225000001"),
            Err(RegionCodeError::VillageWithoutTownship { .. })
        ));
        let msg = RegionCode::parse("3302").unwrap_err().to_string();
        assert!(msg.contains("\"3302\""), "{msg}");
        let back: RegionCode = serde_json::from_str("\"330225001\"").unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), "\"330225001\"");
    }

    fn industry(s: &str) -> IndustryCode {
        IndustryCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn industry_codes_with_and_without_letter() {
        assert_eq!(industry("C3411"), industry("3411"));
        assert_eq!(industry("c3411"), industry("3411"));
        assert_eq!(industry("Ｃ３４１１"), industry("3411"));
        assert_eq!(industry("C3411").to_string(), "3411");
        assert_eq!(industry("3411").with_section(), "C3411");
        assert_eq!(industry("0610").with_section(), "B0610");
        assert_eq!(industry("34").level(), IndustryLevel::Division);
        assert_eq!(industry("341").level(), IndustryLevel::Group);
        assert_eq!(industry("3411").level(), IndustryLevel::Class);
        assert_eq!(industry("3411").division(), industry("34"));
        assert_eq!(industry("3411").division_number(), 34);
        assert_eq!(industry("0610").division().to_string(), "06");
    }

    #[test]
    fn bad_industry_codes() {
        for s in ["", "3", "34111", "C", "CC34", "34A1", "3 411", "C-3411"] {
            assert!(
                matches!(
                    IndustryCode::parse(s),
                    Err(IndustryCodeError::Format { .. })
                ),
                "{s:?}"
            );
        }
        assert!(matches!(
            IndustryCode::parse("9811"),
            Err(IndustryCodeError::UnknownDivision { division: 98, .. })
        ));
        assert!(matches!(
            IndustryCode::parse("00"),
            Err(IndustryCodeError::UnknownDivision { division: 0, .. })
        ));
        assert!(matches!(
            IndustryCode::parse("U97"),
            Err(IndustryCodeError::Format { .. })
        ));
        let err = IndustryCode::parse("B3411").unwrap_err();
        assert_eq!(
            err,
            IndustryCodeError::SectionMismatch {
                input: "B3411".into(),
                given: 'B',
                expected: 'C',
                division: 34
            }
        );
        assert!(err.to_string().contains("应为 C"), "{err}");
    }

    #[test]
    fn sections_follow_the_division_ranges() {
        let cases = [
            (1, 'A'),
            (5, 'A'),
            (6, 'B'),
            (12, 'B'),
            (13, 'C'),
            (43, 'C'),
            (44, 'D'),
            (46, 'D'),
            (47, 'E'),
            (50, 'E'),
            (51, 'F'),
            (53, 'G'),
            (60, 'G'),
            (61, 'H'),
            (63, 'I'),
            (66, 'J'),
            (70, 'K'),
            (71, 'L'),
            (73, 'M'),
            (76, 'N'),
            (80, 'O'),
            (83, 'P'),
            (84, 'Q'),
            (86, 'R'),
            (91, 'S'),
            (96, 'S'),
            (97, 'T'),
        ];
        for (division, letter) in cases {
            let section = Section::of_division(division).unwrap();
            assert_eq!(section.letter(), letter, "{division}");
            assert_eq!(Section::from_letter(letter), Some(section));
        }
        assert_eq!(Section::of_division(0), None);
        assert_eq!(Section::of_division(98), None);
        assert_eq!(Section::from_letter('U'), None);
        assert_eq!(Section::from_letter('a'), None);
        let industrial = (1..=97)
            .filter(|&d| Section::of_division(d).unwrap().is_industrial())
            .count();
        assert_eq!(industrial, 41, "工业 has 41 大类");
    }

    #[test]
    fn industrial_and_division_names() {
        assert!(industry("0610").is_industrial());
        assert!(industry("C3411").is_industrial());
        assert!(industry("4411").is_industrial());
        assert!(!industry("4711").is_industrial());
        assert!(!industry("01").is_industrial());
        assert_eq!(industry("13").division_name_zh(), Some("农副食品加工业"));
        assert_eq!(industry("3411").division_name_zh(), Some("通用设备制造业"));
        assert_eq!(
            industry("3731").division_name_zh(),
            Some("铁路、船舶、航空航天和其他运输设备制造业")
        );
        assert_eq!(
            industry("43").division_name_zh(),
            Some("金属制品、机械和设备修理业")
        );
        assert_eq!(industry("12").division_name_zh(), None);
        assert_eq!(industry("44").division_name_zh(), None);
        assert_eq!(industry("97").section(), Section::T);
        let back: IndustryCode = serde_json::from_str("\"C3411\"").unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), "\"3411\"");
    }
}
