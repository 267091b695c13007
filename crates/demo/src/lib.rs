//! The demo county (象山县): everything `qx demo` shows, generated from a seed.
//!
//! The same seed always gives the same county, so tests and screenshots are stable. Only the
//! passwords are random (unless `QX_DEMO_PASSWORD` fixes them): a demo left running on a
//! network must not open with a published password.
//!
//! Each module adds its part here; [`seed`] runs them in order in one transaction per part.

pub mod assessment;
pub mod bulletins;
pub mod cultivation;
pub mod dating;
pub mod enterprises;
pub mod meetings;
pub mod monitoring;
mod people;
pub mod plan;
pub mod problems;
pub mod projects;
pub mod registry;

use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::password;
use qx_core::units::UnitKind;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::users::{NewUser, insert_user};
use qx_store::{AuditEntry, Store, StoreError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Marks a database as holding the demo county (the key is core's, so the audit names it).
pub use qx_core::audit::DEMO_MARKER;

/// The demo county's today (`qx demo --today 2017-12-05`): every module's history stops on
/// it, so nothing in the demo is dated after the day it lives on.
pub const DEMO_TODAY: time::Date = time::macros::date!(2017 - 12 - 05);

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("demo data: {0}")]
    Data(String),
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// One password for every demo account; random per account when `None`.
    pub password: Option<String>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 2017,
            password: None,
        }
    }
}

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub display_name: String,
    /// The unit or enterprise the account belongs to.
    pub belongs_to: String,
}

/// Fills an empty database with the demo county; returns the accounts created.
/// Refuses to touch a database that already has users.
/// A year of demo history leaves everyone hundreds of notices; a county in use would have read
/// all but the latest. Each person keeps their newest few unread, so the bell shows what a
/// morning's work looks like rather than a year's backlog.
async fn settle_notices(store: &Store, office: &qx_core::access::Actor) -> Result<(), DemoError> {
    const KEEP_UNREAD: usize = 6;
    for user in store.list_users(office).await? {
        let person = user.actor();
        // Kept: the newest few that the bell still counts (notices dated at their events may
        // be older than its window); everything else is marked read, a page at a time.
        let recent = qx_store::now() - qx_store::notices::UNREAD_WINDOW_SECS;
        let mut kept = 0;
        let mut before = None;
        loop {
            let page = store
                .inbox(
                    &person,
                    qx_store::notices::InboxQuery {
                        unread: true,
                        before,
                        limit: 200,
                    },
                )
                .await?;
            let Some(last) = page.last() else {
                break;
            };
            before = Some(last.id);
            let mut read = Vec::new();
            for n in &page {
                if kept < KEEP_UNREAD && n.created_at >= recent {
                    kept += 1;
                } else {
                    read.push(n.id);
                }
            }
            store.mark_notices_read(&person, &read).await?;
        }
    }
    Ok(())
}

pub async fn seed(store: &Store, opts: &DemoOptions) -> Result<Vec<DemoAccount>, DemoError> {
    if store.count_users().await? > 0 {
        return Err(DemoError::Data(
            "数据库中已有用户, 不能载入演示数据 (database already has users)".into(),
        ));
    }
    let actor = Actor::system();
    let units = registry::seed_registry(store).await?;
    registry::seed_calendar(store).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut accounts = Vec::new();

    // Enterprises with accounts: a few real-looking firms in the industrial towns.
    let mut tx = store.begin().await?;
    let mut enterprises = Vec::new();
    for (i, (name, town, industry, scale)) in people::ENTERPRISES.iter().enumerate() {
        let town_id = units.iter().find(|u| u.name == *town).map(|u| u.id);
        let org: u32 = rng.random_range(10_000_000..99_999_999);
        let code = CreditCode::complete(&format!("91330225{org:08}{}", i % 10))
            .map_err(|e| DemoError::Data(e.to_string()))?;
        let e = NewEnterprise {
            credit_code: code.as_str().to_string(),
            name: (*name).to_string(),
            town_id,
            industry_code: Some((*industry).to_string()),
            scale: *scale,
        };
        let id = insert_enterprise(&mut tx, &e).await?;
        enterprises.push((id, e));
    }
    tx.commit().await.map_err(StoreError::from)?;

    // Accounts: the office, a leader, one or two liaisons per responsible unit, one contact
    // per enterprise.
    let office = units
        .iter()
        .find(|u| u.kind == UnitKind::Office)
        .ok_or_else(|| DemoError::Data("registry has no office".into()))?;
    let mut plans: Vec<(NewUser, String)> = Vec::new();
    let mut push = |username: String,
                    display_name: String,
                    role: Role,
                    unit_id: Option<i64>,
                    enterprise_id: Option<i64>,
                    belongs: String,
                    rng: &mut ChaCha8Rng| {
        let phone = format!(
            "1{}{:08}",
            [3, 5, 8][rng.random_range(0..3)],
            rng.random_range(0..100_000_000u32)
        );
        plans.push((
            NewUser {
                username,
                display_name,
                role,
                unit_id,
                enterprise_id,
                phone,
                password_hash: String::new(),
            },
            belongs,
        ));
    };
    // The office's two accounts and two county leaders.
    for (username, role, belongs) in [
        ("admin", Role::Admin, office.name.as_str()),
        ("office2", Role::Admin, office.name.as_str()),
        ("leader", Role::Leader, "县领导"),
        ("leader2", Role::Leader, "县领导"),
    ] {
        push(
            username.into(),
            people::name(&mut rng),
            role,
            Some(office.id),
            None,
            belongs.into(),
            &mut rng,
        );
    }
    for u in units.iter().filter(|u| {
        !matches!(
            u.kind,
            UnitKind::Office | UnitKind::Group | UnitKind::Enterprise
        )
    }) {
        let n = if u.kind == UnitKind::Department && rng.random_bool(0.4) {
            2
        } else {
            1
        };
        for k in 1..=n {
            push(
                format!("{}{k}", u.slug),
                people::name(&mut rng),
                Role::Unit,
                Some(u.id),
                None,
                u.name.clone(),
                &mut rng,
            );
        }
    }
    for (i, (id, e)) in enterprises.iter().enumerate() {
        push(
            format!("qy{:02}", i + 1),
            people::name(&mut rng),
            Role::Enterprise,
            None,
            Some(*id),
            e.name.clone(),
            &mut rng,
        );
    }

    // Hashing ~100 passwords with argon2 is the slow part: spread it over the cores.
    let passwords: Vec<String> = plans
        .iter()
        .map(|_| {
            opts.password
                .clone()
                .unwrap_or_else(|| password::random_secret()[..12].to_string() + "A!")
        })
        .collect();
    let hashes: Vec<Result<String, password::HashError>> = passwords
        .par_iter()
        .map(|p| password::hash_password(p))
        .collect();
    let mut tx = store.begin().await?;
    for ((mut user, belongs), (pw, hash)) in
        plans.into_iter().zip(passwords.into_iter().zip(hashes))
    {
        user.password_hash = hash.map_err(|e| DemoError::Data(e.to_string()))?;
        let id = insert_user(&mut tx, &user).await?;
        qx_store::audit::append(
            &mut tx,
            AuditEntry::new(&actor, "user.create", "user", id).after(&user),
        )
        .await?;
        accounts.push(DemoAccount {
            username: user.username,
            password: pw,
            role: user.role,
            display_name: user.display_name,
            belongs_to: belongs,
        });
    }
    tx.commit().await.map_err(StoreError::from)?;

    // Each module's part of the county, in dependency order. The office (admin) does what
    // the office would do, so the audit log reads like a real year.
    let admin_user = store
        .find_user_by_username("admin")
        .await?
        .ok_or_else(|| DemoError::Data("no admin account".into()))?;
    let plan_id = plan::seed(store, &admin_user.actor()).await?;
    // The projects come before the months are reported: each unit's monthly report carries
    // its projects' 调度. They draw from their own stream (derived from the seed), so the
    // months' reports draw the same numbers as before.
    let reporting = store.period_progress_units(&actor, plan_id).await?;
    let mut project_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ projects::STREAM);
    // Each seeder marks when its steps happened, so their notices are dated then; a seeder
    // starts after what the others wrote (`pass`), which keeps its own dates.
    let mut clock = dating::HistoryClock::start(store).await?;
    let dispatch = projects::seed(store, Some(&reporting), &mut project_rng, &mut clock).await?;
    monitoring::seed(store, plan_id, &dispatch, &mut rng).await?;
    enterprises::seed(store, &mut rng).await?;
    problems::seed(store, &mut rng).await?;
    // Two reported blockers become 企业难题, after the year's other problems.
    dispatch.raise_problems(store, plan_id).await?;
    cultivation::seed(store, &mut rng).await?;
    clock.pass().await?;
    meetings::seed(store, &admin_user.actor(), &mut rng, &mut clock).await?;
    bulletins::seed(store, &admin_user.actor(), plan_id).await?;
    clock.pass().await?;
    assessment::seed(store, &admin_user.actor(), plan_id, &mut clock).await?;
    // The day's problem deadline sweep, as a server's first pass runs it: what is past its
    // deadline today is escalated and warned about now, so the county reads the same before and
    // after the office first opens the problem list (which runs a sweep) or the server's
    // ten-minute sweeper ticks.
    problems::sweep_today(store).await?;
    clock.apply().await?;
    // The year was seeded in a minute: each notice takes its event's date, not the seeding's.
    store.date_notices_at_events(&actor).await?;
    settle_notices(store, &admin_user.actor()).await?;

    let mut tx = store.begin().await?;
    Store::put_setting(&mut tx, DEMO_MARKER, &opts.seed.to_string()).await?;
    qx_store::audit::append(
        &mut tx,
        AuditEntry::new(&actor, "demo.seed", "setting", DEMO_MARKER)
            .after(serde_json::json!({"seed": opts.seed})),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(accounts)
}

/// The demo county seeded into a fresh database in a temporary directory (kept while the
/// returned guard lives), for the modules' tests of what the demo holds.
#[cfg(test)]
pub(crate) async fn seeded_for_test() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_data_dir(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    let opts = DemoOptions {
        password: Some("Demo#2017pass".into()),
        ..Default::default()
    };
    seed(&store, &opts).await.unwrap();
    (dir, store)
}
