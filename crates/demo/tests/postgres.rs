//! The demo county on PostgreSQL, through the same code `qx demo` runs on SQLite. Skipped
//! unless `QX_TEST_DATABASE_URL` points at a server (CI sets it).
//!
//! The demo seed once failed half-way on PostgreSQL with `22P03 incorrect binary data format
//! in bind parameter`: sqlx turns a NULL `f64` into a NULL `f32` there, and a statement
//! prepared with that NULL then refused the next figure on the same connection. The store binds
//! optional figures as `qx_store::OptF64`, whose NULL keeps its float8 type (see
//! `tests/it/pg_binds.rs` in the store).
//!
//! The whole county takes about seven minutes on PostgreSQL in a debug build (80 s on SQLite),
//! so CI seeds a slice through the same module seeds: the registry, the calendar, the office's
//! accounts, the 亩均 enterprises with their facts and evaluations, the projects with their
//! investment figures and 调度 (the parts full of optional figures). The whole county is
//! `the_whole_demo_county_seeds_on_postgresql`, run on demand:
//! `cargo test -p qx-demo --test postgres -- --ignored`.

use qx_core::access::{Actor, Role};
use qx_core::units::UnitKind;
use qx_demo::{DEMO_MARKER, DemoOptions};
use qx_store::Store;
use qx_store::testing::TestDb;
use qx_store::users::NewUser;
use rand::SeedableRng;
use std::time::Instant;

/// A fresh PostgreSQL store living on the day `qx demo --today 2017-12-05` lives on.
async fn postgres() -> Option<TestDb> {
    let db = qx_store::testing::postgres()
        .await
        .expect("test database")?;
    let today = qx_core::time::parse_date("2017-12-05").expect("a date");
    // One clock per test process; both tests set the same day.
    let _ = qx_core::time::set_today(today);
    Some(db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slice_of_the_demo_county_seeds_on_postgresql() {
    let Some(db) = postgres().await else {
        eprintln!("QX_TEST_DATABASE_URL is not set: the demo on PostgreSQL is not tried");
        return;
    };
    let store: &Store = &db.store;
    let started = Instant::now();
    let units = qx_demo::registry::seed_registry(store).await.unwrap();
    qx_demo::registry::seed_calendar(store).await.unwrap();
    let office_unit = units
        .iter()
        .find(|u| u.kind == UnitKind::Office)
        .map(|u| u.id);
    for (username, role) in [("admin", Role::Admin), ("leader", Role::Leader)] {
        store
            .create_user(
                &Actor::system(),
                &NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    role,
                    unit_id: office_unit,
                    enterprise_id: None,
                    phone: String::new(),
                    password_hash: "$argon2id$not-a-login".into(),
                },
            )
            .await
            .unwrap();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2017);
    qx_demo::enterprises::seed(store, &mut rng)
        .await
        .unwrap_or_else(|e| panic!("the demo's enterprises on PostgreSQL: {e}"));
    let mut clock = qx_demo::dating::HistoryClock::start(store).await.unwrap();
    let dispatch = qx_demo::projects::seed(store, None, &mut rng, &mut clock)
        .await
        .unwrap_or_else(|e| panic!("the demo's projects on PostgreSQL: {e}"));
    // The projects' notices are dated at their stage moves, none on the seeding day.
    assert!(clock.apply().await.unwrap() > 0);
    let (late,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notices WHERE subject_type = 'project' AND created_at > $1",
    )
    .bind(qx_core::time::start_of_day(qx_demo::DEMO_TODAY))
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(late, 0, "project notices left on the seeding day");
    let office = store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    // October's 调度 of every unit (万元 and 万美元 figures, some of them NULL), saved as the
    // report page saves it.
    let plan = qx_demo::plan::seed(store, &office).await.unwrap();
    let october = qx_core::period::Period::new_month(2017, 10).unwrap();
    let period = store
        .open_period(&office, plan, &october, "2017-11-07")
        .await
        .unwrap();
    let mut saved = 0;
    for unit in store.list_units().await.unwrap() {
        saved += dispatch.lines(unit.id, 10).len();
        dispatch
            .report(store, &office, period, unit.id, 10)
            .await
            .unwrap_or_else(|e| panic!("the demo's 调度 on PostgreSQL: {e}"));
    }
    assert!(saved > 20, "{saved} projects reported October");
    eprintln!("demo slice seeded on PostgreSQL in {:?}", started.elapsed());
    assert!(!store.list_enterprises(&office).await.unwrap().is_empty());
    db.discard().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "about seven minutes in a debug build: run with --ignored"]
async fn the_whole_demo_county_seeds_on_postgresql() {
    let Some(db) = postgres().await else {
        eprintln!("QX_TEST_DATABASE_URL is not set: the demo on PostgreSQL is not tried");
        return;
    };
    let store = &db.store;
    let started = Instant::now();
    let accounts = qx_demo::seed(
        store,
        &DemoOptions {
            password: Some("Demo#2017pass".into()),
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("the demo seed on PostgreSQL: {e}"));
    eprintln!("demo seeded on PostgreSQL in {:?}", started.elapsed());
    assert!(accounts.len() > 50, "{} accounts", accounts.len());
    assert_eq!(
        store.get_setting(DEMO_MARKER).await.unwrap().as_deref(),
        Some("2017")
    );
    db.discard().await.unwrap();
}
