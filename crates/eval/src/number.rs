//! Numbers as people type them into spreadsheets: plain decimals on the fast path, and the
//! unambiguous messy forms (全角数字, 千分位 separators, stray spaces) on a slow path.
//!
//! Anything else (units, percent signs, "N/A", `inf`) is rejected with a message saying what to
//! write instead: a guessed number in a government evaluation is worse than an error.

/// Why a cell is not a number. `Display` gives the Chinese message with an English gloss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// 不是有效的数字
    NotANumber,
    /// 含百分号
    Percent,
    /// 含单位 (万元, 亩, 元 …)
    Unit,
    /// 千分位分隔符位置不对 (e.g. "1,23")
    BadGrouping,
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NumberError::NotANumber => {
                "不是有效的数字, 无数据请留空 (not a number; leave the cell empty for no data)"
            }
            NumberError::Percent => {
                "不能带百分号, 请填写小数 (no percent sign; write a decimal fraction)"
            }
            NumberError::Unit => {
                "请只填数字, 单位见列名 (digits only; the unit is given by the column)"
            }
            NumberError::BadGrouping => {
                "千分位分隔符位置不对 (thousands separators must group three digits, e.g. 1,234.5)"
            }
        })
    }
}

/// Whitespace a cell may carry around its value, including the ideographic space (U+3000).
pub fn trim(s: &[u8]) -> &[u8] {
    let is_space = |b: u8| b == b' ' || b == b'\t' || b == b'\r';
    let mut start = 0;
    let mut end = s.len();
    loop {
        if start < end && is_space(s[start]) {
            start += 1;
        } else if end - start >= 3 && s[start..start + 3] == [0xE3, 0x80, 0x80] {
            start += 3;
        } else {
            break;
        }
    }
    loop {
        if end > start && is_space(s[end - 1]) {
            end -= 1;
        } else if end - start >= 3 && s[end - 3..end] == [0xE3, 0x80, 0x80] {
            end -= 3;
        } else {
            break;
        }
    }
    &s[start..end]
}

/// Parses one trimmed, non-empty cell as a finite number.
#[inline]
pub fn parse(cell: &[u8]) -> Result<f64, NumberError> {
    match parse_short_decimal(cell, None) {
        Some(v) => Ok(v),
        None => parse_general(cell),
    }
}

/// [`parse`] of the cell `&text[..len]`, where `text` goes on after the cell (the rest of a
/// line, say): a short cell is then read with one 8-byte load from `text`. Always inlined, with
/// every other cell sent to one call: as a call of its own, the division that ends the short
/// path waited to be stored and loaded back, with a stack frame around it.
#[inline(always)]
pub fn parse_within(text: &[u8], len: usize) -> Result<f64, NumberError> {
    let cell = text.get(..len).ok_or(NumberError::NotANumber)?;
    match parse_short_decimal(cell, text.first_chunk::<8>()) {
        Some(v) => Ok(v),
        None => parse_general(cell),
    }
}

/// Every cell the eight-byte path leaves: longer or signed plain decimals, then the forms
/// `fast_float2` reads, then the messy ones.
#[inline(never)]
fn parse_general(cell: &[u8]) -> Result<f64, NumberError> {
    if let Some(v) = parse_plain_decimal(cell) {
        return Ok(v);
    }
    // General path: plain ASCII decimals. `fast_float2` also accepts "inf"/"nan", hence the check.
    if let Ok(v) = fast_float2::parse::<f64, _>(cell) {
        if v.is_finite() {
            return Ok(v);
        }
        return Err(NumberError::NotANumber);
    }
    parse_messy(cell)
}

/// The common case, `-123.45`: a '-', digits and at most one point, no exponent. When there
/// are at most 19 digits (so their integer fits a u64), the integer is at most 2^53 and there
/// are at most 19 after the point, both the integer and 10^k are exact doubles, so one IEEE
/// division gives the correctly rounded value (Clinger's fast path): the same bits as
/// `str::parse::<f64>` and any other correct parser (DuckDB's included). Anything else (more
/// digits, an exponent, a `+`) takes the general path.
///
/// Two loops, before and after the point, so that a digit costs a compare and a multiply-add:
/// the count of decimals is the length of the second run.
#[inline]
fn parse_plain_decimal(cell: &[u8]) -> Option<f64> {
    /// 10^19 - 1 < 2^64: 19 digits never wrap.
    const MAX_DIGITS: usize = 19;
    const MAX_EXACT: u64 = 1 << 53;
    let (negative, digits) = match cell.first()? {
        b'-' => (true, &cell[1..]),
        _ => (false, cell),
    };
    // Wrapping arithmetic: exact for up to 19 digits, and longer runs are refused below.
    let push = |m: u64, d: u8| m.wrapping_mul(10).wrapping_add(u64::from(d));
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while let Some(&b) = digits.get(i) {
        let d = b.wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        mantissa = push(mantissa, d);
        i += 1;
    }
    let mut frac_digits = 0;
    if let Some(&b) = digits.get(i) {
        if b != b'.' {
            return None;
        }
        let rest = &digits[i + 1..];
        for &b in rest {
            let d = b.wrapping_sub(b'0');
            if d >= 10 {
                return None;
            }
            mantissa = push(mantissa, d);
        }
        frac_digits = rest.len();
    }
    let n_digits = i + frac_digits;
    if n_digits == 0 || n_digits > MAX_DIGITS || mantissa > MAX_EXACT {
        return None;
    }
    let v = mantissa as f64 / POW10[frac_digits];
    Some(if negative { -v } else { v })
}

/// Exact powers of ten, as doubles.
const POW10: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// [`parse_plain_decimal`] for a cell of at most 8 bytes with no sign (99.6% of the figures of
/// a generated facts file), eight bytes at a time instead of a loop per digit, whose exits
/// at lengths that vary from cell to cell the branch predictor keeps missing.
///
/// `first8` holds the cell's bytes and whatever follows them, read as one word; without it the
/// cell is copied into a buffer first (a copy whose bytes the CPU then cannot forward to the
/// word's load: a stall that cost more than the loop saved).
///
/// The cell is put right-aligned into a word padded with '0's in front, its point (if one)
/// taken out by shifting the bytes before it up by one, all eight bytes checked to be digits
/// and turned into their integer with three multiplications (the SWAR method of `fast_float`
/// and simdjson). The integer (below 10^8) and the count of decimals are those the loop gets
/// (leading zeros add nothing), so the division gives the same bits. `None` leaves the cell
/// to the loop: a sign, two points, any other byte, or no digit at all.
#[inline(always)]
fn parse_short_decimal(cell: &[u8], first8: Option<&[u8; 8]>) -> Option<f64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let len = cell.len();
    if !(1..=8).contains(&len) {
        return None;
    }
    let raw = match first8 {
        Some(bytes) => u64::from_le_bytes(*bytes),
        None => {
            let mut bytes = [0; 8];
            bytes[..len].copy_from_slice(cell);
            u64::from_le_bytes(bytes)
        }
    };
    // Byte i of the word is character i of the cell padded in front to 8 (shifts below 64).
    let pad = 8 * (8 - len as u32);
    let cell_bytes = raw & (u64::MAX >> pad);
    let mut word = (cell_bytes << pad) | (ZEROS & !(u64::MAX << pad));
    // The bytes equal to '.': the lowest flag is exact, and a second one (true or a borrow's
    // artefact above a true one) sends the cell to the loop.
    let x = word ^ 0x2E2E_2E2E_2E2E_2E2E;
    let points = x.wrapping_sub(0x0101_0101_0101_0101) & !x & HIGH;
    let mut decimals = 0;
    if points != 0 {
        if points & (points - 1) != 0 || len == 1 {
            return None;
        }
        let at = points.trailing_zeros() / 8;
        let before = word & ((1u64 << (8 * at)) - 1);
        // Two shifts: for a point in the last byte, a shift by 64 would overflow.
        let after = word & (u64::MAX << (8 * at) << 8);
        word = after | (before << 8) | 0x30;
        decimals = 7 - at as usize;
    }
    // Every byte a digit ('-' included, which is not).
    if (word.wrapping_add(0x4646_4646_4646_4646) | word.wrapping_sub(ZEROS)) & HIGH != 0 {
        return None;
    }
    let mut d = word - ZEROS;
    d = d.wrapping_mul(10).wrapping_add(d >> 8);
    let pairs = 0x0000_00FF_0000_00FF;
    let high = (d & pairs).wrapping_mul(0x000F_4240_0000_0064);
    let low = ((d >> 16) & pairs).wrapping_mul(0x0000_2710_0000_0001);
    let mantissa = (high.wrapping_add(low) >> 32) as u32;
    Some(f64::from(mantissa) / POW10[decimals])
}

/// The slow path: normalise full-width forms and thousands separators, then parse strictly.
fn parse_messy(cell: &[u8]) -> Result<f64, NumberError> {
    let text = std::str::from_utf8(cell).map_err(|_| NumberError::NotANumber)?;
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        let mapped = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '．' => Some('.'),
            '－' | '−' => Some('-'),
            '＋' => Some('+'),
            '，' | ',' => Some(','),
            'Ｅ' | 'ｅ' => Some('e'),
            '\u{3000}' | ' ' => None,
            '%' | '％' | '‰' => return Err(NumberError::Percent),
            c if c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E') => Some(c),
            '万' | '亿' | '元' | '亩' | '吨' | '人' | '度' => return Err(NumberError::Unit),
            _ => return Err(NumberError::NotANumber),
        };
        if let Some(m) = mapped {
            ascii.push(m);
        }
    }
    let plain = if ascii.contains(',') {
        ungroup(&ascii)?
    } else {
        ascii
    };
    // Rust's parser accepts "inf"/"nan", but those letters were rejected above.
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(NumberError::NotANumber),
    }
}

/// Removes thousands separators after checking they group exactly three digits.
fn ungroup(s: &str) -> Result<String, NumberError> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'-') | Some(b'+') => s.split_at(1),
        _ => ("", s),
    };
    let (int_part, frac_part) = match rest.find('.') {
        Some(p) => rest.split_at(p),
        None => (rest, ""),
    };
    if frac_part.contains(',') {
        return Err(NumberError::BadGrouping);
    }
    let mut groups = int_part.split(',');
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::BadGrouping);
    }
    let mut out = String::with_capacity(s.len());
    out.push_str(sign);
    out.push_str(first);
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::BadGrouping);
        }
        out.push_str(g);
    }
    out.push_str(frac_part);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<f64, NumberError> {
        parse(trim(s.as_bytes()))
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(p("30"), Ok(30.0));
        assert_eq!(p("-12.5"), Ok(-12.5));
        assert_eq!(p("1e3"), Ok(1000.0));
        assert_eq!(p(" 4.25 "), Ok(4.25));
        assert_eq!(p("+7"), Ok(7.0));
    }

    #[test]
    fn the_plain_path_agrees_with_the_general_parser() {
        for s in [
            "0",
            "5.",
            ".5",
            "-0.125",
            "123456789012345",
            "0.00000000000001",
            "4929.81",
            "0.0302",
            "1.0",
        ] {
            let fast = parse_plain_decimal(s.as_bytes());
            assert_eq!(fast, s.parse::<f64>().ok(), "{s}");
        }
        assert_eq!(
            parse_plain_decimal(b"9007199254740993"),
            None,
            "an integer above 2^53 takes the general path"
        );
        assert_eq!(p("1234567890123456.5"), Ok(1234567890123456.5));
        assert_eq!(parse_plain_decimal(b"."), None);
        assert_eq!(parse_plain_decimal(b"1e5"), None);
    }

    /// xorshift64*: a fixed, dependency-free stream of test cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A plain decimal as a spreadsheet holds it: an optional '-', leading zeros now and
    /// then, up to 25 digits, and a point anywhere (or none).
    fn random_decimal(rng: &mut Rng) -> String {
        let mut s = String::new();
        if rng.below(3) == 0 {
            s.push('-');
        }
        let longest = match rng.below(4) {
            0 => 25,
            1 => 19,
            _ => 10,
        };
        let len = 1 + rng.below(longest) as usize;
        let zeros = if rng.below(4) == 0 {
            rng.below(len as u64) as usize
        } else {
            0
        };
        let mut digits: Vec<u8> = (0..len)
            .map(|i| {
                if i < zeros {
                    b'0'
                } else {
                    b'0' + rng.below(10) as u8
                }
            })
            .collect();
        // Long runs of 9s and 0s sit next to powers of ten, where rounding goes wrong first.
        if rng.below(8) == 0 {
            let fill = if rng.below(2) == 0 { b'9' } else { b'0' };
            let from = rng.below(len as u64) as usize;
            digits[from..].iter_mut().for_each(|d| *d = fill);
        }
        let dot = rng.below(len as u64 + 2) as usize;
        for (i, &d) in digits.iter().enumerate() {
            if i == dot {
                s.push('.');
            }
            s.push(d as char);
        }
        if dot == len {
            s.push('.');
        }
        s
    }

    /// Parses `s` with the fast path and checks it gives exactly the bits of the standard
    /// parser, or leaves the string to the general path; returns whether it took it.
    fn check_bits(s: &str) -> bool {
        let want = s.parse::<f64>().expect("a plain decimal");
        match parse_plain_decimal(s.as_bytes()) {
            Some(got) => {
                assert_eq!(got.to_bits(), want.to_bits(), "{s}: {got:e} vs {want:e}");
                true
            }
            None => {
                let general = parse(s.as_bytes()).expect("a plain decimal");
                assert_eq!(general.to_bits(), want.to_bits(), "{s} (general path)");
                false
            }
        }
    }

    #[test]
    fn the_plain_path_gives_the_bits_of_the_standard_parser() {
        // Ties and boundaries: 2^53 ± 1, 0.1-like fractions, 10^22 and 10^-22 (the largest exact
        // power of ten) and one step past, signed zeros, 19 and 20 significant digits.
        let edges = [
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "9007199254740994",
            "900719925474099.3",
            "900719925474099.25",
            "0.9007199254740993",
            "0.1",
            "0.2",
            "0.3",
            "0.7",
            "2.675",
            "1.005",
            "4929.81",
            "0.0302",
            "24.097",
            "1000000000000000000000",
            "10000000000000000000000",
            "100000000000000000000000",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "1.0000000000000000000001",
            "4503599627370496.5",
            "4503599627370497.5",
            "-0",
            "0.000",
            "-0.000",
            "-.0",
            "0.",
            ".0",
            "1234567890123456789",
            "12345678901234567890",
            "9999999999999999999",
            "0.0000000000000000009999999999999999999",
            "0000000000000000000000000000012.5",
            "123456789012345.6789",
        ];
        for s in edges {
            check_bits(s);
        }
        assert_eq!(parse(b"-0").map(f64::to_bits), Ok((-0.0f64).to_bits()));
        assert_eq!(parse(b"0.000").map(f64::to_bits), Ok(0.0f64.to_bits()));
        assert!(
            check_bits("0.000000000000000001"),
            "19 digits, 10^-18 exact"
        );
        assert!(
            !check_bits("0.0000000000000000001"),
            "20 digits: general path"
        );
        assert!(check_bits("-.5") && check_bits("5."));
        assert!(check_bits("1234567890123456"), "below 2^53");
        assert!(!check_bits("9007199254740993"), "2^53 + 1: general path");

        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut fast = 0;
        let cases = 300_000;
        for _ in 0..cases {
            fast += usize::from(check_bits(&random_decimal(&mut rng)));
        }
        // Most cases must exercise the fast path, else the test proves little.
        assert!(fast > cases / 2, "{fast} of {cases} on the fast path");
    }

    #[test]
    fn the_eight_byte_path_agrees_with_the_loop() {
        // Every cell of up to 8 bytes over an alphabet of digits, points, signs and near-digits,
        // sampled, and the usual shapes of a facts file.
        let alphabet = b"0123456789.-/:e ";
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        let mut fast = 0;
        for i in 0..400_000 {
            let len = 1 + (i % 8);
            let cell: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        alphabet[rng.below(alphabet.len() as u64) as usize]
                    } else {
                        b'0' + rng.below(10) as u8
                    }
                })
                .collect();
            let short = parse_short_decimal(&cell, None);
            // Read from a longer text too: the bytes after the cell change nothing.
            let mut text = cell.clone();
            text.extend_from_slice(b"9.,-x99");
            let within = parse_short_decimal(&cell, text.first_chunk::<8>());
            assert_eq!(short.map(f64::to_bits), within.map(f64::to_bits));
            if let Some(v) = short {
                fast += 1;
                let want = parse_plain_decimal(&cell).expect("the loop reads it too");
                assert_eq!(
                    v.to_bits(),
                    want.to_bits(),
                    "{:?}",
                    String::from_utf8_lossy(&cell)
                );
                let std: f64 = std::str::from_utf8(&cell)
                    .expect("ascii")
                    .parse()
                    .expect("number");
                assert_eq!(
                    v.to_bits(),
                    std.to_bits(),
                    "{:?}",
                    String::from_utf8_lossy(&cell)
                );
            } else if let Ok(s) = std::str::from_utf8(&cell)
                && cell[0] != b'-'
                && cell.iter().all(|b| b.is_ascii_digit() || *b == b'.')
                && cell.iter().filter(|&&b| b == b'.').count() == 1
                && cell.len() > 1
            {
                panic!("{s} is a plain short decimal left to the loop");
            }
        }
        assert!(fast > 100_000, "{fast} cells on the eight-byte path");
        for (cell, want) in [
            (&b"0"[..], Some(0.0)),
            (b"12345678", Some(12345678.0)),
            (b"1234567.", Some(1234567.0)),
            (b".1234567", Some(0.1234567)),
            (b"13444.47", Some(13444.47)),
            (b"26.801", Some(26.801)),
            (b".", None),
            (b"1.2.3", None),
            (b"-1", None),
            (b"1e5", None),
            (b"123456789", None),
        ] {
            assert_eq!(
                parse_short_decimal(cell, None),
                want,
                "{:?}",
                String::from_utf8_lossy(cell)
            );
        }
    }

    #[test]
    fn messy_but_unambiguous() {
        assert_eq!(p("１２３．５"), Ok(123.5));
        assert_eq!(p("1,234.5"), Ok(1234.5));
        assert_eq!(p("1，234，567"), Ok(1_234_567.0));
        assert_eq!(p("－８"), Ok(-8.0));
        assert_eq!(p("\u{3000}42\u{3000}"), Ok(42.0));
    }

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(p("abc"), Err(NumberError::NotANumber));
        assert_eq!(p("inf"), Err(NumberError::NotANumber));
        assert_eq!(p("NaN"), Err(NumberError::NotANumber));
        assert_eq!(p("12%"), Err(NumberError::Percent));
        assert_eq!(p("30万元"), Err(NumberError::Unit));
        assert_eq!(p("1,23"), Err(NumberError::BadGrouping));
        assert_eq!(p("12,3456"), Err(NumberError::BadGrouping));
        assert_eq!(p("1.2.3"), Err(NumberError::NotANumber));
        assert_eq!(p("-"), Err(NumberError::NotANumber));
    }
}
