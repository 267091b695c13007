//! Service tokens (接口令牌): what a token may do.

use crate::coded::stored_state;

stored_state! {
    /// A token's scope: read tokens may only GET; write tokens may also POST, PUT and DELETE.
    TokenScope("令牌权限", "token scope") {
        Read = "read", "只读", "Read";
        Write = "write", "读写", "Read and write";
    }
}

impl TokenScope {
    /// Whether a request with this method is within the scope.
    pub fn allows(self, method_is_safe: bool) -> bool {
        method_is_safe || self == TokenScope::Write
    }
}

/// How long a token lives when created as `90d`, `12h`, `30m` (days, hours or minutes; a
/// plain number is days). At most ten years.
pub fn parse_lifetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'd'),
    };
    let n: i64 = num.trim().parse().ok().filter(|n| *n > 0)?;
    let secs = match unit {
        'd' => n.checked_mul(86_400)?,
        'h' => n.checked_mul(3_600)?,
        'm' => n.checked_mul(60)?,
        _ => return None,
    };
    (secs <= 10 * 366 * 86_400).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_and_scopes() {
        assert_eq!(parse_lifetime("90d"), Some(90 * 86_400));
        assert_eq!(parse_lifetime("30"), Some(30 * 86_400));
        assert_eq!(parse_lifetime("12h"), Some(12 * 3_600));
        assert_eq!(parse_lifetime("5m"), Some(300));
        for bad in ["", "0d", "-3d", "9y", "d", "99999d"] {
            assert_eq!(parse_lifetime(bad), None, "{bad}");
        }
        assert!(TokenScope::Read.allows(true));
        assert!(!TokenScope::Read.allows(false));
        assert!(TokenScope::Write.allows(false));
    }
}
