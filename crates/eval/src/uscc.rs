//! 统一社会信用代码 (GB 32100-2015): the 18-character enterprise key and its check digit.
//!
//! The algorithm is the one in `shared/conventions.md` §2: characters take their index in the
//! 31-character alphabet (no I, O, Z, S, V), weights are 3^(i−1) mod 31, and the 18th character is
//! `31 − (Σ vᵢ·Wᵢ mod 31)` with 31 mapped to 0.

use std::fmt;

/// The 31 characters a code may use, in value order (`A` = 10 … `Y` = 30).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights Wᵢ = 3^(i−1) mod 31 for positions 1–17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a string is not a valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// 长度不是18位: the code must have exactly 18 characters.
    Length(usize),
    /// 含有非法字符: a character outside the alphabet (or a letter where pos 3–8 needs a digit).
    Character { position: usize, found: char },
    /// 校验码错误: the 18th character does not match the computed check digit.
    CheckDigit { expected: char, found: char },
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsccError::Length(n) => write!(
                f,
                "统一社会信用代码应为18位, 实际为{n}位 (a credit code has 18 characters, got {n})"
            ),
            UsccError::Character { position, found } => write!(
                f,
                "第{position}位字符 '{found}' 不合法 (character {position} '{found}' is not allowed; I, O, Z, S, V never occur)"
            ),
            UsccError::CheckDigit { expected, found } => write!(
                f,
                "校验码错误: 第18位应为 '{expected}', 实际为 '{found}' (check digit should be '{expected}', got '{found}')"
            ),
        }
    }
}

impl std::error::Error for UsccError {}

/// The value (0–30) of one code character, if it is in the alphabet.
fn char_value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Computes the check character for the first 17 characters of a code.
///
/// Returns `None` if any of them is outside the alphabet.
pub fn check_char(first17: &[u8; 17]) -> Option<char> {
    let mut sum = 0u32;
    for (&c, &w) in first17.iter().zip(WEIGHTS.iter()) {
        sum += char_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

/// Validates a 统一社会信用代码 (already trimmed and upper-cased).
pub fn validate(code: &str) -> Result<(), UsccError> {
    let bytes = code.as_bytes();
    if bytes.len() != 18 || !code.is_ascii() {
        return Err(UsccError::Length(code.chars().count()));
    }
    for (i, &c) in bytes.iter().enumerate() {
        // Positions 3–8 are the 行政区划码 and hold digits only.
        let ok = if (2..8).contains(&i) {
            c.is_ascii_digit()
        } else {
            char_value(c).is_some()
        };
        if !ok {
            return Err(UsccError::Character {
                position: i + 1,
                found: c as char,
            });
        }
    }
    let mut first17 = [0u8; 17];
    first17.copy_from_slice(&bytes[..17]);
    let expected = check_char(&first17).ok_or(UsccError::Length(18))?;
    let found = bytes[17] as char;
    if expected != found {
        return Err(UsccError::CheckDigit { expected, found });
    }
    Ok(())
}

/// Builds a valid code from a 17-character body (used by the data generator).
pub fn with_check_char(first17: &[u8; 17]) -> Option<String> {
    let check = check_char(first17)?;
    let mut s = String::with_capacity(18);
    s.push_str(std::str::from_utf8(first17).ok()?);
    s.push(check);
    Some(s)
}

/// The alphabet, for generators that need random valid characters.
pub fn alphabet() -> &'static [u8; 31] {
    ALPHABET
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_vectors_from_conventions() {
        for code in [
            "914403001922038216",
            "91310110666007217T",
            "91330225MA2J4X2M2B",
            "913302257995213595",
            "91330225799531063A",
            "91330225691361058X",
        ] {
            assert_eq!(validate(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn wrong_check_digit_names_the_expected_one() {
        assert_eq!(
            validate("914403001922038217"),
            Err(UsccError::CheckDigit {
                expected: '6',
                found: '7'
            })
        );
    }

    #[test]
    fn forbidden_letter_is_rejected() {
        assert_eq!(
            validate("91440300192203821I"),
            Err(UsccError::Character {
                position: 18,
                found: 'I'
            })
        );
    }

    #[test]
    fn early_pilot_code_fails_the_checksum() {
        assert!(matches!(
            validate("91350100M0001TGQXM"),
            Err(UsccError::CheckDigit { .. })
        ));
    }

    #[test]
    fn length_and_region_digits() {
        assert_eq!(validate("E1"), Err(UsccError::Length(2)));
        assert_eq!(
            validate("9144A3001922038216"),
            Err(UsccError::Character {
                position: 5,
                found: 'A'
            })
        );
    }

    #[test]
    fn generated_codes_are_valid() {
        let code = with_check_char(b"91330225MA2J4X2M2").unwrap();
        assert_eq!(code, "91330225MA2J4X2M2B");
    }
}
