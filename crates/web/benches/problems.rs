//! 企业难题 at county scale: 100,000 generated problems (seeded, so every run is the same data).
//!
//! Measures, on SQLite (and PostgreSQL when `QX_TEST_DATABASE_URL` is set), p50 and p99 of:
//! - the problem list page over HTTP, as a signed-in leader and as a unit user: unfiltered,
//!   with filters, with a search, with an offset (target < 100 ms p99);
//! - recomputing every open deadline, the rates overall and by unit, tier and category, and
//!   both together (target < 100 ms p99); the rates for a quarter that starts mid-month (cube
//!   plus partial months); and, as the in-run baseline, the same rates by scanning every row
//!   (`problem_rates_scan`, the definition the cube is checked against here too);
//! - the API list read with the leader's session and with a service token for the leader,
//!   alternating (target: the token costs no more than the session, ratio ≤ 1.0 within noise).
//!
//! - the same lists over the API (`/api/v1/problems`, and a cursor's next page), as a ratio
//!   of the page's time measured in the same run.
//!
//! Run: `cargo bench -p qx-web --bench problems` (`QX_BENCH_PROBLEMS=20000` for a smaller set).
//! The machine's load average is printed first: the figures are wall-clock times.

use qx_core::access::{Actor, Role};
use qx_core::problem::{Category, Deadlines, Satisfaction, Status, Tier, TimeLimits};
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::problems::{Outcome, ProblemSeed, RateFilter, RateGroup, insert_problem_row};
use qx_store::users::NewUser;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Xiangshan#2017";

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn report(name: &str, samples: &mut [Duration]) {
    let p50 = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    let verdict = if p99 < Duration::from_millis(100) {
        "ok"
    } else {
        "OVER 100 ms"
    };
    println!(
        "{name:<58} n={:<4} p50 {:>7.2} ms  p99 {:>7.2} ms  {verdict}",
        samples.len(),
        ms(p50),
        ms(p99)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Fills the store: registry, calendar, 300 enterprises across the towns, `n` problems.
async fn generate(store: &Store, n: usize) -> Vec<i64> {
    let units = qx_demo::registry::seed_registry(store).await.unwrap();
    qx_demo::registry::seed_calendar(store).await.unwrap();
    let towns: Vec<i64> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| u.id)
        .collect();
    let depts: Vec<i64> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Department)
        .map(|u| u.id)
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(2017);
    let mut tx = store.begin().await.unwrap();
    let mut enterprises = Vec::new();
    for i in 0..300u32 {
        let code = qx_core::codes::CreditCode::complete(&format!(
            "91330225{:08}{}",
            10_000_000 + i,
            i % 10
        ))
        .unwrap();
        let e = NewEnterprise {
            credit_code: code.as_str().to_string(),
            name: format!("象山测试企业{i:03}有限公司"),
            town_id: Some(towns[i as usize % towns.len()]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        };
        enterprises.push((insert_enterprise(&mut tx, &e).await.unwrap(), e.town_id));
    }
    tx.commit().await.unwrap();
    let cal = store.work_calendar().await.unwrap();
    let today = qx_core::time::today();
    let limits = TimeLimits::default();
    let mut tx = store.begin().await.unwrap();
    for i in 0..n {
        let (enterprise_id, town) = enterprises[rng.random_range(0..enterprises.len())];
        let category = Category::ALL[rng.random_range(0..Category::ALL.len())];
        let open = rng.random_bool(0.2);
        // Closed ones spread over two years; open ones are recent (some overdue).
        let back = if open {
            rng.random_range(0..25)
        } else {
            rng.random_range(20..730)
        };
        let submitted = today - time::Duration::days(back);
        let deadlines = Deadlines::compute(&cal, submitted, submitted, limits, 0).unwrap();
        let status = if open {
            [
                Status::Submitted,
                Status::Accepted,
                Status::Assigned,
                Status::InProgress,
                Status::Returned,
                Status::Answered,
                Status::Rated,
            ][rng.random_range(0..7)]
        } else {
            Status::Closed
        };
        let tier = [
            Tier::Town,
            Tier::Town,
            Tier::Department,
            Tier::Department,
            Tier::Meeting,
        ][rng.random_range(0..5)];
        let lead = match (status, tier) {
            (Status::Submitted | Status::Accepted, _) => None,
            (_, Tier::Town) => town,
            _ => Some(depts[rng.random_range(0..depts.len())]),
        };
        let answered = matches!(status, Status::Answered | Status::Rated | Status::Closed);
        let answer_days = rng.random_range(1..9);
        let answered_on = answered.then(|| cal.add_working_days(submitted, answer_days).unwrap());
        let closed_on = (status == Status::Closed)
            .then(|| cal.add_working_days(submitted, answer_days + 3).unwrap());
        let seed = ProblemSeed {
            enterprise_id,
            category,
            title: format!("{}难题{i}", category.label_zh()),
            status,
            tier,
            lead_unit_id: lead,
            submitted_on: submitted,
            deadlines,
            outcome: Outcome {
                answered_on,
                closed_on,
                resolved: answered.then(|| rng.random_bool(0.78)),
                satisfaction: matches!(status, Status::Rated | Status::Closed).then(|| {
                    [
                        Satisfaction::Satisfied,
                        Satisfaction::Basic,
                        Satisfaction::Unsatisfied,
                    ][rng.random_range(0..3)]
                }),
                answer_workdays: answered.then_some(i64::from(answer_days)),
                close_workdays: closed_on.map(|_| i64::from(answer_days + 3)),
            },
        };
        insert_problem_row(&mut tx, &seed).await.unwrap();
        if i % 5000 == 4999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let office = units
        .iter()
        .find(|u| u.kind == UnitKind::Office)
        .map(|u| u.id);
    let user = NewUser {
        username: "bench-leader".into(),
        display_name: "领导".into(),
        role: Role::Leader,
        unit_id: office,
        enterprise_id: None,
        phone: String::new(),
        password_hash: qx_core::password::hash_password(PASSWORD).unwrap(),
    };
    store.create_user(&Actor::system(), &user).await.unwrap();
    let unit_user = NewUser {
        username: "bench-unit".into(),
        role: Role::Unit,
        unit_id: Some(depts[0]),
        ..user
    };
    store
        .create_user(&Actor::system(), &unit_user)
        .await
        .unwrap();
    depts
}

async fn login(base: &str, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = login.find(marker).unwrap() + marker.len();
    let token = login[start..].split('"').next().unwrap().to_string();
    let form = [
        ("_csrf", token.as_str()),
        ("username", username),
        ("password", PASSWORD),
        ("next", "/"),
    ];
    let resp = c
        .post(format!("{base}/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    c
}

/// Times `n` runs of `f` after two warm-up runs.
async fn time_runs<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..2 {
        f().await;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed());
    }
    samples
}

async fn measure(name: &str, c: &reqwest::Client, url: &str, all: &mut Vec<Duration>) {
    c.get(url).send().await.unwrap().text().await.unwrap();
    let mut samples = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let resp = c.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        resp.text().await.unwrap();
        samples.push(t.elapsed());
    }
    all.extend(samples.iter().copied());
    report(name, &mut samples);
}

async fn bench_engine(name: &str, store: Store, n: usize) {
    let t = Instant::now();
    let depts = generate(&store, n).await;
    // A bulk load leaves PostgreSQL without statistics until autovacuum's next round; a
    // running server has them, so measure with them.
    store.analyze_problems().await.unwrap();
    println!(
        "[{name}] generated {n} problems in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = qx_web::AppState {
        store: store.clone(),
        config: Arc::new(qx_web::Config::default()),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));
    let c = login(&base, "bench-leader").await;
    let from = qx_store::problems::date_iso(qx_core::time::today() - time::Duration::days(90));
    let filters = [
        "/problems".to_string(),
        "/problems?status=in_progress".to_string(),
        "/problems?flag=overdue".to_string(),
        "/problems?flag=near&category=land".to_string(),
        format!("/problems?tier=department&from={from}"),
        format!("/problems?unit={}&status=closed&offset=500", depts[0]),
        "/problems?q=%E7%94%A8%E5%9C%B0%E9%9A%BE%E9%A2%98999".to_string(),
    ];
    let mut all = Vec::new();
    for path in &filters {
        measure(
            &format!("[{name}] leader GET {path}"),
            &c,
            &format!("{base}{path}"),
            &mut all,
        )
        .await;
    }
    let unit = login(&base, "bench-unit").await;
    for path in [
        "/problems",
        "/problems?flag=overdue",
        "/problems?status=closed&offset=200",
        "/problems?q=%E7%94%A8%E5%9C%B0",
    ] {
        measure(
            &format!("[{name}] unit GET {path}"),
            &unit,
            &format!("{base}{path}"),
            &mut all,
        )
        .await;
    }
    report(&format!("[{name}] list page, all filters"), &mut all);
    token_vs_session(name, &store, &base, &c).await;

    // The same lists over the API (`/api/v1/problems` with the page's filters), then a
    // cursor's second page: the API must cost what the page costs.
    let mut api = Vec::new();
    for path in &filters {
        let path = path.replacen("/problems", "/api/v1/problems", 1);
        measure(
            &format!("[{name}] leader GET {path}"),
            &c,
            &format!("{base}{path}"),
            &mut api,
        )
        .await;
    }
    for path in [
        "/api/v1/problems",
        "/api/v1/problems?flag=overdue",
        "/api/v1/problems?status=closed&offset=200",
        "/api/v1/problems?q=%E7%94%A8%E5%9C%B0",
    ] {
        measure(
            &format!("[{name}] unit GET {path}"),
            &unit,
            &format!("{base}{path}"),
            &mut api,
        )
        .await;
    }
    let first: serde_json::Value = c
        .get(format!("{base}/api/v1/problems?status=closed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    measure(
        &format!("[{name}] leader GET /api/v1/problems?status=closed&cursor=…"),
        &c,
        &format!("{base}/api/v1/problems?status=closed&cursor={cursor}"),
        &mut api,
    )
    .await;
    report(&format!("[{name}] API list, all filters"), &mut api);
    println!(
        "[{name}]   API vs page, all filters: p50 {:.2}x, p99 {:.2}x the page's time",
        ms(percentile(&mut api, 0.5)) / ms(percentile(&mut all, 0.5)).max(0.001),
        ms(percentile(&mut api, 0.99)) / ms(percentile(&mut all, 0.99)).max(0.001)
    );

    let today = qx_core::time::today();
    let f = RateFilter::default();
    // What the rates page reads: overall and by unit, tier and category, in one breakdown.
    let rates = || async {
        store
            .problem_rates_breakdown(&Actor::system(), &f, today)
            .await
            .unwrap();
    };
    // The same four tables read one by one (the API's per-group call), for comparison.
    let rates_apart = || async {
        store
            .problem_rates(&Actor::system(), &f, today)
            .await
            .unwrap();
        for g in [RateGroup::Unit, RateGroup::Tier, RateGroup::Category] {
            store
                .problem_rates_by(&Actor::system(), g, &f, today)
                .await
                .unwrap();
        }
    };
    let mut samples = time_runs(30, || async {
        let (open, _) = store.recompute_problem_deadlines().await.unwrap();
        assert!(open > 0);
    })
    .await;
    report(
        &format!("[{name}] recompute every open deadline"),
        &mut samples,
    );
    let mut apart = time_runs(30, rates_apart).await;
    report(
        &format!("[{name}] rates overall + by unit, tier, category, 4 reads"),
        &mut apart,
    );
    let mut samples = time_runs(30, rates).await;
    report(
        &format!("[{name}] rates overall + by unit, tier, category"),
        &mut samples,
    );
    println!(
        "[{name}]   one breakdown vs four reads at p50: {:.1}x faster",
        percentile(&mut apart, 0.5).as_secs_f64() / percentile(&mut samples, 0.5).as_secs_f64()
    );
    let mut samples = time_runs(30, || async {
        store.recompute_problem_deadlines().await.unwrap();
        rates().await;
    })
    .await;
    report(
        &format!("[{name}] recompute open deadlines + all rates"),
        &mut samples,
    );
    let quarter = RateFilter {
        from: Some(qx_store::problems::date_iso(
            today - time::Duration::days(75),
        )),
        to: Some(qx_store::problems::date_iso(today)),
        ..Default::default()
    };
    let mut samples = time_runs(30, || async {
        store
            .problem_rates_breakdown(&Actor::system(), &quarter, today)
            .await
            .unwrap();
    })
    .await;
    report(
        &format!("[{name}] rates of the last 75 days (mid-month ends)"),
        &mut samples,
    );
    let mut cube = time_runs(10, || async {
        store
            .problem_rates(&Actor::system(), &f, today)
            .await
            .unwrap();
    })
    .await;
    let mut scan = time_runs(10, || async {
        store
            .problem_rates_scan(&Actor::system(), &f, today)
            .await
            .unwrap();
    })
    .await;
    report(&format!("[{name}] overall rates from the cube"), &mut cube);
    report(
        &format!("[{name}] overall rates by scanning every row (baseline)"),
        &mut scan,
    );
    println!(
        "[{name}] cube vs scan p50: {:.1}x faster",
        ms(percentile(&mut scan, 0.5)) / ms(percentile(&mut cube, 0.5)).max(0.001)
    );
    for filter in [&f, &quarter] {
        assert_eq!(
            store
                .problem_rates(&Actor::system(), filter, today)
                .await
                .unwrap()
                .counts,
            store
                .problem_rates_scan(&Actor::system(), filter, today)
                .await
                .unwrap()
                .counts,
            "the cube disagrees with a full scan"
        );
    }
}

/// The same API read with the leader's session and with a service token for the leader,
/// alternating so both see the same load: what a token costs against a session.
async fn token_vs_session(name: &str, store: &Store, base: &str, session: &reqwest::Client) {
    let leader = store
        .find_user_by_username("bench-leader")
        .await
        .unwrap()
        .unwrap();
    let (_, secret) = store
        .create_token(
            &qx_core::access::Actor::system(),
            &qx_store::tokens::NewToken {
                user_id: leader.id,
                name: "bench".into(),
                scope: qx_core::token::TokenScope::Read,
                lifetime_secs: 3600,
            },
        )
        .await
        .unwrap();
    let token = reqwest::Client::new();
    let url = format!("{base}/api/v1/problems?status=in_progress");
    let (mut by_session, mut by_token) = (Vec::new(), Vec::new());
    for i in 0..84 {
        let use_token = i % 2 == 1;
        let t = Instant::now();
        let req = if use_token {
            token.get(&url).bearer_auth(&secret)
        } else {
            session.get(&url)
        };
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        resp.text().await.unwrap();
        // Two warm-up rounds.
        if i >= 4 {
            if use_token {
                by_token.push(t.elapsed());
            } else {
                by_session.push(t.elapsed());
            }
        }
    }
    report(
        &format!("[{name}] API list with a session"),
        &mut by_session,
    );
    report(&format!("[{name}] API list with a token"), &mut by_token);
    println!(
        "[{name}] token vs session p50: {:.2}x",
        ms(percentile(&mut by_token, 0.5)) / ms(percentile(&mut by_session, 0.5)).max(0.001)
    );
}

fn main() {
    let n: usize = std::env::var("QX_BENCH_PROBLEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    rt.block_on(async {
        for db in qx_store::testing::all().await.unwrap() {
            bench_engine(db.name, db.store.clone(), n).await;
            db.discard().await.unwrap();
        }
    });
}
