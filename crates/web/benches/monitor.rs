//! Monitoring at county scale: the two targets of issue #4, against the real server on loopback.
//!
//! 1. **Dashboard**: a county of 60 units, a plan of 500 indicators spread over them and 12
//!    approved months; 50 signed-in leaders hammer `GET /monitor` at once (target p99 < 50 ms).
//!    Also measured: the picture computed from scratch and served from the cache in-process,
//!    and the dashboard right after a write (the cache is invalidated by every audited change).
//! 2. **Month-end surge**: 60 units, each with 40 indicators and 10 tasks, all post their
//!    period's report (`POST /report/{period}`, action=submit) at the same instant; three rounds
//!    (three months). Target p99 < 200 ms; afterwards the database must hold every submission
//!    exactly once with all its figures. The baseline is one unit submitting alone.
//!
//! The dashboard part also times the same picture over the API (`/api/v1/plans/{id}/picture`)
//! as a ratio of the page's time in the same run.
//!
//! Both run on SQLite and, when `QX_TEST_DATABASE_URL` is set, on PostgreSQL.
//!
//! Run:
//! ```text
//! cargo bench -p qx-web --bench monitor
//! QX_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres cargo bench -p qx-web --bench monitor
//! ```
//! Knobs: `QX_BENCH_ONLY=dashboard|surge`, `QX_BENCH_CLIENTS` (50), `QX_BENCH_REQUESTS` (requests
//! per client, 20), `QX_BENCH_ROUNDS` (surge rounds, 3).

#[path = "support/county.rs"]
mod county;

use county::{County, Shape};
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_store::{AuditEntry, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time of this whole process (server, clients and SQLite threads), from /proc.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the name), in ticks.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// CPU time of every local PostgreSQL process (backends, and those already exited through
/// the postmaster's child times): the database's share of a round on this machine.
fn postgres_cpu() -> Duration {
    let mut ticks = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        if !head.ends_with("(postgres") {
            continue;
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime, stime, cutime, cstime: fields 14–17 of the line (11–14 after the name).
        ticks += (11..=14)
            .filter_map(|i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
            .sum::<u64>();
    }
    Duration::from_millis(ticks * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints one line of the table; returns p50.
fn report(name: &str, samples: &mut [Duration], target_ms: Option<f64>) -> Duration {
    let p50 = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    let verdict = match target_ms {
        Some(t) if ms(p99) < t => format!("ok (< {t} ms)"),
        Some(t) => format!("OVER {t} ms"),
        None => String::new(),
    };
    println!(
        "{name:<62} n={:<5} p50 {:>8.2} ms  p99 {:>8.2} ms  {verdict}",
        samples.len(),
        ms(p50),
        ms(p99)
    );
    p50
}

// ------------------------------------------------------------------------------ dashboard

async fn dashboard(name: &str, store: Store) {
    let t = Instant::now();
    let shape = Shape {
        units: 60,
        indicators: 500,
        tasks_per_unit: 2,
        approved_months: 12,
    };
    let county = county::build(&store, shape).await;
    println!(
        "[{name}] generated {} units × {} indicators × {} approved months in {:.1} s",
        shape.units,
        shape.indicators,
        shape.approved_months,
        t.elapsed().as_secs_f64()
    );
    let leader = store
        .find_user_by_username("leader")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let dec = Period::new_month(county::YEAR as i32, 12).unwrap();

    // In-process: the picture from scratch, then from the cache.
    let mut fresh = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let pic = qx_app::monitoring::picture(&store, &leader, county.plan_id, dec)
            .await
            .unwrap();
        fresh.push(t.elapsed());
        assert_eq!(pic.indicators.len(), shape.indicators);
        assert!(pic.indicators.iter().all(|i| i.actual.is_some()));
    }
    let base = report(
        &format!("[{name}] picture() computed (in-process)"),
        &mut fresh,
        None,
    );
    let cache = qx_app::monitoring::PictureCache::default();
    let mut cached = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let pic = cache
            .picture(&store, &leader, county.plan_id, dec)
            .await
            .unwrap();
        cached.push(t.elapsed());
        assert_eq!(pic.indicators.len(), shape.indicators);
    }
    let hit = report(
        &format!("[{name}] PictureCache::picture() (in-process)"),
        &mut cached,
        None,
    );
    println!(
        "[{name}]   cache hit vs computed at p50: {:.1}× faster",
        ms(base) / ms(hit).max(1e-6)
    );

    // Over HTTP: first without the cache (every request computes, as before it existed),
    // then with it.
    let clients_n = env_usize("QX_BENCH_CLIENTS", 50);
    let requests = env_usize("QX_BENCH_REQUESTS", 20);
    let before = http_dashboard(
        &format!("[{name}] no cache:"),
        &store,
        qx_app::monitoring::PictureCache::disabled(),
        county.plan_id,
        clients_n,
        requests,
    )
    .await;
    let after = http_dashboard(
        &format!("[{name}] cached:"),
        &store,
        qx_app::monitoring::PictureCache::default(),
        county.plan_id,
        clients_n,
        requests,
    )
    .await;
    println!(
        "[{name}]   {clients_n} clients, cached vs no cache: p50 {:.1}× faster, p99 {:.1}× faster",
        ms(before.0) / ms(after.0).max(1e-6),
        ms(before.1) / ms(after.1).max(1e-6)
    );
}

/// One server with `cache`; one client (after a write, then warm), then `clients_n` clients
/// at once. Returns the concurrent (p50, p99).
async fn http_dashboard(
    label: &str,
    store: &Store,
    cache: qx_app::monitoring::PictureCache,
    plan_id: i64,
    clients_n: usize,
    requests: usize,
) -> (Duration, Duration) {
    let base_url = county::serve_with(store, cache).await;
    let url = format!("{base_url}/monitor");
    let mut clients = Vec::new();
    for _ in 0..clients_n {
        clients.push(county::login(&base_url, "leader").await);
    }
    let page = clients[0].get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(
        body.contains("测试指标499"),
        "the dashboard lists every indicator"
    );
    println!("{label} dashboard page is {} KiB", body.len() / 1024);

    // One client, each request right after a write (a cache would be cold every time).
    let system = Actor::system();
    let mut cold = Vec::new();
    for i in 0..15 {
        store
            .audit(AuditEntry::new(&system, "bench.touch", "bench", i))
            .await
            .unwrap();
        let t = Instant::now();
        let resp = clients[0].get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
        cold.push(t.elapsed());
    }
    report(
        &format!("{label} GET /monitor, 1 client, after a write"),
        &mut cold,
        None,
    );
    let mut warm = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let resp = clients[0].get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
        warm.push(t.elapsed());
    }
    let page = report(&format!("{label} GET /monitor, 1 client"), &mut warm, None);
    // The same picture over the API, as JSON: it must cost what the page costs.
    let api_url = format!("{base_url}/api/v1/plans/{plan_id}/picture");
    let picture: serde_json::Value = clients[0]
        .get(&api_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(picture["indicators"].as_array().map(Vec::len), Some(500));
    let mut api = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let resp = clients[0].get(&api_url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
        api.push(t.elapsed());
    }
    let api = report(
        &format!("{label} GET /api/v1/plans/{{id}}/picture, 1 client"),
        &mut api,
        None,
    );
    println!(
        "{label}   API picture vs dashboard page at p50: {:.2}x the page's time",
        ms(api) / ms(page).max(1e-6)
    );
    let explicit = format!("{url}?period=2017-12");
    let mut warm = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let resp = clients[0].get(&explicit).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
        warm.push(t.elapsed());
    }
    report(
        &format!("{label} GET /monitor?period=2017-12, 1 client"),
        &mut warm,
        None,
    );
    let mut warm = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let resp = clients[0]
            .get(format!("{base_url}/healthz"))
            .send()
            .await
            .unwrap();
        resp.bytes().await.unwrap();
        warm.push(t.elapsed());
    }
    report(&format!("{label} GET /healthz, 1 client"), &mut warm, None);

    // Every client once to warm up, then all at once.
    for c in &clients {
        c.get(&url).send().await.unwrap().bytes().await.unwrap();
    }
    let start = Arc::new(tokio::sync::Barrier::new(clients_n));
    let t = Instant::now();
    let cpu = cpu_time();
    let mut handles = Vec::new();
    for c in clients {
        let url = url.clone();
        let start = start.clone();
        handles.push(tokio::spawn(async move {
            start.wait().await;
            let mut out = Vec::with_capacity(requests);
            for _ in 0..requests {
                let t = Instant::now();
                let resp = c.get(&url).send().await.unwrap();
                assert_eq!(resp.status(), 200);
                resp.bytes().await.unwrap();
                out.push(t.elapsed());
            }
            out
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let wall = t.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    let p50 = report(
        &format!("{label} GET /monitor, {clients_n} concurrent clients"),
        &mut all,
        Some(50.0),
    );
    let p99 = percentile(&mut all, 0.99);
    println!(
        "{label}   {} requests in {:.2} s: {:.0} req/s, {:.2} ms CPU per request (server + clients), load {}",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        ms(cpu) / all.len() as f64,
        load_average()
    );
    (p50, p99)
}

// ------------------------------------------------------------------------------ surge

/// Posts unit `i`'s report for `period_id` as a submit; returns the request's latency.
async fn submit(
    c: &reqwest::Client,
    base: &str,
    county: &County,
    i: usize,
    period_id: i64,
    month: u8,
    csrf: &str,
) -> Duration {
    let form = County::form(&county.input(i, month), csrf, "submit");
    let t = Instant::now();
    let resp = c
        .post(format!("{base}/report/{period_id}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let took = t.elapsed();
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    assert_eq!(status, 303, "unit {i}: {body}");
    took
}

/// Every unit's submission for the period is stored once, submitted, with all its figures.
async fn verify_exactly_once(store: &Store, county: &County, period_id: i64, month: u8) {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT s.unit_id, COUNT(*), MAX(s.revision), MAX(s.status) FROM submissions s WHERE s.period_id = $1 GROUP BY s.unit_id",
    )
    .bind(period_id)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), county.units.len(), "one submission per unit");
    for (unit, n, rev, status) in &rows {
        assert_eq!(
            (*n, *rev, status.as_str()),
            (1, 1, "submitted"),
            "unit {unit}"
        );
    }
    for (i, &unit) in county.units.iter().enumerate() {
        let input = county.input(i, month);
        let values: Vec<(i64, String)> = sqlx::query_as(
            "SELECT iv.indicator_id, iv.value FROM indicator_values iv JOIN submissions s ON s.id = iv.submission_id
             WHERE s.period_id = $1 AND s.unit_id = $2 ORDER BY iv.indicator_id",
        )
        .bind(period_id)
        .bind(unit)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut expected: Vec<(i64, String)> = input
            .values
            .iter()
            .map(|(id, v, _)| {
                (
                    *id,
                    v.trim_end_matches('0').trim_end_matches('.').to_string(),
                )
            })
            .collect();
        expected.sort();
        assert_eq!(values, expected, "unit {i}'s figures");
        let (tasks,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM task_reports tr JOIN submissions s ON s.id = tr.submission_id WHERE s.period_id = $1 AND s.unit_id = $2",
        )
        .bind(period_id)
        .bind(unit)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(tasks as usize, input.tasks.len(), "unit {i}'s task reports");
    }
}

async fn surge(name: &str, store: Store) {
    let t = Instant::now();
    let shape = Shape {
        units: 60,
        indicators: 60 * 40,
        tasks_per_unit: 10,
        approved_months: 0,
    };
    let county = county::build(&store, shape).await;
    assert!(county.indicators.iter().all(|v| v.len() == 40));
    assert!(county.tasks.iter().all(|v| v.len() == 10));
    println!(
        "[{name}] generated {} units × 40 indicators + 10 tasks in {:.1} s",
        shape.units,
        t.elapsed().as_secs_f64()
    );
    let base = county::serve(&store).await;
    let mut clients = Vec::new();
    for i in 0..shape.units {
        clients.push(county::login(&base, &county::unit_username(i)).await);
    }
    let clients = Arc::new(clients);
    let county = Arc::new(county);

    // Baseline: one unit at a time (month 12 of the plan year, nobody else writing).
    let solo_period = county::open_month(&store, &county, 12).await;
    let token = county::csrf(&clients[0], &format!("{base}/report/{solo_period}")).await;
    let mut solo = Vec::new();
    for (i, c) in clients.iter().enumerate().take(15) {
        let token = if i == 0 {
            token.clone()
        } else {
            county::csrf(c, &format!("{base}/report/{solo_period}")).await
        };
        solo.push(submit(c, &base, &county, i, solo_period, 12, &token).await);
    }
    let solo_p50 = report(
        &format!("[{name}] POST /report (submit), one unit alone"),
        &mut solo,
        None,
    );

    let rounds = env_usize("QX_BENCH_ROUNDS", 3) as u8;
    let mut all = Vec::new();
    for month in 1..=rounds {
        let period_id = county::open_month(&store, &county, month).await;
        let mut tokens = Vec::new();
        for c in clients.iter() {
            tokens.push(county::csrf(c, &format!("{base}/report/{period_id}")).await);
        }
        let start = Arc::new(tokio::sync::Barrier::new(shape.units));
        let t = Instant::now();
        let cpu = cpu_time();
        let db_cpu = postgres_cpu();
        let mut handles = Vec::new();
        for (i, token) in tokens.into_iter().enumerate() {
            let (clients, county, base, start) =
                (clients.clone(), county.clone(), base.clone(), start.clone());
            handles.push(tokio::spawn(async move {
                start.wait().await;
                submit(&clients[i], &base, &county, i, period_id, month, &token).await
            }));
        }
        let mut round = Vec::new();
        for h in handles {
            round.push(h.await.unwrap());
        }
        let wall = t.elapsed();
        let cpu = cpu_time().saturating_sub(cpu);
        let db_cpu = postgres_cpu().saturating_sub(db_cpu);
        verify_exactly_once(&store, &county, period_id, month).await;
        let db_share = if store.engine() == qx_store::Engine::Postgres {
            format!(" + {:.1} ms PostgreSQL", ms(db_cpu) / round.len() as f64)
        } else {
            String::new()
        };
        println!(
            "[{name}]   round {month}: {} submissions in {:.0} ms ({:.1} ms CPU each, server + clients{db_share}), all stored exactly once; load {}",
            round.len(),
            ms(wall),
            ms(cpu) / round.len() as f64,
            load_average()
        );
        all.extend(round);
    }
    let p50 = report(
        &format!("[{name}] POST /report (submit), 60 units at once"),
        &mut all,
        Some(200.0),
    );
    println!(
        "[{name}]   surge p50 vs one unit alone: {:.1}×",
        ms(p50) / ms(solo_p50).max(1e-6)
    );
}

fn main() {
    let only = std::env::var("QX_BENCH_ONLY").unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if only.is_empty() || only == "dashboard" {
            for db in qx_store::testing::all().await.unwrap() {
                dashboard(db.name, db.store.clone()).await;
                db.discard().await.unwrap();
            }
        }
        if only.is_empty() || only == "surge" {
            for db in qx_store::testing::all().await.unwrap() {
                surge(db.name, db.store.clone()).await;
                db.discard().await.unwrap();
            }
        }
    });
}
