//! Reads packed into one value on SQLite (`store::packed`: the alerts sweep's lines, the
//! funnel's projects) give exactly what the plain reads give, on every engine: every `f64` to
//! the bit (sums like 0.1 + 0.2, 1e-7, 123456789.123456789, negatives, the extremes, NULL,
//! and hundreds of random doubles), every text with its quotes, separators and Chinese; an
//! amount the packed text would not give back makes the read fall back to plain rows.

use qx_core::access::Actor;
use qx_store::testing;
use qx_store::{OptF64, Store};

/// Doubles SQLite's own JSON (`%!.15g`) does not give back, inside the window where the
/// packed text is exact (|x| from 1e-80 to 1e115, and 0). Some are written with more digits
/// than a double holds, as a person types them: the constant is the nearest double.
#[allow(clippy::excessive_precision)]
const AWKWARD: [f64; 17] = [
    0.1 + 0.2,
    0.1,
    1.0 / 3.0,
    1e-7,
    123_456_789.123_456_789,
    -1_234.567_890_123_456_7,
    -0.1 - 0.2,
    0.0,
    -0.0,
    1e21,
    1e22,
    9_007_199_254_740_993.0,
    4_503_599_627_370_497.5,
    0.000_123_456_789_012_345_68,
    1.000_000_000_000_000_2e-80,
    9.999_999_999_999_999e114,
    -2.718_281_828_459_045e100,
];

/// Doubles outside that window: packed, they would not come back (SQLite 3.51's decoder), so
/// the read falls back to plain rows.
const OUTSIDE: [f64; 9] = [
    1e300,
    -1e-300,
    5e-324,
    2.225_073_858_507_201e-308,
    f64::MAX,
    f64::MIN_POSITIVE,
    1.407_690_386_137_902_4e-294,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

/// Texts with JSON's and SQL's special characters, separators, Chinese and controls.
const TEXTS: [&str; 8] = [
    "汽车零部件",
    "a \"quoted\" name",
    "it's, [a] {list}: x|y;z\tw",
    "back\\slash \\\" \\u0041",
    "line\nbreak\r\n",
    "",
    "\u{2028}\u{2029}\u{0001}\u{007f} 𝄞 é",
    "null",
];

/// `n` finite doubles from every exponent, from a fixed seed.
fn random_doubles(n: usize) -> Vec<f64> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = f64::from_bits(x.wrapping_mul(0x2545_f491_4f6c_dd1d));
        if v.is_finite() {
            out.push(v);
        }
    }
    out
}

fn inside(v: f64) -> bool {
    v == 0.0 || (1e-80..=1e115).contains(&v.abs())
}

/// One open project written as a row with `plan` and `completed`, its year total `done`
/// (`project_year_done`, none when `None`) and `industry`.
async fn project(
    s: &Store,
    unit: i64,
    i: usize,
    plan: Option<f64>,
    completed: Option<f64>,
    done: Option<Option<f64>>,
    industry: &str,
) {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO projects (year, name, capital_kind, source, industry, total_investment_wan,
            annual_plan_wan, completed_wan, unit_id, town_id, stage, stage_since,
            next_stage, next_planned_on, signed_on, created_at, updated_at)
         VALUES (2017, $1, 'domestic', 'investment', $2, 20000, $3, $4, $5, $6, 'signed',
            '2017-02-01', $7, $8, '2017-02-01', 1, 1)
         RETURNING id",
    )
    .bind(format!("项目{i}"))
    .bind(industry)
    .bind(OptF64(plan))
    .bind(OptF64(completed))
    .bind(unit)
    .bind(i.is_multiple_of(2).then_some(unit))
    .bind(i.is_multiple_of(3).then_some("registered"))
    .bind(i.is_multiple_of(3).then_some("2017-05-01"))
    .fetch_one(s.pool())
    .await
    .unwrap();
    if let Some(done) = done {
        sqlx::query(
            "INSERT INTO project_year_done (project_id, year, invested_wan) VALUES ($1, 2017, $2)",
        )
        .bind(id)
        .bind(OptF64(done))
        .execute(s.pool())
        .await
        .unwrap();
    }
}

/// Projects `from..` holding each value as the plan, as the typed figure (no year total) and as
/// the year total (a NULL total falls back to the typed figure), with the texts.
async fn projects_with(s: &Store, unit: i64, from: usize, values: &[Option<f64>]) {
    for (i, v) in values.iter().enumerate() {
        let other = values[(i + 1) % values.len()];
        let text = TEXTS[i % TEXTS.len()];
        let n = from + 3 * i;
        project(s, unit, n, *v, other, None, text).await;
        project(s, unit, n + 1, other, *v, None, text).await;
        project(s, unit, n + 2, None, other, Some(*v), text).await;
    }
}

#[tokio::test]
async fn packed_reads_give_the_plain_reads_to_the_bit() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let unit = qx_store::testing::town(s, "石浦镇", "shipu").await.unwrap();
        // Every amount inside the window: on SQLite the sweep reads the packed value.
        let mut values: Vec<Option<f64>> = AWKWARD.iter().copied().map(Some).collect();
        values.push(None);
        let random = random_doubles(4_000);
        values.extend(
            random
                .iter()
                .copied()
                .filter(|v| inside(*v))
                .take(400)
                .map(Some),
        );
        values.extend(random.iter().take(200).map(|v| Some((v.abs() % 1e7) - 1e3)));
        projects_with(s, unit, 0, &values).await;
        let (packed, read, plain) = testing::sweep_lines_all(s).await.unwrap();
        assert_eq!(plain.len(), 3 * values.len(), "{name}");
        if name == "sqlite" {
            let packed = packed.expect("every amount packs");
            for (r, p) in packed.iter().zip(&plain) {
                assert_eq!(r, p, "{name}: the sweep's line packed");
            }
            assert_eq!(packed, plain, "{name}");
        }
        assert_eq!(read, plain, "{name}");
        for year in [None, Some(2017), Some(2016)] {
            let (read, plain) = testing::funnel_lines_both(s, &Actor::system(), year)
                .await
                .unwrap();
            for (r, p) in read.iter().zip(&plain) {
                assert_eq!(r, p, "{name}: the funnel's line");
            }
            assert_eq!(read, plain, "{name} {year:?}");
        }
        // Every text is there as written (the lines' Debug escapes them alike).
        let (read, _) = testing::funnel_lines_both(s, &Actor::system(), Some(2017))
            .await
            .unwrap();
        for text in TEXTS {
            assert!(
                read.iter()
                    .any(|l| l.contains(&format!("industry: {text:?}"))),
                "{name}: {text:?}"
            );
        }

        // One amount outside the window: the packed read says so and the sweep reads plain.
        let outside: Vec<Option<f64>> = OUTSIDE
            .iter()
            .copied()
            .chain(random.iter().copied().filter(|v| !inside(*v)).take(50))
            .map(Some)
            .collect();
        for (k, v) in outside.iter().enumerate() {
            project(s, unit, 3 * values.len() + k, *v, Some(1.0), None, "").await;
        }
        let (packed, read, plain) = testing::sweep_lines_all(s).await.unwrap();
        assert!(packed.is_none(), "{name}");
        assert_eq!(read, plain, "{name}");
        assert_eq!(plain.len(), 3 * values.len() + outside.len(), "{name}");
        db.discard().await.unwrap();
    }
}
