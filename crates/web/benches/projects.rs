//! 重大项目库 at county scale (#16): 10,000 projects over three years, every one with 36 months
//! of approved 调度, spread over 60 units, 18 towns, every stage and both sides of 亿元以上.
//! Targets: (a) the filtered project list page, as the browser gets it, < 100 ms p99; (b)
//! recomputing every project's light, the funnel alerts sweep and the project indicators'
//! counts < 100 ms; (c) importing a 5,000-row project list .xlsx through the path the web and
//! the CLI use < 2 s, and a 5,000-row list with one bad cell near its end leaving every table's
//! row count unchanged (asserted here).
//!
//! Each figure is printed beside a baseline measured in the same run on the same database, so
//! the ratio travels between machines: one plain `COUNT(*)` over the projects for (a) and (b),
//! reading the .xlsx's cells (no checks, no writes) for (c).
//!
//! Run: `cargo bench -p qx-web --bench projects` (SQLite, and PostgreSQL when
//! `QX_TEST_DATABASE_URL` is set; `QX_BENCH_PROJECTS`, `QX_BENCH_MONTHS` (≤ 36),
//! `QX_BENCH_IMPORT` and `QX_BENCH_ROUNDS` for smaller runs; `QX_BENCH_RECOMPUTE_ROUNDS`, 100 by
//! default, for (b)).

#[path = "support/county.rs"]
mod county;

use county::Shape;
use qx_core::access::Actor;
use qx_core::project::funnel::{Dimension, funnel};
use qx_core::project::{CapitalKind, PIPELINE, Source, Stage};
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::projects::ProjectInput;
use qx_store::testing::{BulkDispatch, BulkMove};
use qx_store::units::NewUnit;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use time::{Date, Month};

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints one line with p50, p99 and, against `base` (a p50), the ratio at p50; returns p50.
fn report(
    name: &str,
    samples: &mut [Duration],
    target_ms: Option<f64>,
    base: Option<Duration>,
) -> Duration {
    let p50 = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    let verdict = match target_ms {
        Some(t) if ms(p99) < t => format!("ok (< {t} ms)"),
        Some(t) => format!("OVER {t} ms"),
        None => String::new(),
    };
    let ratio = base
        .map(|b| format!("{:>7.1}× base", ms(p50) / ms(b).max(1e-6)))
        .unwrap_or_default();
    println!(
        "{name:<52} n={:<3} p50 {:>9.2} ms  p99 {:>9.2} ms  {ratio}  {verdict}",
        samples.len(),
        ms(p50),
        ms(p99)
    );
    p50
}

const YEARS: [i32; 3] = [2015, 2016, 2017];

fn day(year: i32, month: u8, d: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).unwrap(), d).unwrap()
}

/// What the seeded county holds beyond [`county::County`].
struct Seeded {
    towns: Vec<(i64, String)>,
    /// Every project's id in the order generated.
    ids: Vec<i64>,
}

/// 18 towns, `n` projects entered through the store's import (one transaction), their stage
/// histories and `months` months (from 2015-01) of approved 调度 for every project.
async fn seed(store: &Store, county: &county::County, n: usize, months: usize) -> Seeded {
    let system = Actor::system();
    let mut towns = Vec::new();
    for i in 0..18 {
        let name = format!("测试镇{i:02}");
        let id = store
            .create_unit(
                &system,
                &NewUnit {
                    kind: UnitKind::Town,
                    name: name.clone(),
                    full_name: name.clone(),
                    region_code: Some(format!("330225{:03}", 100 + i)),
                    parent_id: None,
                    slug: format!("benchtown{i}"),
                    aliases: Vec::new(),
                    sort_order: 100 + i as i64,
                },
            )
            .await
            .unwrap();
        towns.push((id, name));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let industries = ["汽车零部件", "新材料", "电机制造", "海洋装备", "食品加工"];
    let mut inputs = Vec::with_capacity(n);
    for i in 0..n {
        let year = YEARS[i % YEARS.len()];
        let total = f64::from(rng.random_range(2_000..60_000));
        let planned = rng.random_bool(0.5).then(|| {
            [
                Some(day(year, 3, 15)),
                Some(day(year, 5, 15)),
                Some(day(year, 8, 15)),
                Some(day(year, 12, 15)),
            ]
        });
        inputs.push(ProjectInput {
            year,
            name: format!("测试项目{i:05}"),
            investor: format!("宁波某投资有限公司{:03}", i % 500),
            credit_code: None,
            capital_kind: if i % 7 == 0 {
                CapitalKind::Foreign
            } else {
                CapitalKind::Domestic
            },
            source: Source::Investment,
            industry: industries[i % industries.len()].into(),
            town_id: (i % 10 != 0).then(|| towns[i % towns.len()].0),
            total_investment_wan: total,
            foreign_contract_wusd: None,
            annual_plan_wan: Some((total / 3.0).round()),
            completed_wan: None,
            land_mu: Some(f64::from(rng.random_range(10..200))),
            content: "新建厂房及配套设施".into(),
            unit_id: county.units[i % county.units.len()],
            contact: String::new(),
            leader_user_id: None,
            planned: planned.unwrap_or([None; 4]),
        });
    }
    store
        .import_projects(&county.admin, "bench", &inputs, day(2015, 1, 10))
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM projects ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(ids.len(), n);

    // Stages: a sixth of the projects at each of the five pipeline stages and 中止.
    let mut moves = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        let year = YEARS[i % YEARS.len()];
        let steps = (i / 3) % 6;
        for (k, stage) in PIPELINE.iter().enumerate().skip(1).take(steps.min(4)) {
            moves.push(BulkMove {
                project_id: id,
                stage: *stage,
                on: day(year, 2 * k as u8 + 1, 10),
            });
        }
        if steps == 5 {
            moves.push(BulkMove {
                project_id: id,
                stage: Stage::Halted,
                on: day(year, 10, 10),
            });
        }
    }
    qx_store::testing::bulk_stage_moves(store, &moves)
        .await
        .unwrap();

    // 调度: every project, every month; some keep pace with their plan, some fall behind.
    let mut rows = Vec::with_capacity(n * months);
    for (i, (&id, input)) in ids.iter().zip(&inputs).enumerate() {
        let pace = [1.1, 0.95, 0.8, 0.5][i % 4];
        let monthly = input.annual_plan_wan.unwrap_or(0.0) / 12.0 * pace;
        for m in 0..months {
            rows.push(BulkDispatch {
                project_id: id,
                unit_id: input.unit_id,
                period: format!("{}-{:02}", 2015 + m / 12, m % 12 + 1),
                invested_wan: monthly.round(),
                foreign_wusd: (input.capital_kind == CapitalKind::Foreign).then_some(10.0),
                domestic_wan: (input.capital_kind == CapitalKind::Domestic)
                    .then_some(monthly.round()),
            });
        }
    }
    qx_store::testing::bulk_dispatch(store, county.plan_id, &rows)
        .await
        .unwrap();
    if store.engine() == qx_store::Engine::Postgres {
        // As in county::build: a county's database has long been analysed when it is used.
        sqlx::query("VACUUM ANALYZE")
            .execute(store.pool())
            .await
            .unwrap();
    }
    Seeded { towns, ids }
}

/// A project list as the county keeps it: a title, one header row, then `n` projects (Excel
/// rows 3 on), each planning `plan` 万元 this year; with `bad`, the 总投资 of the project on that
/// Excel row is not a number.
fn list_xlsx(
    county: &county::County,
    seeded: &Seeded,
    n: usize,
    plan: u32,
    bad: Option<u32>,
) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("重大项目").unwrap();
    ws.write(0, 0, "象山县2017年重大项目库").unwrap();
    for (c, h) in [
        "序号",
        "项目名称",
        "项目业主",
        "所在镇乡",
        "资金来源",
        "总投资(万元)",
        "年度计划投资(万元)",
        "责任单位",
        "计划开工时间",
    ]
    .iter()
    .enumerate()
    {
        ws.write(1, c as u16, *h).unwrap();
    }
    for i in 0..n {
        let r = 2 + i as u32;
        let total = if bad == Some(r + 1) {
            "约八千万".to_string()
        } else {
            format!("{}", 3_000 + (i * 37) % 50_000)
        };
        let cells = [
            (i + 1).to_string(),
            format!("导入项目{i:05}"),
            format!("象山某实业有限公司{:03}", i % 300),
            seeded.towns[i % seeded.towns.len()].1.clone(),
            if i % 5 == 0 { "外资" } else { "内资" }.to_string(),
            total,
            plan.to_string(),
            format!("测试单位{:02}", i % county.units.len()),
            if i % 2 == 0 { "2017-09-15" } else { "" }.to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write(r, c as u16, v.as_str()).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// Reads every cell of the workbook's first sheet as text: the import's least possible cost.
fn read_cells(bytes: &[u8]) -> usize {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("workbook");
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string().len()).sum::<usize>())
        .sum()
}

async fn run(name: &str, store: Store) {
    let t = Instant::now();
    let shape = Shape {
        units: 60,
        indicators: 60,
        tasks_per_unit: 1,
        approved_months: 0,
    };
    let county = county::build(&store, shape).await;
    let n = env_usize("QX_BENCH_PROJECTS", 10_000);
    let months = env_usize("QX_BENCH_MONTHS", 36).min(36);
    let rounds = env_usize("QX_BENCH_ROUNDS", 30);
    let recompute_rounds = env_usize("QX_BENCH_RECOMPUTE_ROUNDS", 100).max(1);
    let seeded = seed(&store, &county, n, months).await;
    let dispatches: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM project_dispatches")
        .fetch_one(store.pool())
        .await
        .unwrap();
    println!(
        "[{name}] generated {} units, 18 towns, {n} projects, {dispatches} approved 调度 rows ({months} months) in {:.1} s",
        shape.units,
        t.elapsed().as_secs_f64()
    );
    let office = county.admin.clone();

    // Baseline: a plain COUNT(*) over the projects.
    let mut base = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
            .fetch_one(store.pool())
            .await
            .unwrap();
        base.push(t.elapsed());
    }
    let base = report(
        &format!("[{name}] baseline: COUNT(*) projects"),
        &mut base,
        None,
        None,
    );

    // (a) The list page through the router, signed in as the office (reads every project).
    let base_url = county::serve(&store).await;
    let client = county::login(&base_url, "admin").await;
    let deep = (n / 50).saturating_sub(2).max(1);
    let filters = [
        ("no filter", String::new()),
        ("stage=开工", "stage=started".to_string()),
        ("town", format!("town={}", seeded.towns[3].0)),
        ("light=red", "light=red".to_string()),
        ("亿元以上", "major=1".to_string()),
        ("unit", format!("unit={}", county.units[7])),
        ("year=2017 + 亿元以上", "year=2017&major=1".to_string()),
        ("deep page", format!("page={deep}")),
    ];
    for (label, query) in &filters {
        let url = format!("{base_url}/projects?{query}");
        let mut samples = Vec::new();
        let mut bytes = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let resp = client.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            bytes = resp.bytes().await.unwrap().len();
            samples.push(t.elapsed());
        }
        report(
            &format!("[{name}] list page, {label} ({} KB)", bytes / 1024),
            &mut samples,
            Some(100.0),
            Some(base),
        );
    }
    // Of which the store's list (no rendering, no HTTP).
    let mut samples = Vec::new();
    for _ in 0..rounds.min(10) {
        let t = Instant::now();
        store
            .list_projects(&office, &Default::default())
            .await
            .unwrap();
        samples.push(t.elapsed());
    }
    report(
        &format!("[{name}]   of which the store's full list"),
        &mut samples,
        None,
        Some(base),
    );

    // (b) Every project's light (the list without filters judges each), the alerts sweep and
    // the indicator counts with the funnel.
    let today = qx_core::time::today();
    assert!(
        qx_store::testing::next_stage_drift(&store)
            .await
            .unwrap()
            .is_empty(),
        "[{name}] the stored next planned stages differ from the stages"
    );
    let t = Instant::now();
    let first = store.sweep_project_alerts(today).await.unwrap();
    println!(
        "[{name}] first alerts sweep (writes {} notices for {} projects): {:.1} ms",
        first.notices.len(),
        first.alerted,
        ms(t.elapsed())
    );
    // The paths as they read before, each timed in this loop of its own and giving what the
    // recompute below must equal. Timed apart from the recompute so that neither warms or
    // evicts the other's pages between its samples.
    let mut sweep_before = Vec::new();
    let mut counts_from_months = Vec::new();
    let mut funnels_before = Vec::new();
    let mut before = None;
    for _ in 0..rounds.min(20) {
        // 到位 summed from every approved month.
        let t = Instant::now();
        let summed = store
            .project_stage_counts_as_of_from_months(2017, day(2017, 11, 30))
            .await
            .unwrap();
        counts_from_months.push(t.elapsed());
        // The sweep as it read before migration 0036.
        let t = Instant::now();
        let alerted = qx_store::testing::project_alerts_as_before(&store, today)
            .await
            .unwrap();
        sweep_before.push(t.elapsed());
        // The funnel as it read before migration 0037.
        let t = Instant::now();
        let items = qx_store::testing::funnel_items_as_before(&store, &office, Some(2017))
            .await
            .unwrap();
        let rows: Vec<_> = Dimension::ALL
            .iter()
            .map(|d| funnel(&items.projects, &items.leads, *d))
            .collect();
        funnels_before.push(t.elapsed());
        before = Some((alerted, summed, items, rows));
    }
    let (alerted, summed, items_before, rows_before) = before.expect("at least one round");
    // The recompute: the same three calls on the same data, over enough rounds that p99 is a
    // 99th percentile (over 20 it was the slowest sample).
    let mut sweep = Vec::new();
    let mut counts = Vec::new();
    let mut funnels = Vec::new();
    let mut all = Vec::new();
    for _ in 0..recompute_rounds {
        let t0 = Instant::now();
        let again = store.sweep_project_alerts(today).await.unwrap();
        let t1 = Instant::now();
        let c = store
            .project_stage_counts_as_of(2017, day(2017, 11, 30))
            .await
            .unwrap();
        let t2 = Instant::now();
        let items = store.funnel_items(&office, Some(2017)).await.unwrap();
        let rows: Vec<_> = Dimension::ALL
            .iter()
            .map(|d| funnel(&items.projects, &items.leads, *d))
            .collect();
        let t3 = Instant::now();
        assert!(again.notices.is_empty(), "an alert told twice");
        assert_eq!(
            again.alerted, alerted,
            "the sweep judged otherwise than before"
        );
        assert!(c.signed > 0 && c.producing > 0);
        assert_eq!(c, summed, "the stored 到位 sums differ from the months");
        assert_eq!(items, items_before, "the funnel read otherwise than before");
        assert_eq!(
            rows, rows_before,
            "the funnel counted otherwise than before"
        );
        sweep.push(t1 - t0);
        counts.push(t2 - t1);
        funnels.push(t3 - t2);
        all.push(t3 - t0);
    }
    report(
        &format!("[{name}] alerts sweep (lights + alerts, all told)"),
        &mut sweep,
        Some(100.0),
        Some(base),
    );
    report(
        &format!("[{name}]   before: pending stages, told keys, names read each time"),
        &mut sweep_before,
        None,
        Some(base),
    );
    report(
        &format!("[{name}] indicator stage counts (2017-11)"),
        &mut counts,
        Some(100.0),
        Some(base),
    );
    report(
        &format!("[{name}]   before: 到位 summed from the months"),
        &mut counts_from_months,
        None,
        Some(base),
    );
    report(
        &format!("[{name}] funnel (items + every dimension)"),
        &mut funnels,
        Some(100.0),
        Some(base),
    );
    report(
        &format!("[{name}]   before: names joined, four stage rows per project"),
        &mut funnels_before,
        None,
        Some(base),
    );
    report(
        &format!("[{name}] sweep + counts + funnel together"),
        &mut all,
        Some(100.0),
        Some(base),
    );
    // Where the time goes: the sweep's and the funnel's reads alone, packed into one value
    // (SQLite, `store::packed`) and as plain rows, each pair timed back to back in one loop so
    // that the machine's load falls on both alike.
    let mut reads: [Vec<Duration>; 4] = Default::default();
    for _ in 0..recompute_rounds {
        for (k, packed) in [(0, true), (1, false)] {
            let t = Instant::now();
            let n = qx_store::testing::sweep_read(&store, packed).await.unwrap();
            if n.is_some() {
                reads[k].push(t.elapsed());
            }
        }
        for (k, packed) in [(2, true), (3, false)] {
            let t = Instant::now();
            qx_store::testing::funnel_read(&store, &office, Some(2017), packed)
                .await
                .unwrap();
            reads[k].push(t.elapsed());
        }
    }
    let labels = [
        "sweep's read, packed",
        "sweep's read, plain rows",
        "funnel's projects read, as funnel_items reads them",
        "funnel's projects read, plain rows",
    ];
    for (label, samples) in labels.iter().zip(reads.iter_mut()) {
        if !samples.is_empty() {
            report(
                &format!("[{name}]   of which the {label}"),
                samples,
                None,
                Some(base),
            );
        }
    }

    // (c) Importing a 5,000-row list through `project_excel`, as the web and `qx project import`.
    let size = env_usize("QX_BENCH_IMPORT", 5_000);
    let good = list_xlsx(&county, &seeded, size, 1000, None);
    let bad_row = (size as u32).saturating_sub(3).max(1) + 2;
    let bad = list_xlsx(&county, &seeded, size, 1000, Some(bad_row));
    let mut read = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        assert!(read_cells(&good) > 0);
        read.push(t.elapsed());
    }
    let read = report(
        &format!("[{name}] baseline: read the {size}-row .xlsx's cells"),
        &mut read,
        None,
        None,
    );
    let before = qx_store::testing::table_counts(&store).await.unwrap();
    let t = Instant::now();
    let err = qx_app::project_excel::import_projects(&store, &office, &bad, "bad.xlsx", 2017)
        .await
        .unwrap_err();
    let mut refused = vec![t.elapsed()];
    let qx_app::AppError::Rows(problems) = &err else {
        panic!("[{name}] expected row problems, got {err:?}")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&format!("第{bad_row}行 F列")),
        "{problems:?}"
    );
    let after = qx_store::testing::table_counts(&store).await.unwrap();
    assert_eq!(
        before, after,
        "[{name}] a bad list changed the database's row counts"
    );
    report(
        &format!("[{name}] import refused (1 bad cell on row {bad_row})"),
        &mut refused,
        Some(2000.0),
        Some(read),
    );
    println!(
        "[{name}]   every table's row count unchanged ({} tables)",
        after.len()
    );
    let mut created = Vec::new();
    let t = Instant::now();
    let s = qx_app::project_excel::import_projects(&store, &office, &good, "good.xlsx", 2017)
        .await
        .unwrap();
    created.push(t.elapsed());
    assert_eq!((s.created, s.updated), (size, 0));
    report(
        &format!("[{name}] import {size} rows, all new"),
        &mut created,
        Some(2000.0),
        Some(read),
    );
    let mut updated = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let s = qx_app::project_excel::import_projects(&store, &office, &good, "good.xlsx", 2017)
            .await
            .unwrap();
        updated.push(t.elapsed());
        assert_eq!((s.created, s.updated), (0, size));
    }
    report(
        &format!("[{name}] import {size} rows, all updates (none changed)"),
        &mut updated,
        Some(2000.0),
        Some(read),
    );
    // The same projects with a new 年度计划投资 each round: every row changed and written.
    let mut changed = Vec::new();
    for plan in [1100, 1200, 1300] {
        let file = list_xlsx(&county, &seeded, size, plan, None);
        let t = Instant::now();
        let s = qx_app::project_excel::import_projects(&store, &office, &file, "plan.xlsx", 2017)
            .await
            .unwrap();
        changed.push(t.elapsed());
        assert_eq!((s.created, s.updated), (0, size));
        let written: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM projects WHERE name LIKE '导入项目%' AND annual_plan_wan = $1",
        )
        .bind(f64::from(plan))
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            written as usize, size,
            "[{name}] every row's new plan written"
        );
    }
    report(
        &format!("[{name}] import {size} rows, all updates (every row changed)"),
        &mut changed,
        Some(2000.0),
        Some(read),
    );
    let _ = seeded.ids;
}

fn main() {
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for db in qx_store::testing::all().await.unwrap() {
            run(db.name, db.store.clone()).await;
            db.discard().await.unwrap();
        }
    });
    println!(
        "load average: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
