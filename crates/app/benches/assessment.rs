//! 考核评价 (#18) against its targets, each with a ratio to a baseline measured in the same run:
//!
//! - the county (the demo: 象山县 2017, 66 assessable units): gathering every input for the
//!   year and scoring all classes under the year's annual schemes, < 200 ms; baseline: the
//!   monitoring picture of the year alone (what the bulletin computes).
//! - the provenance page of one unit (its breakdown with every item's records), < 100 ms;
//!   baseline: reading the run's ranking.
//! - a prefecture-sized run (2,000 units, 20,000 indicators, 500,000 problems, tasks and
//!   reports), < 3 s and < 500 MB peak RSS (VmHWM): the engine scoring and ranking synthetic
//!   inputs of that size under four class schemes; baseline: the same engine on 66 units.
//!   Gathering that many records from a database is not part of this figure.
//!
//! Both engines: SQLite always, PostgreSQL too when `QX_TEST_DATABASE_URL` is set. Plain
//! timing (median of runs), not criterion, so that peak memory can be read between parts.
//!
//! Run: `cargo bench -p qx-app --bench assessment`.

use qx_app::assessment::{assess, gather, schemes_of};
use qx_core::assessment::{
    Cadence, Fact, Measure, Source, UnitInputs, UnitScore, rank, score_class,
};
use qx_core::period::Period;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident memory of this process so far (VmHWM), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn fact(record: String, value: f64, expected: Option<f64>) -> Fact {
    Fact {
        label: record.clone(),
        record,
        value,
        expected,
    }
}

/// `units` synthetic units with `indicators` and `problems` spread evenly, 10 tasks and 12
/// reports each; deterministic (a linear congruential sequence).
fn synthetic(units: usize, indicators: usize, problems: usize) -> Vec<UnitInputs> {
    let mut x: u64 = 2017;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    (0..units)
        .map(|u| {
            let mut measures = BTreeMap::new();
            let per = |n: usize| n / units + usize::from(u < n % units);
            let ind: Vec<Fact> = (0..per(indicators))
                .map(|i| fact(format!("indicator:{u}-{i}"), next() * 1.2, Some(0.75)))
                .collect();
            measures.insert(Source::Indicators, Measure::mean_of(ind));
            let tasks = (0..10)
                .map(|i| fact(format!("task:{u}-{i}"), f64::from(next() > 0.2), None))
                .collect();
            measures.insert(Source::Tasks, Measure::mean_of(tasks));
            let reports = (0..12)
                .map(|i| fact(format!("report:{u}-{i}"), f64::from(next() > 0.1), None))
                .collect();
            measures.insert(Source::ReportPunctuality, Measure::mean_of(reports));
            let n = per(problems);
            for source in [
                Source::ProblemAnswerRate,
                Source::ProblemOnTimeRate,
                Source::ProblemResolutionRate,
                Source::ProblemSatisfactionRate,
            ] {
                let facts = (0..n)
                    .map(|i| fact(format!("problem:{u}-{i}"), f64::from(next() > 0.15), None))
                    .collect();
                measures.insert(source, Measure::mean_of(facts));
            }
            let signed = (0..(next() * 4.0) as usize)
                .map(|i| fact(format!("lead:{u}-{i}"), 1.0, None))
                .collect();
            measures.insert(Source::InvestmentSigned, Measure::count_of(signed));
            UnitInputs {
                unit_id: u as i64 + 1,
                unit: format!("单位{u:04}"),
                measures,
                manual: BTreeMap::new(),
                lead_days: Some(next() * 10.0 - 2.0),
            }
        })
        .collect()
}

/// Scores `units` split evenly over the demo's four annual schemes.
fn score_all(units: &[UnitInputs]) -> usize {
    let schemes = qx_demo::assessment::annual_schemes();
    let mut placed = 0;
    for (n, scheme) in schemes.iter().enumerate() {
        let class: Vec<UnitInputs> = units
            .iter()
            .enumerate()
            .filter(|(i, _)| i % schemes.len() == n)
            .map(|(_, u)| u.clone())
            .collect();
        let scores: Vec<UnitScore> = score_class(scheme, &class);
        placed += rank(&scores, &HashMap::new()).len();
    }
    placed
}

fn prefecture() {
    let before = peak_mb();
    let small = synthetic(66, 660, 16_500);
    let base = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                assert_eq!(score_all(&small), 66);
                t.elapsed()
            })
            .collect(),
    );
    let t = Instant::now();
    let big = synthetic(2_000, 20_000, 500_000);
    let built = t.elapsed();
    let runs: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            assert_eq!(score_all(&big), 2_000);
            t.elapsed()
        })
        .collect();
    let big_time = median(runs);
    let peak = peak_mb();
    println!(
        "prefecture engine (2,000 units, 20,000 indicators, 500,000 problems): {:.0} ms \
         (target < 3,000; inputs built in {:.0} ms); baseline 66 units {:.1} ms; ratio {:.0}×; \
         peak RSS {peak:.0} MB (before {before:.0} MB; target < 500)",
        ms(big_time),
        ms(built),
        ms(base),
        ms(big_time) / ms(base)
    );
}

async fn county(db: &qx_store::testing::TestDb, engine: &str) {
    let store = &db.store;
    let t = Instant::now();
    qx_demo::seed(
        store,
        &qx_demo::DemoOptions {
            password: Some("Xiangshan#2017".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let seeded = t.elapsed();
    let office = store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let plan = store.published_plan(2017).await.unwrap().unwrap().id;
    let year = Period::new_year(2017).unwrap();
    let schemes: Vec<_> = schemes_of(store, 2017, Cadence::Annual)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, s)| s)
        .collect();

    let mut base = Vec::new();
    let mut ours = Vec::new();
    let mut units = (0, 0);
    for _ in 0..7 {
        let t = Instant::now();
        qx_app::monitoring::picture(store, &office, plan, year)
            .await
            .unwrap();
        base.push(t.elapsed());
        let t = Instant::now();
        let (inputs, kinds) = gather(store, &office, plan, year).await.unwrap();
        let scored = assess(&schemes, &inputs, &kinds, &HashMap::new());
        units = (
            inputs.len(),
            scored.iter().map(|a| a.scores.len()).sum::<usize>(),
        );
        ours.push(t.elapsed());
    }
    assert!(units.1 > 0);
    let (base, ours) = (median(base), median(ours));
    println!(
        "[{engine}] county year, {} units gathered, {} under a scheme, from all inputs: {:.1} ms \
         (target < 200); baseline monitoring picture {:.1} ms; ratio {:.2}× (demo seeded in {:.1} s)",
        units.0,
        units.1,
        ms(ours),
        ms(base),
        ms(ours) / ms(base),
        seeded.as_secs_f64()
    );

    let run = store
        .assessment_runs(&office)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.period == "2017")
        .unwrap();
    let unit = store
        .find_user_by_username("sp1")
        .await
        .unwrap()
        .unwrap()
        .profile
        .unit_id
        .unwrap();
    let mut base = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        store.assessment_ranking(&office, run.id).await.unwrap();
        base.push(t.elapsed());
        let t = Instant::now();
        let (_, _, items) = store
            .assessment_breakdown(&office, run.id, unit)
            .await
            .unwrap();
        let facts: usize = items.iter().map(|i| i.facts().len()).sum();
        assert!(facts > 0);
        ours.push(t.elapsed());
    }
    let (base, ours) = (median(base), median(ours));
    println!(
        "[{engine}] provenance of one unit (breakdown + every record): {:.2} ms (target < 100); \
         baseline the run's ranking {:.2} ms; ratio {:.2}×",
        ms(ours),
        ms(base),
        ms(ours) / ms(base)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only build.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    prefecture();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dbs = qx_store::testing::all().await.unwrap();
        for (db, engine) in dbs.iter().zip(["sqlite", "postgres"]) {
            county(db, engine).await;
        }
    });
}
