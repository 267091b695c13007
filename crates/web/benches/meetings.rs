//! 工作例会 at county scale: the agenda assembled from 100,000 problems, 10,000 projects and a
//! plan of 500 indicators (target < 200 ms), and the 会议纪要 .docx of a meeting with 30
//! decisions (target < 1 s). Seeded data, the same every run.
//!
//! Each figure is printed beside a baseline measured in the same run on the same database, so
//! the ratio travels between machines: for the agenda, one plain `COUNT(*)` over the problems
//! and the projects (the least any reading of the sources costs); for the 纪要, the 纪要 of a
//! meeting with no decisions (the document's fixed cost).
//!
//! Run: `cargo bench -p qx-web --bench meetings` (SQLite, and PostgreSQL when
//! `QX_TEST_DATABASE_URL` is set; `QX_BENCH_PROBLEMS` / `QX_BENCH_PROJECTS` for smaller sets).

#[path = "support/county.rs"]
mod county;

use county::Shape;
use qx_core::access::Actor;
use qx_core::meeting::{AgendaSource, MeetingKind, MeetingStep};
use qx_core::problem::{Category, Deadlines, Status, Tier, TimeLimits};
use qx_core::project::{CapitalKind, Source};
use qx_store::Store;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::meetings::{NewAgendaItem, NewMeeting, NewResolution};
use qx_store::problems::{Outcome, ProblemSeed, insert_problem_row};
use qx_store::projects::ProjectInput;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use time::macros::date;

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

/// Prints one line; returns p50.
fn report(name: &str, samples: &mut [Duration], target_ms: Option<f64>) -> Duration {
    let p50 = percentile(samples, 0.5);
    let p99 = percentile(samples, 0.99);
    let verdict = match target_ms {
        Some(t) if ms(p99) < t => format!("ok (< {t} ms)"),
        Some(t) => format!("OVER {t} ms"),
        None => String::new(),
    };
    println!(
        "{name:<58} n={:<4} p50 {:>8.2} ms  p99 {:>8.2} ms  {verdict}",
        samples.len(),
        ms(p50),
        ms(p99)
    );
    p50
}

/// `n` problems over 300 enterprises, a fifth open, a fifth of those at the 例会 tier.
async fn problems(store: &Store, units: &[i64], n: usize) {
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
            town_id: None,
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        };
        enterprises.push(insert_enterprise(&mut tx, &e).await.unwrap());
    }
    tx.commit().await.unwrap();
    let cal = store.work_calendar().await.unwrap();
    let today = qx_core::time::today();
    let mut tx = store.begin().await.unwrap();
    for i in 0..n {
        let open = rng.random_bool(0.2);
        let submitted = today - time::Duration::days(rng.random_range(0..400));
        let deadlines =
            Deadlines::compute(&cal, submitted, submitted, TimeLimits::default(), 0).unwrap();
        let tier = [
            Tier::Town,
            Tier::Department,
            Tier::Department,
            Tier::Meeting,
        ][rng.random_range(0..4)];
        let seed = ProblemSeed {
            enterprise_id: enterprises[rng.random_range(0..enterprises.len())],
            category: Category::ALL[rng.random_range(0..Category::ALL.len())],
            title: format!("难题{i}"),
            status: if open {
                Status::InProgress
            } else {
                Status::Closed
            },
            tier,
            lead_unit_id: Some(units[rng.random_range(0..units.len())]),
            submitted_on: submitted,
            deadlines,
            outcome: Outcome {
                answered_on: (!open).then_some(submitted),
                closed_on: (!open).then_some(submitted),
                resolved: (!open).then_some(true),
                answer_workdays: (!open).then_some(1),
                close_workdays: (!open).then_some(1),
                ..Outcome::default()
            },
        };
        insert_problem_row(&mut tx, &seed).await.unwrap();
        if i % 5000 == 4999 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

/// `n` projects of 2017 spread over the units; about a third behind their plan or dates.
async fn projects(store: &Store, units: &[i64], n: usize) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let office = Actor::system();
    for i in 0..n {
        let behind = rng.random_bool(0.33);
        let input = ProjectInput {
            year: 2017,
            name: format!("测试项目{i:05}"),
            investor: "宁波某投资有限公司".into(),
            credit_code: None,
            capital_kind: CapitalKind::Domestic,
            source: Source::Investment,
            industry: "汽车零部件".into(),
            town_id: None,
            total_investment_wan: f64::from(rng.random_range(5_000..50_000)),
            foreign_contract_wusd: None,
            annual_plan_wan: Some(1_000.0),
            completed_wan: Some(if behind { 300.0 } else { 1_000.0 }),
            land_mu: None,
            content: String::new(),
            unit_id: units[i % units.len()],
            contact: String::new(),
            leader_user_id: None,
            planned: [None, None, None, behind.then_some(date!(2017 - 10 - 01))],
        };
        store
            .create_project(&office, &input, date!(2017 - 01 - 10))
            .await
            .unwrap();
    }
}

/// A held meeting with `decisions` items and decisions, each a few lines long.
async fn meeting(store: &Store, units: &[i64], decisions: usize) -> i64 {
    let office = Actor::system();
    let id = store
        .create_meeting(
            &office,
            &NewMeeting {
                kind: MeetingKind::Regular,
                title: "工业强县工作例会".into(),
                held_on: date!(2017 - 12 - 12),
                place: "县行政中心三楼会议室".into(),
                convenor: "县委书记、县长".into(),
                unit_ids: units.iter().take(10).copied().collect(),
            },
        )
        .await
        .unwrap();
    let mut items = Vec::new();
    for i in 0..decisions {
        items.push(
            store
                .add_agenda_item(
                    &office,
                    id,
                    &NewAgendaItem {
                        source: AgendaSource::Manual,
                        source_id: None,
                        text: format!("议题{i}: 重点项目用地报批、能耗指标和融资问题的协调"),
                        unit_id: Some(units[i % units.len()]),
                    },
                )
                .await
                .unwrap(),
        );
    }
    store
        .meeting_step(&office, id, MeetingStep::Hold, None)
        .await
        .unwrap();
    for (i, item) in items.iter().enumerate() {
        store
            .record_resolution(
                &office,
                &NewResolution {
                    meeting_id: id,
                    agenda_item_id: Some(*item),
                    text: format!(
                        "议定{i}: 由牵头单位会同配合单位于期限前完成用地报批和能耗指标调剂, 县财政按程序兑现补助资金, 每周报送进展。"
                    ),
                    lead_unit_id: units[i % units.len()],
                    support_unit_ids: vec![units[(i + 1) % units.len()], units[(i + 2) % units.len()]],
                    deadline: date!(2017 - 12 - 29),
                },
            )
            .await
            .unwrap();
    }
    id
}

async fn run(name: &str, store: Store) {
    let t = Instant::now();
    let shape = Shape {
        units: 60,
        indicators: 500,
        tasks_per_unit: 2,
        approved_months: env_usize("QX_BENCH_MONTHS", 3) as u8,
    };
    let county = county::build(&store, shape).await;
    let (n_problems, n_projects) = (
        env_usize("QX_BENCH_PROBLEMS", 100_000),
        env_usize("QX_BENCH_PROJECTS", 10_000),
    );
    problems(&store, &county.units, n_problems).await;
    projects(&store, &county.units, n_projects).await;
    let office = Actor::system();
    let empty = meeting(&store, &county.units, 0).await;
    let full = meeting(&store, &county.units, 30).await;
    println!(
        "[{name}] generated {} units, {} indicators, {n_problems} problems, {n_projects} projects in {:.1} s",
        shape.units,
        shape.indicators,
        t.elapsed().as_secs_f64()
    );

    // Baseline: one COUNT(*) over each of the two large sources.
    let mut base = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        for table in [
            "SELECT COUNT(*) FROM problems",
            "SELECT COUNT(*) FROM projects",
        ] {
            let (_,): (i64,) = sqlx::query_as(table).fetch_one(store.pool()).await.unwrap();
        }
        base.push(t.elapsed());
    }
    let base = report(
        &format!("[{name}] baseline: COUNT(*) problems + projects"),
        &mut base,
        None,
    );

    // Its parts: the store's proposals (problems, projects, open 督办), and the projects list the
    // agenda read before it had its own lean query.
    let mut parts = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        store.agenda_proposals(&office).await.unwrap();
        parts.push(t.elapsed());
    }
    report(
        &format!("[{name}]   of which the store's proposals"),
        &mut parts,
        None,
    );
    let mut parts = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        store
            .list_projects(&office, &Default::default())
            .await
            .unwrap();
        parts.push(t.elapsed());
    }
    report(
        &format!("[{name}]   of which the projects list"),
        &mut parts,
        None,
    );

    // The agenda, the monitoring picture computed each time (a cold cache) and cached.
    let mut cold = Vec::new();
    let mut proposed = 0;
    let mut counted = 0;
    for _ in 0..10 {
        let cache = qx_app::monitoring::PictureCache::default();
        let t = Instant::now();
        let p = qx_app::meetings::proposals(&store, &cache, &office, empty)
            .await
            .unwrap();
        cold.push(t.elapsed());
        proposed = p.items.len();
        counted = p.more.iter().map(|(_, n)| n).sum::<usize>();
    }
    let cold = report(
        &format!("[{name}] agenda proposals, picture computed"),
        &mut cold,
        Some(200.0),
    );
    let cache = qx_app::monitoring::PictureCache::default();
    let mut warm = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        qx_app::meetings::proposals(&store, &cache, &office, empty)
            .await
            .unwrap();
        warm.push(t.elapsed());
    }
    let warm = report(
        &format!("[{name}] agenda proposals, picture cached"),
        &mut warm,
        Some(200.0),
    );
    println!(
        "[{name}]   {proposed} items proposed, {counted} more counted; vs baseline at p50: computed {:.1}×, cached {:.1}×",
        ms(cold) / ms(base).max(1e-6),
        ms(warm) / ms(base).max(1e-6)
    );

    // The 纪要 .docx: 30 decisions against none.
    let doc = |id: i64| {
        let store = store.clone();
        let office = office.clone();
        async move {
            let m = store.get_meeting(&office, id).await.unwrap();
            let t = Instant::now();
            let bytes = qx_app::meetings::minutes_docx(&store, &office, &m, "2017-12-13")
                .await
                .unwrap();
            assert!(bytes.len() > 1000);
            t.elapsed()
        }
    };
    let mut bare = Vec::new();
    let mut docs = Vec::new();
    for _ in 0..10 {
        bare.push(doc(empty).await);
        docs.push(doc(full).await);
    }
    let bare = report(
        &format!("[{name}] baseline: 纪要 .docx, no decisions"),
        &mut bare,
        None,
    );
    let docs = report(
        &format!("[{name}] 纪要 .docx, 30 decisions"),
        &mut docs,
        Some(1000.0),
    );
    println!(
        "[{name}]   30 decisions vs none at p50: {:.1}×",
        ms(docs) / ms(bare).max(1e-6)
    );
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
}
