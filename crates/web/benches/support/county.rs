//! A generated county for the monitoring benchmarks and the month-end surge test: `units`
//! reporting units, a published plan whose indicators and tasks are spread evenly over them,
//! and (optionally) months of approved figures. Everything goes through the same `Store`
//! functions the application uses, so the data has the shape real use gives it.
//!
//! Shared by `benches/monitor.rs` and `tests/it/monitor_surge.rs` through `#[path]`.
#![allow(dead_code)] // Each user of the module needs a different part of it.

use qx_core::access::{Actor, Role};
use qx_core::indicator::IndicatorKind;
use qx_core::period::Period;
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::monitoring::SubmissionInput;
use qx_store::plans::{DraftItem, DraftTarget, DraftUnit, NewPlanDraft, PlanMeta};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;

pub const PASSWORD: &str = "Xiangshan#2017";
pub const YEAR: i64 = 2017;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub units: usize,
    /// Indicators in the plan, dealt round-robin to the units.
    pub indicators: usize,
    /// Tasks each unit leads.
    pub tasks_per_unit: usize,
    /// Months (from January) of submitted and approved figures.
    pub approved_months: u8,
}

/// The generated county.
pub struct County {
    pub plan_id: i64,
    pub office_unit: i64,
    /// Reporting units in order; unit user `u{i:02}` belongs to `units[i]`.
    pub units: Vec<i64>,
    /// Indicator ids each unit leads, in the order of `units`.
    pub indicators: Vec<Vec<i64>>,
    /// Task ids each unit leads, in the order of `units`.
    pub tasks: Vec<Vec<i64>>,
    pub admin: Actor,
}

pub fn unit_username(i: usize) -> String {
    format!("u{i:02}")
}

const KINDS: [IndicatorKind; 4] = [
    IndicatorKind::CumulativeCount,
    IndicatorKind::Amount,
    IndicatorKind::GrowthRate,
    IndicatorKind::Share,
];

fn kind_of(i: usize) -> IndicatorKind {
    KINDS[i % KINDS.len()]
}

/// A 1—N月累计 figure that wanders around the pace of its target.
pub fn figure(kind: IndicatorKind, indicator: usize, month: u8) -> String {
    let pace = 0.8 + (indicator % 7) as f64 * 0.06;
    let v = match kind {
        IndicatorKind::GrowthRate => 8.0 * pace,
        IndicatorKind::Share => 60.0 * pace,
        _ => 100.0 * pace * f64::from(month) / 12.0,
    };
    format!("{v:.2}")
}

/// Builds the county in a fresh store: the office and `shape.units` units with one user each,
/// an admin (`admin`) and a leader (`leader`), the published plan, and the approved months.
pub async fn build(store: &Store, shape: Shape) -> County {
    let system = Actor::system();
    let hash = qx_core::password::hash_password(PASSWORD).unwrap();
    let unit = |kind, name: String, i: usize| NewUnit {
        kind,
        full_name: name.clone(),
        name,
        region_code: None,
        parent_id: None,
        slug: format!("bench{i}"),
        aliases: Vec::new(),
        sort_order: i as i64,
    };
    let office_unit = store
        .create_unit(&system, &unit(UnitKind::Office, "县工业强县办".into(), 0))
        .await
        .unwrap();
    let mut units = Vec::with_capacity(shape.units);
    for i in 0..shape.units {
        let id = store
            .create_unit(
                &system,
                &unit(UnitKind::Department, format!("测试单位{i:02}"), i + 1),
            )
            .await
            .unwrap();
        units.push(id);
    }
    let user = |username: String, role, unit_id| NewUser {
        display_name: username.clone(),
        username,
        role,
        unit_id: Some(unit_id),
        enterprise_id: None,
        phone: String::new(),
        password_hash: hash.clone(),
    };
    let admin_id = store
        .create_user(&system, &user("admin".into(), Role::Admin, office_unit))
        .await
        .unwrap();
    store
        .create_user(&system, &user("leader".into(), Role::Leader, office_unit))
        .await
        .unwrap();
    let mut unit_actors = Vec::with_capacity(shape.units);
    for (i, &u) in units.iter().enumerate() {
        let id = store
            .create_user(&system, &user(unit_username(i), Role::Unit, u))
            .await
            .unwrap();
        unit_actors.push(Actor {
            user_id: id,
            username: unit_username(i),
            role: Role::Unit,
            unit_id: Some(u),
            enterprise_id: None,
            ip: String::new(),
        });
    }
    let admin = Actor {
        user_id: admin_id,
        username: "admin".into(),
        role: Role::Admin,
        unit_id: Some(office_unit),
        enterprise_id: None,
        ip: String::new(),
    };

    let lead = |u: usize| {
        vec![DraftUnit {
            name: format!("测试单位{u:02}"),
            unit_id: Some(units[u]),
            role: qx_core::units::TaskRole::Lead,
        }]
    };
    let mut items = Vec::new();
    for u in 0..shape.units {
        for k in 0..shape.tasks_per_unit {
            items.push(DraftItem {
                number: format!("三.{}.{}", u + 1, k + 1),
                depth: 3,
                heading: Some(format!("测试单位{u:02}的第{}项任务", k + 1)),
                text: format!("推进第{}项重点工作, 按季度形成阶段成果。", k + 1),
                deadline: format!("{YEAR}年{}月底前", 3 + (k % 10)),
                line_first: 0,
                line_last: 0,
                units: lead(u),
            });
        }
    }
    let targets = (0..shape.indicators)
        .map(|i| {
            let kind = kind_of(i);
            let (value, unit_label) = match kind {
                IndicatorKind::GrowthRate => ("8", "%"),
                IndicatorKind::Share => ("60", "%"),
                IndicatorKind::Amount => ("100", "亿元"),
                _ => ("100", "家"),
            };
            DraftTarget {
                level: qx_core::indicator::TargetLevel::Plan,
                section: "二".into(),
                text: format!("测试指标{i:03}达到{value}{unit_label}"),
                name: format!("测试指标{i:03}"),
                value: value.into(),
                value_max: None,
                unit: unit_label.into(),
                comparator: ">=".into(),
                kind: kind.as_str().into(),
                unit_id: Some(units[i % shape.units]),
                included: true,
                line: 0,
            }
        })
        .collect();
    let draft = NewPlanDraft {
        meta: PlanMeta {
            year: YEAR,
            title: format!("{YEAR}年测试县工业强县工作推进方案"),
            doc_number: String::new(),
            issuer: String::new(),
            issued_on: None,
        },
        source_name: "generated".into(),
        source_format: "txt".into(),
        source_text: String::new(),
        items,
        targets,
    };
    let plan_id = store.create_plan_draft(&admin, &draft).await.unwrap();
    store.publish_plan(&admin, plan_id).await.unwrap();

    let mut indicators = vec![Vec::new(); shape.units];
    let mut tasks = vec![Vec::new(); shape.units];
    for (i, &u) in units.iter().enumerate() {
        indicators[i] = store
            .unit_indicators(&qx_core::access::Actor::system(), plan_id, u)
            .await
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect();
        tasks[i] = store
            .unit_tasks(&qx_core::access::Actor::system(), plan_id, u)
            .await
            .unwrap()
            .into_iter()
            .map(|(t, _)| t.id)
            .collect();
    }
    let county = County {
        plan_id,
        office_unit,
        units,
        indicators,
        tasks,
        admin,
    };

    for month in 1..=shape.approved_months {
        let period_id = open_month(store, &county, month).await;
        for (i, actor) in unit_actors.iter().enumerate() {
            let input = county.input(i, month);
            if input.values.is_empty() && input.tasks.is_empty() {
                continue;
            }
            let id = store
                .save_submission(actor, period_id, county.units[i], &input, true)
                .await
                .unwrap();
            store
                .review_submission(&county.admin, id, true, "")
                .await
                .unwrap();
        }
    }
    if store.engine() == qx_store::Engine::Postgres {
        // A county's database has long been vacuumed and analysed by the time it is
        // measured; this one was filled a moment ago, and the server's autovacuum would
        // otherwise get round to it in the middle of a measurement.
        sqlx::query("VACUUM ANALYZE")
            .execute(store.pool())
            .await
            .unwrap();
    }
    county
}

/// Opens the reporting window of a month of the plan year (due on the 8th of the next).
pub async fn open_month(store: &Store, county: &County, month: u8) -> i64 {
    let period = Period::new_month(YEAR as i32, month).unwrap();
    let due = period.last_day() + time::Duration::days(8);
    store
        .open_period(&county.admin, county.plan_id, &period, &due.to_string())
        .await
        .unwrap()
}

impl County {
    /// What unit `i` reports for `month`: a figure for every indicator it leads and a
    /// progress line for every task.
    pub fn input(&self, i: usize, month: u8) -> SubmissionInput {
        let statuses = ["on_track", "on_track", "behind", "done"];
        SubmissionInput {
            values: self.indicators[i]
                .iter()
                .enumerate()
                .map(|(k, &id)| {
                    let n = k * self.units.len() + i;
                    (id, figure(kind_of(n), n, month), String::new())
                })
                .collect(),
            tasks: self.tasks[i]
                .iter()
                .enumerate()
                .map(|(k, &id)| {
                    (
                        id,
                        format!("{month}月: 第{}项工作按计划推进, 已完成阶段任务。", k + 1),
                        statuses[(k + usize::from(month)) % statuses.len()].to_string(),
                    )
                })
                .collect(),
        }
    }

    /// The report form's fields for `input` (`v_{id}`, `n_{id}`, `p_{id}`, `s_{id}`).
    pub fn form(input: &SubmissionInput, csrf: &str, action: &str) -> Vec<(String, String)> {
        let mut form = vec![
            ("_csrf".to_string(), csrf.to_string()),
            ("action".to_string(), action.to_string()),
        ];
        for (id, value, note) in &input.values {
            form.push((format!("v_{id}"), value.clone()));
            form.push((format!("n_{id}"), note.clone()));
        }
        for (id, progress, status) in &input.tasks {
            form.push((format!("p_{id}"), progress.clone()));
            form.push((format!("s_{id}"), status.clone()));
        }
        form
    }
}

/// A browser-like client signed in as `username` (cookies kept, redirects not followed).
pub async fn login(base: &str, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = csrf(&c, &format!("{base}/login")).await;
    let resp = c
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "login as {username}");
    c
}

/// The CSRF token of the first form on a page.
pub async fn csrf(c: &reqwest::Client, url: &str) -> String {
    let body = c.get(url).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field on {url}"))
        + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// Serves `store` on a random loopback port; returns the base URL.
pub async fn serve(store: &Store) -> String {
    serve_with(store, qx_app::monitoring::PictureCache::default()).await
}

/// Serves `store` with the given picture cache (`PictureCache::disabled()` for a baseline).
pub async fn serve_with(store: &Store, cache: qx_app::monitoring::PictureCache) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = qx_web::AppState {
        store: store.clone(),
        config: std::sync::Arc::new(qx_web::Config::default()),
        picture_cache: std::sync::Arc::new(cache),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));
    base
}
