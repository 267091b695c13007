//! 企业培育库 (#17) against its targets, on a county far larger than any real one: 100,000
//! enterprises (two years of facts each) with 300,000 pipeline entries (three per firm over the
//! built-in pipelines, at every stage, with their dated moves):
//!
//! - a pipeline's entries list, p50 and p99, with each filter (pipeline alone, stage, town,
//!   industry, all of them, and page 200), < 100 ms p99;
//! - recomputing every 小升规 candidate and every cultivation indicator (each milestone, each
//!   month of the year, as the monitoring picture does), < 200 ms;
//! - matching a 20,000-row official list (codes, exact names, close names, unknown names)
//!   against the registry, < 1 s.
//!
//! Both engines: SQLite always, PostgreSQL too when `QX_TEST_DATABASE_URL` is set (VACUUM
//! ANALYZE after loading there). `QX_BENCH_ENTERPRISES` scales the county down for a quick run
//! (entries stay three per firm, the list 20 % of the registry). Plain timing, not criterion.
//!
//! Run: `cargo bench -p qx-app --bench cultivation`.

use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::period::Period;
use qx_store::Store;
use qx_store::cultivation::{EntryFilter, ListLine, match_lines};
use qx_store::indicator_source::IndicatorSource;
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 of runs, in ms.
fn percentiles(mut runs: Vec<Duration>) -> (f64, f64) {
    runs.sort();
    let at = |q: f64| ms(runs[((runs.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.99))
}

/// A valid credit code for firm `i` (the check character computed).
fn code(i: usize) -> String {
    CreditCode::complete(&format!("91330225{:09}", 100_000_000 + i))
        .unwrap()
        .as_str()
        .to_string()
}

const TOWNS: usize = 18;
async fn exec(store: &Store, sql: &'static str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

/// The baseline, timed in the same run on the same data: the list's single query as it was
/// before the per-stage reading (migration 0030), for the office (scope binds 1, -1, -1): every
/// filter an `OR` of a bound value, the total by `COUNT(*) OVER ()`, the order sorted.
const BASELINE_LIST: &str = "SELECT ce.id, ce.enterprise_id, e.credit_code, ce.name, ce.reg_no, t.name AS town_name, \
     e.industry_code, s.name AS stage_name, ce.status, ce.entered_on, ce.stage_since, ce.expires_on, \
     COUNT(*) OVER () AS total \
     FROM cultivation_entries ce JOIN cultivation_pipelines p ON p.id = ce.pipeline_id \
     JOIN cultivation_stages s ON s.id = ce.stage_id \
     LEFT JOIN enterprises e ON e.id = ce.enterprise_id \
     LEFT JOIN units t ON t.id = ce.town_id \
     WHERE ($1 = 1 OR ce.enterprise_id = $2 OR ce.town_id = $3 OR p.responsible_unit_id = $3) \
     AND ce.pipeline_id = $4 AND ce.status = $5 AND ($6 = -1 OR ce.stage_id = $6) \
     AND ($7 = -1 OR ce.town_id = $7) AND ($8 = '' OR e.industry_code LIKE $8) \
     AND ($9 = '' OR ce.name LIKE $9 OR e.credit_code LIKE $9 OR ce.reg_no LIKE $9) \
     ORDER BY s.ordinal DESC, ce.stage_since DESC, ce.id LIMIT $10 OFFSET $11";

/// The baseline of the candidates: their query as it was, the latest year by a correlated
/// `MAX(year)` per fact row, read by a scan of every fact row as before migration 0033's index:
/// `|| ''` and `+ 0` keep either planner off that index, nothing else differs. The indicators'
/// baseline is the grouping of the moves they were read by before migration 0033's daily counts.
const BASELINE_CANDIDATES: &str = "SELECT e.id, e.name, e.credit_code, t.name, e.industry_code, f.year, f.revenue_wan, ce.id, ce.stage_id \
     FROM enterprise_facts f JOIN enterprises e ON e.id = f.enterprise_id \
     LEFT JOIN units t ON t.id = e.town_id \
     LEFT JOIN cultivation_entries ce ON ce.enterprise_id = e.id AND ce.pipeline_id = $4 AND ce.status = 'active' \
     WHERE ($1 = 1 OR e.id = $2 OR e.town_id = $3) AND f.scale || '' = 'below' AND f.revenue_wan + 0 >= $5 \
     AND f.year = (SELECT MAX(g.year) FROM enterprise_facts g WHERE g.enterprise_id = f.enterprise_id)";

/// The baseline list: rows and total as the old query gave them.
async fn baseline_list(store: &Store, f: &EntryFilter) -> (usize, i64) {
    use sqlx::Row;
    let pattern = |s: &str, before: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!("{before}{s}%")
        }
    };
    let rows = sqlx::query(BASELINE_LIST)
        .bind(1i64)
        .bind(-1i64)
        .bind(-1i64)
        .bind(f.pipeline_id)
        .bind("active")
        .bind(f.stage_id.unwrap_or(-1))
        .bind(f.town_id.unwrap_or(-1))
        .bind(pattern(&f.industry, ""))
        .bind(pattern(&f.q, "%"))
        .bind(f.limit)
        .bind(f.offset)
        .fetch_all(store.pool())
        .await
        .unwrap();
    let total = rows.first().map_or(0, |r| r.get::<i64, _>("total"));
    (rows.len(), total)
}

/// Loads `n` firms and `3n` entries with their moves; answers the town ids.
async fn load(store: &Store, n: usize, postgres: bool) -> Vec<i64> {
    for t in 0..TOWNS {
        sqlx::query(
            "INSERT INTO units (kind, name, full_name, slug, sort_order, created_at, updated_at) \
             VALUES ('town', $1, $2, $3, $4, 0, 0)",
        )
        .bind(format!("测试镇{t:02}"))
        .bind(format!("测试镇{t:02}人民政府"))
        .bind(format!("bench-town-{t}"))
        .bind(t as i64)
        .execute(store.pool())
        .await
        .unwrap();
    }
    let towns: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM units WHERE slug LIKE 'bench-town-%' ORDER BY sort_order")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let towns: Vec<i64> = towns.into_iter().map(|(id,)| id).collect();

    exec(
        store,
        "CREATE TABLE bench_codes (i BIGINT PRIMARY KEY, code TEXT NOT NULL)",
    )
    .await;
    exec(
        store,
        "CREATE TABLE bench_towns (k BIGINT PRIMARY KEY, town_id BIGINT NOT NULL)",
    )
    .await;
    exec(store, "CREATE TABLE bench_rounds (r BIGINT PRIMARY KEY)").await;
    exec(
        store,
        "CREATE TABLE bench_days (k BIGINT PRIMARY KEY, day TEXT NOT NULL)",
    )
    .await;
    exec(
        store,
        "CREATE TABLE bench_stages (pi BIGINT NOT NULL, si BIGINT NOT NULL, pipeline_id BIGINT NOT NULL, \
         stage_id BIGINT NOT NULL, stages BIGINT NOT NULL, first_id BIGINT NOT NULL, PRIMARY KEY (pi, si))",
    )
    .await;
    for (k, id) in towns.iter().enumerate() {
        sqlx::query("INSERT INTO bench_towns (k, town_id) VALUES ($1, $2)")
            .bind(k as i64)
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
    }
    for r in 0..3i64 {
        sqlx::query("INSERT INTO bench_rounds (r) VALUES ($1)")
            .bind(r)
            .execute(store.pool())
            .await
            .unwrap();
    }
    // 2016-01-01 … 2017-12-31 by index.
    let mut d = Period::new_year(2016).unwrap().first_day();
    for k in 0..731i64 {
        sqlx::query("INSERT INTO bench_days (k, day) VALUES ($1, $2)")
            .bind(k)
            .bind(d.to_string())
            .execute(store.pool())
            .await
            .unwrap();
        d = d.next_day().unwrap();
    }
    let pipelines = store.cultivation_pipelines().await.unwrap();
    let p_count = pipelines.len() as i64;
    assert!(p_count >= 3);
    for (pi, p) in pipelines.iter().enumerate() {
        for (si, s) in p.stages.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bench_stages (pi, si, pipeline_id, stage_id, stages, first_id) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(pi as i64)
            .bind(si as i64)
            .bind(p.id)
            .bind(s.id)
            .bind(p.stages.len() as i64)
            .bind(p.stages[0].id)
            .execute(store.pool())
            .await
            .unwrap();
        }
    }
    // The codes in chunks, each one bound text of fixed-width pieces cut by a counted series.
    // Chunks, not one text: a character offset into a long UTF-8 text is a walk from its start
    // on both engines, so one text of every code would be quadratic (it never finished on
    // PostgreSQL at 100,000 firms).
    const CHUNK: usize = 500;
    for from in (0..n).step_by(CHUNK) {
        let to = (from + CHUNK).min(n);
        let text: String = (from..to).map(code).collect();
        sqlx::query(
            "INSERT INTO bench_codes (i, code) WITH RECURSIVE s(i) AS \
             (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $1) \
             SELECT $2 + i, SUBSTR($3, i * 18 + 1, 18) FROM s",
        )
        .bind((to - from) as i64)
        .bind(from as i64)
        .bind(text)
        .execute(store.pool())
        .await
        .unwrap();
    }

    let n_i = n as i64;
    // Firms: ids from 1,000,000; one in three 规上; industries over 30 大类; every town.
    sqlx::query(
        "INSERT INTO enterprises (id, credit_code, name, town_id, industry_code, scale, created_at, updated_at) \
         SELECT 1000000 + c.i, c.code, '测试企业' || CAST(c.i AS TEXT) || '有限公司', t.town_id, \
         CAST((13 + c.i % 30) * 100 + 11 + c.i % 7 AS TEXT), \
         CASE WHEN c.i % 3 = 0 THEN 'above' ELSE 'below' END, 0, 0 \
         FROM bench_codes c JOIN bench_towns t ON t.k = c.i % $1",
    )
    .bind(TOWNS as i64)
    .execute(store.pool())
    .await
    .unwrap();
    // Two years of facts; one firm in twenty near the 规上 line, so a few thousand candidates.
    sqlx::query(
        "INSERT INTO enterprise_facts (enterprise_id, year, scale, revenue_wan, source, updated_at) \
         SELECT 1000000 + c.i, 2015 + r.r, CASE WHEN c.i % 3 = 0 THEN 'above' ELSE 'below' END, \
         CASE WHEN c.i % 20 = 0 THEN (c.i * 37 + r.r * 100) % 2500 ELSE (c.i * 37) % 1400 END, 'bench', 0 \
         FROM bench_codes c JOIN bench_rounds r ON r.r < 2",
    )
    .execute(store.pool())
    .await
    .unwrap();
    // Entries: firm i on pipelines (i + r) mod P for r = 0, 1, 2, at stage (7·k) mod stages;
    // one in ten exited; entered in 2016, at its stage since a day of 2017.
    sqlx::query(
        "INSERT INTO cultivation_entries (id, pipeline_id, enterprise_id, name, town_id, stage_id, status, \
         entered_on, stage_since, created_at, updated_at) \
         SELECT 2000000 + r.r * $1 + c.i, s.pipeline_id, 1000000 + c.i, '测试企业' || CAST(c.i AS TEXT) || '有限公司', \
         t.town_id, s.stage_id, CASE WHEN (r.r * $1 + c.i) % 10 = 0 THEN 'exited' ELSE 'active' END, \
         d1.day, d2.day, 0, 0 \
         FROM bench_codes c JOIN bench_rounds r ON 1 = 1 JOIN bench_towns t ON t.k = c.i % $2 \
         JOIN bench_stages s ON s.pi = (c.i + r.r) % $3 AND s.si = ((r.r * $1 + c.i) * 7) % s.stages \
         JOIN bench_days d1 ON d1.k = (r.r * $1 + c.i) % 366 \
         JOIN bench_days d2 ON d2.k = 366 + (r.r * $1 + c.i) % 339",
    )
    .bind(n_i)
    .bind(TOWNS as i64)
    .bind(p_count)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cultivation_moves (entry_id, kind, from_stage_id, to_stage_id, on_date, created_at) \
         SELECT ce.id, 'enter', NULL, s.first_id, ce.entered_on, 0 FROM cultivation_entries ce \
         JOIN bench_stages s ON s.stage_id = ce.stage_id WHERE ce.id >= 2000000",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cultivation_moves (entry_id, kind, from_stage_id, to_stage_id, on_date, created_at) \
         SELECT ce.id, 'advance', s.first_id, ce.stage_id, ce.stage_since, 0 FROM cultivation_entries ce \
         JOIN bench_stages s ON s.stage_id = ce.stage_id WHERE ce.id >= 2000000 AND s.si > 0",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cultivation_moves (entry_id, kind, from_stage_id, to_stage_id, on_date, created_at) \
         SELECT ce.id, 'exit', ce.stage_id, NULL, ce.stage_since, 0 FROM cultivation_entries ce \
         WHERE ce.id >= 2000000 AND ce.status = 'exited'",
    )
    .execute(store.pool())
    .await
    .unwrap();
    // The moves went in by SQL, not through the store's writer of moves: count them as
    // migration 0033 counts a library's moves.
    store.recount_cultivation_reached().await.unwrap();
    exec(store, "DROP TABLE bench_codes").await;
    exec(store, "DROP TABLE bench_towns").await;
    exec(store, "DROP TABLE bench_rounds").await;
    exec(store, "DROP TABLE bench_days").await;
    exec(store, "DROP TABLE bench_stages").await;
    if postgres {
        exec(store, "VACUUM ANALYZE").await;
    } else {
        exec(store, "ANALYZE").await;
    }
    towns
}

/// The list a department publishes: 20 % of the registry's size, half by credit code, a
/// quarter by exact name, a tenth with a name one character off, the rest unknown.
fn official_list(n: usize) -> Vec<ListLine> {
    let rows = n / 5;
    (0..rows)
        .map(|r| {
            let i = (r * 7919) % n;
            let (name, credit_code) = match r % 20 {
                0..10 => (format!("测试企业{i}有限公司"), code(i)),
                10..15 => (format!("测试企业{i}有限公司"), String::new()),
                15..17 => (format!("测试企业{i}有限责任公司"), String::new()),
                _ => (format!("未登记商号{r}"), String::new()),
            };
            ListLine {
                line: r as u64 + 2,
                at_name: format!("名单第{}行 \"企业名称\"", r + 2),
                at_code: format!("名单第{}行 \"统一社会信用代码\"", r + 2),
                name,
                credit_code,
                reg_no: String::new(),
                certificate_no: String::new(),
                on_date: None,
                town_id: None,
                problems: Vec::new(),
            }
        })
        .collect()
}

async fn run(db: &qx_store::testing::TestDb, engine: &str, n: usize) {
    let store = &db.store;
    let t = Instant::now();
    let towns = load(store, n, engine == "postgres").await;
    println!(
        "[{engine}] loaded {n} enterprises, {} entries in {:.1} s",
        3 * n,
        t.elapsed().as_secs_f64()
    );
    let office = Actor {
        user_id: 0,
        username: "bench".into(),
        role: Role::Admin,
        unit_id: None,
        enterprise_id: None,
        ip: String::new(),
    };
    let xsg = store.cultivation_pipeline_by_code("xsg").await.unwrap();
    let base = EntryFilter {
        pipeline_id: xsg.id,
        limit: 50,
        ..EntryFilter::default()
    };
    let cases = [
        ("pipeline", base.clone()),
        (
            "stage",
            EntryFilter {
                stage_id: Some(xsg.stages[1].id),
                ..base.clone()
            },
        ),
        (
            "town",
            EntryFilter {
                town_id: Some(towns[3]),
                ..base.clone()
            },
        ),
        (
            "industry",
            EntryFilter {
                industry: "34".into(),
                ..base.clone()
            },
        ),
        (
            "all filters",
            EntryFilter {
                stage_id: Some(xsg.stages[1].id),
                town_id: Some(towns[3]),
                industry: "34".into(),
                q: "测试".into(),
                ..base.clone()
            },
        ),
        (
            "page 200",
            EntryFilter {
                offset: 199 * 50,
                ..base.clone()
            },
        ),
    ];
    for (label, f) in &cases {
        let mut runs = Vec::new();
        let mut before = Vec::new();
        let mut total = 0;
        for _ in 0..50 {
            let t = Instant::now();
            let (rows, n) = store.cultivation_entries(&office, f).await.unwrap();
            runs.push(t.elapsed());
            let t = Instant::now();
            let old = baseline_list(store, f).await;
            before.push(t.elapsed());
            assert_eq!(
                (rows.len(), n),
                old,
                "{label}: the same page and total as before"
            );
            total = n;
        }
        let (p50, p99) = percentiles(runs);
        let (b50, b99) = percentiles(before);
        println!(
            "[{engine}] entries list, {label} ({total} rows): p50 {p50:.1} ms, p99 {p99:.1} ms (target p99 < 100); \
             baseline (previous query) p50 {b50:.1}, p99 {b99:.1}: ratio p99 {:.2}",
            p99 / b99
        );
    }

    let sources: HashMap<i64, IndicatorSource> = IndicatorSource::ALL
        .into_iter()
        .filter(|s| s.cultivation_milestone().is_some())
        .enumerate()
        .map(|(i, s)| (i as i64, s))
        .collect();
    let mut runs = Vec::new();
    let mut found = (0, 0);
    for _ in 0..15 {
        let t = Instant::now();
        let candidates = store.cultivation_candidates(&office).await.unwrap();
        let series = qx_app::monitoring::cultivation_series(store, &sources, 2017, 12)
            .await
            .unwrap();
        runs.push(t.elapsed());
        found = (candidates.len(), series.len());
    }
    let (p50, p99) = percentiles(runs);
    let xsg_id = xsg.id;
    let mut before = Vec::new();
    let mut old_found = 0;
    for _ in 0..15 {
        let t = Instant::now();
        old_found = sqlx::query(BASELINE_CANDIDATES)
            .bind(1i64)
            .bind(-1i64)
            .bind(-1i64)
            .bind(xsg_id)
            .bind(store.cultivation_candidate_floor().await.unwrap())
            .fetch_all(store.pool())
            .await
            .unwrap()
            .len();
        let old_counts = store
            .cultivation_reached_by_month_from_moves(2017, "2017-12-31")
            .await
            .unwrap();
        before.push(t.elapsed());
        assert_eq!(
            store
                .cultivation_reached_by_month(2017, "2017-12-31")
                .await
                .unwrap(),
            old_counts,
            "the kept daily counts give what grouping the moves gives"
        );
    }
    let (b50, b99) = percentiles(before);
    println!(
        "[{engine}] every candidate ({}) and every cultivation indicator ({} × 12 months): \
         p50 {p50:.1} ms, p99 {p99:.1} ms (target < 200); baseline (previous candidates query, \
         {old_found} fact rows before the in-memory test, and the indicators grouped from the moves) \
         p50 {b50:.1}, p99 {b99:.1}: ratio p99 {:.2}",
        found.0,
        found.1,
        p99 / b99
    );

    let list = official_list(n);
    let rows = list.len();
    let mut runs = Vec::new();
    let mut parts = Vec::new();
    let mut matched = 0;
    for _ in 0..5 {
        let lines = list.clone();
        let t = Instant::now();
        let registry = store.matching_registry(&office).await.unwrap();
        let read = t.elapsed();
        let out = match_lines(&registry, false, lines);
        runs.push(t.elapsed());
        parts.push((ms(read), ms(t.elapsed() - read)));
        matched = out
            .iter()
            .filter(|r| {
                matches!(
                    r.matched,
                    qx_store::cultivation::RowMatch::ByCode { .. }
                        | qx_store::cultivation::RowMatch::ByName { .. }
                )
            })
            .count();
    }
    let (p50, p99) = percentiles(runs);
    let parts: Vec<String> = parts
        .iter()
        .map(|(read, matching)| format!("{read:.0}+{matching:.0}"))
        .collect();
    println!(
        "[{engine}] matching a {rows}-row list against {n} firms ({matched} matched): \
         p50 {p50:.0} ms, max {p99:.0} ms (target < 1,000); each run, registry read and indexed + lines matched: {} ms",
        parts.join(", ")
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then only build.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("QX_BENCH_ENTERPRISES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dbs = qx_store::testing::all().await.unwrap();
        for (db, engine) in dbs.iter().zip(["sqlite", "postgres"]) {
            run(db, engine, n).await;
        }
    });
}
