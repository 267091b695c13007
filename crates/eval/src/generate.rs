//! Seeded enterprise-year facts for benchmarks and tests: same seed, same bytes, on any machine
//! and any number of threads (every row draws from its own generator, seeded from the row index).
//!
//! The mix is shaped on real county data: about 70% 规上 / 30% 规下, log-normal land areas and
//! intensities around the 黄岩 benchmarks (so scores spread both above and below 100), about 8% of
//! 规上 firms without emission data, a few without R&D, and about 1% negative taxes (留抵退税).

use crate::csv_io::push_fixed;
use crate::table::{InputTable, Scale, StrColumn};
use qx_core::codes::{CreditCode, CreditCodeError};
use rayon::prelude::*;
use std::io::{self, Write};

/// The header of generated files (the contract's columns, in its order).
pub const HEADER: &str = "uscc,name,town,industry,scale,land_mu,tax_wan,added_value_wan,energy_tce,emission_t,employees,rd_wan,revenue_wan,electricity_wkwh";

/// The 18 towns of 象山县 (shared/conventions.md §3).
const TOWNS: [&str; 18] = [
    "丹东街道",
    "丹西街道",
    "爵溪街道",
    "石浦镇",
    "西周镇",
    "鹤浦镇",
    "贤庠镇",
    "墙头镇",
    "泗洲头镇",
    "定塘镇",
    "涂茨镇",
    "大徐镇",
    "新桥镇",
    "东陈乡",
    "晓塘乡",
    "黄避岙乡",
    "茅洋乡",
    "高塘岛乡",
];

const NAME_HEADS: [&str; 12] = [
    "海", "东", "恒", "瑞", "华", "鑫", "宏", "丰", "远", "新", "盛", "达",
];
const NAME_TAILS: [&str; 10] = [
    "机械", "针织", "电器", "模具", "水产", "船舶", "塑业", "汽配", "服饰", "科技",
];

/// One generated firm. `NaN` means the cell is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    pub uscc: String,
    pub name: String,
    pub town: &'static str,
    pub industry: u16,
    pub scale: Scale,
    pub land_mu: f64,
    pub tax_wan: f64,
    pub added_value_wan: f64,
    pub energy_tce: f64,
    pub emission_t: f64,
    pub employees: f64,
    pub rd_wan: f64,
    pub revenue_wan: f64,
    pub electricity_wkwh: f64,
}

/// SplitMix64: small, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, row: u64) -> Rng {
        let mut r = Rng(seed ^ row.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Log-normal with the given median and log-scale spread.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let s = 10f64.powi(decimals);
    (x * s).round() / s
}

/// A valid, unique 统一社会信用代码 for row `i`: region 330225 (象山), a body that is a bijection
/// of the row index, and the GB 32100 check character.
pub fn credit_code(seed: u64, i: u64) -> String {
    const SPACE: u128 = 26_439_622_160_671; // 31^9
    let alphabet = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut v = (i as u128 * 1_000_003 + (seed as u128 % SPACE)) % SPACE;
    let mut body = [b'0'; 9];
    for slot in body.iter_mut().rev() {
        *slot = alphabet[(v % 31) as usize];
        v /= 31;
    }
    let mut code = String::with_capacity(18);
    code.push_str("91330225");
    code.extend(body.iter().map(|&b| b as char));
    code.push('0');
    match CreditCode::parse(&code) {
        Err(CreditCodeError::CheckDigit { expected, .. }) => {
            code.pop();
            code.push(expected);
            code
        }
        _ => code,
    }
}

/// Generates row `i` of the data set `seed`.
pub fn fact_row(seed: u64, i: u64) -> FactRow {
    let mut r = Rng::new(seed, i);
    let above = r.unit() < 0.70;
    let scale = if above { Scale::Above } else { Scale::Below };
    let major = 13 + r.below(31) as u16;
    let industry = major * 100 + r.below(100) as u16;
    let name = format!(
        "象山{}{}{}有限公司",
        NAME_HEADS[r.below(NAME_HEADS.len())],
        NAME_HEADS[r.below(NAME_HEADS.len())],
        NAME_TAILS[r.below(NAME_TAILS.len())]
    );
    let town = TOWNS[r.below(TOWNS.len())];
    let land_mu = round_to(
        r.lognormal(if above { 35.0 } else { 8.0 }, 0.8)
            .clamp(1.0, 3000.0),
        2,
    );
    let mut tax_wan = round_to(
        land_mu * r.lognormal(if above { 20.0 } else { 9.0 }, 0.9),
        2,
    );
    if r.unit() < 0.01 {
        tax_wan = -round_to(r.unit() * 0.3 * land_mu + 0.01, 2);
    }
    let electricity_wkwh = round_to(tax_wan.abs().max(1.0) / r.lognormal(0.22, 0.7), 2);
    let nan = f64::NAN;
    let (mut va, mut energy, mut emission, mut employees, mut rd, mut revenue) =
        (nan, nan, nan, nan, nan, nan);
    if above {
        va = round_to(land_mu * r.lognormal(115.0, 0.7), 2);
        energy = round_to(va / r.lognormal(2.5, 0.6), 2);
        if r.unit() >= 0.08 {
            emission = round_to(va / r.lognormal(4500.0, 0.8), 3);
        }
        employees = (va / r.lognormal(16.0, 0.5)).round().max(5.0);
        revenue = round_to(va * (3.0 + 2.0 * r.unit()), 2);
        if r.unit() >= 0.03 {
            rd = if r.unit() < 0.05 {
                0.0
            } else {
                round_to(revenue * r.lognormal(0.025, 0.6), 2)
            };
        }
    }
    FactRow {
        uscc: credit_code(seed, i),
        name,
        town,
        industry,
        scale,
        land_mu,
        tax_wan,
        added_value_wan: va,
        energy_tce: energy,
        emission_t: emission,
        employees,
        rd_wan: rd,
        revenue_wan: revenue,
        electricity_wkwh,
    }
}

fn push_num(b: &mut Vec<u8>, x: f64, decimals: u32) {
    if !x.is_nan() {
        push_fixed(b, x, decimals);
    }
}

/// Writes `rows` generated rows, header first, as FACTS.csv.
pub fn write_facts_csv(out: &mut impl Write, rows: usize, seed: u64) -> io::Result<()> {
    const CHUNK: usize = 1 << 15;
    out.write_all(HEADER.as_bytes())?;
    out.write_all(b"\n")?;
    let batch = CHUNK * rayon::current_num_threads().max(1) * 2;
    let mut start = 0;
    while start < rows {
        let end = (start + batch).min(rows);
        let bufs: Vec<Vec<u8>> = (start..end)
            .into_par_iter()
            .step_by(CHUNK)
            .map(|s| {
                let mut b = Vec::with_capacity(CHUNK * 140);
                for i in s..(s + CHUNK).min(end) {
                    let f = fact_row(seed, i as u64);
                    b.extend_from_slice(f.uscc.as_bytes());
                    b.push(b',');
                    b.extend_from_slice(f.name.as_bytes());
                    b.push(b',');
                    b.extend_from_slice(f.town.as_bytes());
                    b.push(b',');
                    b.extend_from_slice(itoa::Buffer::new().format(f.industry).as_bytes());
                    b.push(b',');
                    b.extend_from_slice(f.scale.as_str().as_bytes());
                    for (x, d) in [
                        (f.land_mu, 2),
                        (f.tax_wan, 2),
                        (f.added_value_wan, 2),
                        (f.energy_tce, 2),
                        (f.emission_t, 3),
                        (f.employees, 0),
                        (f.rd_wan, 2),
                        (f.revenue_wan, 2),
                        (f.electricity_wkwh, 2),
                    ] {
                        b.push(b',');
                        push_num(&mut b, x, d);
                    }
                    b.push(b'\n');
                }
                b
            })
            .collect();
        for b in bufs {
            out.write_all(&b)?;
        }
        start = end;
    }
    Ok(())
}

/// The same data as an [`InputTable`] (for engine benchmarks without a file).
pub fn facts_table(rows: usize, seed: u64) -> InputTable {
    let facts: Vec<FactRow> = (0..rows as u64)
        .into_par_iter()
        .map(|i| fact_row(seed, i))
        .collect();
    let uscc: StrColumn = facts.iter().map(|f| f.uscc.as_str()).collect();
    let scale = facts.iter().map(|f| f.scale).collect();
    let towns: StrColumn = facts.iter().map(|f| f.town).collect();
    let industry_codes: Vec<String> = facts.iter().map(|f| f.industry.to_string()).collect();
    let industry: StrColumn = industry_codes.iter().map(String::as_str).collect();
    let mut t = match InputTable::new(uscc, scale) {
        Ok(t) => t,
        Err(_) => return InputTable::default(),
    };
    type Getter = fn(&FactRow) -> f64;
    let cols: [(&str, Getter); 9] = [
        ("land_mu", |f| f.land_mu),
        ("tax_wan", |f| f.tax_wan),
        ("added_value_wan", |f| f.added_value_wan),
        ("energy_tce", |f| f.energy_tce),
        ("emission_t", |f| f.emission_t),
        ("employees", |f| f.employees),
        ("rd_wan", |f| f.rd_wan),
        ("revenue_wan", |f| f.revenue_wan),
        ("electricity_wkwh", |f| f.electricity_wkwh),
    ];
    // Lengths match by construction; the results are ignored rather than unwrapped.
    for (name, get) in cols {
        let _ = t.set_numeric(name, facts.iter().map(get).collect());
    }
    let _ = t.set_text("town", towns);
    let _ = t.set_text("industry", industry);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_valid_and_distinct() {
        let codes: Vec<String> = (0..2000).map(|i| credit_code(7, i)).collect();
        for c in &codes {
            assert!(CreditCode::parse(c).is_ok(), "{c}");
        }
        let set: std::collections::HashSet<&String> = codes.iter().collect();
        assert_eq!(set.len(), codes.len());
    }

    #[test]
    fn same_seed_same_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_facts_csv(&mut a, 500, 42).expect("write");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        pool.install(|| write_facts_csv(&mut b, 500, 42))
            .expect("write");
        assert_eq!(a, b);
        let mut c = Vec::new();
        write_facts_csv(&mut c, 500, 43).expect("write");
        assert_ne!(a, c);
    }

    #[test]
    fn the_mix_is_realistic() {
        let rows: Vec<FactRow> = (0..20_000).map(|i| fact_row(1, i)).collect();
        let share = |f: &dyn Fn(&FactRow) -> bool| {
            rows.iter().filter(|r| f(r)).count() as f64 / rows.len() as f64
        };
        let above = share(&|r| r.scale == Scale::Above);
        assert!((0.67..0.73).contains(&above), "{above}");
        let no_emission = share(&|r| r.scale == Scale::Above && r.emission_t.is_nan()) / above;
        assert!((0.06..0.10).contains(&no_emission), "{no_emission}");
        let negative_tax = share(&|r| r.tax_wan < 0.0);
        assert!((0.005..0.02).contains(&negative_tax), "{negative_tax}");
    }
}
