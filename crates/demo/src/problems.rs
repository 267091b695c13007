//! Demo 企业难题: a few hundred problems across the seed year (2017) in every state, entered
//! through the same store steps a user takes, so timelines, audit entries, notices and rates
//! are real. Each enterprise gets 县经信局's liaison as its 企服责任人.

use qx_core::access::{Actor, Role};
use qx_core::problem::{Category, Channel, Satisfaction, Status, Tier};
use qx_store::notices::NoticeSpan;
use qx_store::problems::{NewProblem, Step};
use qx_store::{Store, StoreError};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use time::Date;
use time::macros::date;

/// How many problems the demo year holds.
pub const COUNT: usize = 260;

const TITLES: &[(Category, &[&str])] = &[
    (
        Category::Land,
        &[
            "二期厂房用地指标",
            "低效用地再开发审批",
            "土地证办理滞后",
            "临时用地续期",
        ],
    ),
    (
        Category::Labour,
        &[
            "技术工人招工难",
            "外来员工子女入学",
            "员工宿舍不足",
            "职业技能培训补贴",
        ],
    ),
    (
        Category::Finance,
        &[
            "流动资金贷款续贷",
            "应收账款质押融资",
            "上市辅导费用补助",
            "担保费率偏高",
        ],
    ),
    (
        Category::Approval,
        &[
            "环评审批周期长",
            "施工许可办理",
            "消防验收排期",
            "排污许可证变更",
        ],
    ),
    (
        Category::Policy,
        &[
            "技改补助兑现",
            "高新技术企业认定辅导",
            "亩均评价结果申诉",
            "研发费用加计扣除",
        ],
    ),
    (
        Category::Infrastructure,
        &[
            "园区道路破损",
            "工业用电扩容",
            "污水管网接入",
            "天然气管道延伸",
        ],
    ),
    (
        Category::Other,
        &[
            "企业周边治安",
            "物流车辆通行证",
            "商标侵权维权",
            "出口退税进度",
        ],
    ),
];

fn actor(
    username: &str,
    role: Role,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
    user_id: i64,
) -> Actor {
    Actor {
        user_id,
        username: username.to_string(),
        role,
        unit_id,
        enterprise_id,
        ip: String::new(),
    }
}

/// A problem's steps replayed in order, each event then dated on its step's day: from 09:00
/// China time, ten minutes apart, never before the event before it (the store writes events
/// at the moment they are recorded, which for a seeded year is the seeding day).
struct Replay<'a> {
    store: &'a Store,
    /// Who reads the timeline back (the office sees every event).
    reader: &'a Actor,
    id: i64,
    /// Events already dated.
    seen: usize,
    last: i64,
    times: Vec<(i64, i64)>,
    /// The notices of the steps, dated with their events.
    notices: Vec<NoticeSpan>,
}

impl<'a> Replay<'a> {
    fn new(store: &'a Store, reader: &'a Actor, id: i64) -> Self {
        Replay {
            store,
            reader,
            id,
            seen: 0,
            last: i64::MIN,
            times: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// Dates the events written since the last mark on `day`.
    async fn mark(&mut self, day: Date) -> Result<(), StoreError> {
        let events = self.store.get_problem(self.reader, self.id).await?.events;
        let morning = qx_core::time::start_of_day(day) + 9 * 3600;
        for e in events.iter().skip(self.seen) {
            let at = morning.max(self.last.saturating_add(600));
            self.times.push((e.id, at));
            self.last = at;
        }
        self.seen = events.len();
        Ok(())
    }

    /// Takes `step` as `who` on `day`, and dates its events and notices then.
    async fn step(&mut self, who: &Actor, step: &Step, day: Date) -> Result<(), StoreError> {
        let told = self.store.problem_step(who, self.id, step, day).await?;
        self.mark(day).await?;
        self.notices.extend(told.into_iter().map(|id| NoticeSpan {
            after: id - 1,
            up_to: id,
            at: self.last,
        }));
        Ok(())
    }
}

/// Working days after which a demo problem that was answered is closed (about two months).
const SETTLED_AFTER: i64 = 40;

/// The demo's today's deadline sweep (escalations and near/overdue warnings), once.
pub async fn sweep_today(store: &Store) -> Result<(), StoreError> {
    store.sweep_problem_deadlines(crate::DEMO_TODAY).await?;
    Ok(())
}

pub async fn seed(store: &Store, rng: &mut ChaCha8Rng) -> Result<(), StoreError> {
    let system = Actor::system();
    let units = store.list_units().await?;
    let enterprises = store.list_enterprises(&system).await?;
    if enterprises.is_empty() {
        return Ok(());
    }
    let unit_id = |name: &str| units.iter().find(|u| u.name == name).map(|u| u.id);
    let office_user = store.find_user_by_username("admin").await?;
    let office = match &office_user {
        Some(u) => u.actor(),
        None => system.clone(),
    };
    // 定人联企: a firm's 企服责任人 is the liaison of its own town or zone where it has one, else
    // one of the 经信局's two in turn; so each liaison serves a few dozen firms, not the county.
    let users = store.list_users(&system).await?;
    let liaison_of = |unit: i64| {
        users
            .iter()
            .filter(|u| u.profile.role == Role::Unit && u.profile.unit_id == Some(unit))
            .map(|u| u.id)
            .min()
    };
    let county: Vec<i64> = ["jxj1", "jxj2"]
        .iter()
        .filter_map(|name| users.iter().find(|u| u.username == *name).map(|u| u.id))
        .collect();
    for (i, e) in enterprises.iter().enumerate() {
        let contact = e
            .town_id
            .and_then(liaison_of)
            .or_else(|| county.get(i % county.len().max(1)).copied());
        if contact.is_some() {
            store.set_service_contact(&office, e.id, contact).await?;
        }
    }
    let cal = store.work_calendar().await?;
    // The year replayed up to the demo's today: nothing is submitted or handled after it.
    let year_end = crate::DEMO_TODAY;
    let support_pool: Vec<i64> = [
        "县发改局",
        "县财政局",
        "县环保局",
        "县规划管理中心",
        "县供电公司",
    ]
    .iter()
    .filter_map(|n| unit_id(n))
    .collect();
    let mut dated = Vec::new();
    let mut told = Vec::new();
    for i in 0..COUNT {
        let drawn = &enterprises[rng.random_range(0..enterprises.len())];
        let (category, titles) = TITLES[rng.random_range(0..TITLES.len())];
        let title = titles[rng.random_range(0..titles.len())];
        // The last few land in the fortnight before the demo's today, one per stage, so every
        // state shows; the rest anywhere from 2017-01-03 to the day before today.
        let tail = (COUNT - i)
            .checked_sub(1)
            .filter(|k| *k < Status::ALL.len());
        // The answer that waits for its rating is the guide's firm's (qy01, the first firm
        // registered), so the enterprise's 工作台 has one to rate; the draw is kept either way.
        let e = match tail {
            Some(k) if Status::ALL[k] == Status::Answered => &enterprises[0],
            _ => drawn,
        };
        let day = match tail {
            Some(k) => 318 + 2 * k as i64,
            None => rng.random_range(0..335i64),
        };
        let submitted = cal
            .next_working_day(date!(2017 - 01 - 03).saturating_add(time::Duration::days(day)))
            .unwrap_or(year_end)
            .min(year_end);
        let ent_actor = actor(
            &format!(
                "qy{:02}",
                enterprises.iter().position(|x| x.id == e.id).unwrap_or(0) + 1
            ),
            Role::Enterprise,
            None,
            Some(e.id),
            0,
        );
        let source =
            [Channel::Web, Channel::Web, Channel::Visit, Channel::Hotline][rng.random_range(0..4)];
        let who = if source == Channel::Web {
            &ent_actor
        } else {
            &office
        };
        let new = NewProblem {
            enterprise_id: e.id,
            category,
            title: title.to_string(),
            description: format!(
                "{}反映: {title}, 影响企业正常生产经营, 请协调解决。",
                e.name
            ),
            contact_name: "企业联络人".into(),
            contact_phone: format!("1380574{:04}", i),
            source,
            submitted_on: submitted,
        };
        let (id, _) = store.submit_problem(who, &new, Vec::new()).await?;
        let mut replay = Replay::new(store, &office, id);
        replay.mark(submitted).await?;
        'steps: {
            // The status it is left in: older problems have mostly run their course; recent
            // ones are still moving.
            let age = cal.working_days_between(submitted, year_end);
            let roll: f64 = rng.random();
            let stop = if let Some(k) = tail {
                Status::ALL[k]
            } else if age < 3 {
                [Status::Submitted, Status::Accepted, Status::Assigned][rng.random_range(0..3)]
            } else if age < 15 {
                [
                    Status::Assigned,
                    Status::InProgress,
                    Status::Returned,
                    Status::Answered,
                    Status::Rated,
                    Status::Closed,
                ][rng.random_range(0..6)]
            } else if roll < 0.86 || age > SETTLED_AFTER {
                // A county closes what was answered and rated within weeks; only the last two
                // months' answers may still wait for the enterprise's rating or the 办结.
                Status::Closed
            } else if roll < 0.93 {
                Status::Rated
            } else {
                Status::Answered
            };
            let next = |d: Date, n: u32| cal.add_working_days(d, n).unwrap_or(d).min(year_end);
            let mut today = submitted;
            if stop == Status::Withdrawn {
                let reason = "已与银行自行协商解决, 撤回".to_string();
                replay
                    .step(&ent_actor, &Step::Withdraw { reason }, today)
                    .await?;
                break 'steps;
            }
            if stop == Status::Submitted {
                break 'steps;
            }
            today = next(today, u32::from(rng.random_bool(0.9)));
            replay
                .step(
                    &office,
                    &Step::Accept {
                        note: String::new(),
                    },
                    today,
                )
                .await?;
            if id % 6 == 0 {
                // 内部备注: what the office notes for county staff only.
                store
                    .add_internal_note(&office, id, "已电话联系企业核实情况, 材料齐全")
                    .await?;
                replay.mark(today).await?;
            }
            if stop == Status::Accepted {
                break 'steps;
            }
            let dept = store.route_department(category).await?;
            let to_town = e.town_id.is_some() && rng.random_bool(0.5);
            let (tier, lead) = if to_town {
                (Tier::Town, e.town_id)
            } else {
                (Tier::Department, dept)
            };
            let Some(lead) = lead else { break 'steps };
            let support =
                if tier == Tier::Department && rng.random_bool(0.3) && !support_pool.is_empty() {
                    vec![support_pool[rng.random_range(0..support_pool.len())]]
                        .into_iter()
                        .filter(|u| *u != lead)
                        .collect()
                } else {
                    Vec::new()
                };
            today = next(today, 1);
            let assign = Step::Assign {
                tier,
                lead_unit_id: lead,
                support_unit_ids: support,
                note: String::new(),
            };
            replay.step(&office, &assign, today).await?;
            let mut lead_actor = actor("承办联络员", Role::Unit, Some(lead), None, 0);
            if stop == Status::Assigned {
                break 'steps;
            }
            // A town sometimes hands a department's matter back; the office reassigns it.
            if tier == Tier::Town && tail.is_none() && rng.random_bool(0.15) {
                let reason = format!("{}事项属县级部门职责", category.label_zh());
                replay
                    .step(&lead_actor, &Step::Return { reason }, today)
                    .await?;
                if stop == Status::Returned {
                    break 'steps;
                }
                if let Some(dept) = dept {
                    today = next(today, 1);
                    let assign = Step::Assign {
                        tier: Tier::Department,
                        lead_unit_id: dept,
                        support_unit_ids: vec![],
                        note: "改派".into(),
                    };
                    replay.step(&office, &assign, today).await?;
                    lead_actor = actor("承办联络员", Role::Unit, Some(dept), None, 0);
                }
            } else if stop == Status::Returned {
                replay
                    .step(
                        &lead_actor,
                        &Step::Return {
                            reason: "需其他部门牵头".into(),
                        },
                        today,
                    )
                    .await?;
                break 'steps;
            }
            replay.step(&lead_actor, &Step::Start, today).await?;
            if rng.random_bool(0.12) {
                let ext = Step::RequestExtension {
                    days: rng.random_range(3..=10),
                    reason: "需协调多个部门".into(),
                };
                replay.step(&lead_actor, &ext, today).await?;
                let approve = rng.random_bool(0.8);
                replay
                    .step(
                        &office,
                        &Step::DecideExtension {
                            approve,
                            note: String::new(),
                        },
                        next(today, 1),
                    )
                    .await?;
            }
            if rng.random_bool(0.08) {
                replay
                    .step(
                        &office,
                        &Step::Urge {
                            note: "请加快办理".into(),
                        },
                        next(today, 2),
                    )
                    .await?;
            }
            // A few hard problems climb to the 工作例会.
            if tail.is_none() && (rng.random_bool(0.05) || (age < 15 && rng.random_bool(0.15))) {
                let reason = "企业要求提交工作例会协调".to_string();
                today = next(today, 3);
                replay
                    .step(&ent_actor, &Step::Escalate { reason }, today)
                    .await?;
                let now_lead = store
                    .get_problem(&office, id)
                    .await?
                    .problem
                    .lead_unit_id
                    .unwrap_or(lead);
                if stop == Status::InProgress || age < 15 {
                    break 'steps;
                }
                lead_actor = actor("承办联络员", Role::Unit, Some(now_lead), None, 0);
                replay.step(&lead_actor, &Step::Start, today).await?;
            }
            if stop == Status::InProgress {
                break 'steps;
            }
            let resolved = rng.random_bool(0.8);
            today = next(today, rng.random_range(1..=7));
            let answer = if resolved {
                "已协调解决, 具体见办理说明。"
            } else {
                "受政策限制暂无法解决, 已作解释说明。"
            };
            replay
                .step(
                    &lead_actor,
                    &Step::Answer {
                        text: answer.into(),
                        resolved,
                    },
                    today,
                )
                .await?;
            if stop == Status::Answered {
                break 'steps;
            }
            let satisfaction = match (resolved, rng.random_range(0..10)) {
                (true, 0..=7) | (false, 0..=1) => Satisfaction::Satisfied,
                (true, _) | (false, 2..=6) => Satisfaction::Basic,
                _ => Satisfaction::Unsatisfied,
            };
            today = next(today, 1);
            replay
                .step(
                    &ent_actor,
                    &Step::Rate {
                        satisfaction,
                        comment: String::new(),
                    },
                    today,
                )
                .await?;
            if satisfaction == Satisfaction::Unsatisfied && rng.random_bool(0.5) {
                replay
                    .step(
                        &ent_actor,
                        &Step::Redo {
                            reason: "答复未解决实际问题".into(),
                        },
                        today,
                    )
                    .await?;
                today = next(today, rng.random_range(2..=6));
                let step = Step::Answer {
                    text: "重新办理: 已会同相关部门解决。".into(),
                    resolved: true,
                };
                replay.step(&lead_actor, &step, today).await?;
                today = next(today, 1);
                replay
                    .step(
                        &ent_actor,
                        &Step::Rate {
                            satisfaction: Satisfaction::Basic,
                            comment: String::new(),
                        },
                        today,
                    )
                    .await?;
            }
            if stop == Status::Rated {
                break 'steps;
            }
            replay
                .step(
                    &office,
                    &Step::Close {
                        note: String::new(),
                    },
                    next(today, 1),
                )
                .await?;
        }
        dated.extend(replay.times);
        told.extend(replay.notices);
    }
    store.date_problem_events(&system, &dated).await?;
    store.date_notice_spans(&system, &told).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_store::enterprises::{NewEnterprise, insert_enterprise};
    use qx_store::problems::{ProblemFilter, RateFilter};
    use rand::SeedableRng;

    /// The demo is what the office finds however it starts: the day's sweep has run, so the
    /// first sweep a server runs (on opening the problem list, or on its ten-minute tick)
    /// escalates and tells nothing more.
    #[tokio::test]
    async fn the_days_deadline_sweep_has_run_in_the_demo() {
        let (_dir, store) = crate::seeded_for_test().await;
        let report = store
            .sweep_problem_deadlines(crate::DEMO_TODAY)
            .await
            .unwrap();
        assert_eq!(report.escalated, 0, "left to escalate: {report:?}");
        assert!(report.notices.is_empty(), "left to tell: {report:?}");
    }

    #[tokio::test]
    async fn the_demo_year_has_problems_in_every_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_data_dir(dir.path()).await.unwrap();
        store.migrate().await.unwrap();
        let units = crate::registry::seed_registry(&store).await.unwrap();
        crate::registry::seed_calendar(&store).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        for (code, town) in [
            ("913302257995213595", "石浦镇"),
            ("91330225691361058X", "西周镇"),
        ] {
            let e = NewEnterprise {
                credit_code: code.into(),
                name: format!("{town}企业"),
                town_id: units.iter().find(|u| u.name == town).map(|u| u.id),
                industry_code: None,
                scale: qx_core::scale::Scale::Above,
            };
            insert_enterprise(&mut tx, &e).await.unwrap();
        }
        tx.commit().await.unwrap();
        seed(&store, &mut ChaCha8Rng::seed_from_u64(2017))
            .await
            .unwrap();

        let f = ProblemFilter {
            limit: 500,
            ..Default::default()
        };
        let (rows, total) = store
            .list_problems(&Actor::system(), &f, date!(2017 - 12 - 31))
            .await
            .unwrap();
        assert_eq!(total as usize, COUNT);
        for status in Status::ALL {
            assert!(
                rows.iter().any(|r| r.status == *status),
                "no demo problem is {status:?}"
            );
        }
        let rates = store
            .problem_rates(
                &Actor::system(),
                &RateFilter::default(),
                date!(2017 - 12 - 29),
            )
            .await
            .unwrap();
        // What was answered long ago has been rated and closed: only recent answers still wait.
        let cal = store.work_calendar().await.unwrap();
        let settled: Vec<i64> = rows
            .iter()
            .filter(|r| matches!(r.status, Status::Answered | Status::Rated))
            .filter(|r| {
                let on = qx_core::time::parse_date(&r.submitted_on).unwrap();
                cal.working_days_between(on, crate::DEMO_TODAY) > SETTLED_AFTER
            })
            .map(|r| r.id)
            .collect();
        assert!(
            settled.is_empty(),
            "answered long ago, still open: {settled:?}"
        );
        let resolution = rates.resolution_rate.unwrap();
        assert!((60.0..=95.0).contains(&resolution), "{resolution}");
        assert!(rates.answer_rate.unwrap() > 90.0, "{:?}", rates.answer_rate);
        assert!(store.verify_audit().await.unwrap().ok());

        // Every timeline reads as the year it replays: each event on or after the problem's
        // submission, in order, within 2017 up to the demo's today, the first on the day it
        // was submitted.
        let mut notes = 0;
        for row in &rows {
            let events = store
                .get_problem(&Actor::system(), row.id)
                .await
                .unwrap()
                .events;
            let days: Vec<String> = events
                .iter()
                .map(|e| qx_core::time::format_date(qx_core::time::date_of(e.at)))
                .collect();
            assert_eq!(days.first(), Some(&row.submitted_on), "{}", row.id);
            assert!(
                events.windows(2).all(|w| w[0].at <= w[1].at),
                "problem {}: {days:?}",
                row.id
            );
            assert!(
                days.iter()
                    .all(|d| *d >= row.submitted_on && d.as_str() <= "2017-12-05"),
                "problem {}: {days:?}",
                row.id
            );
            notes += events
                .iter()
                .filter(|e| e.action == qx_core::problem::EventKind::InternalNote)
                .count();
        }
        assert!(notes > 0, "internal notes are dated too");

        // A year of history leaves the office a backlog of notices; the demo leaves each
        // person only the newest few unread.
        let office_unit = units.iter().find(|u| u.name == "县工业强县办").unwrap().id;
        let office_id = store
            .create_user(
                &Actor::system(),
                &qx_store::users::NewUser {
                    username: "office".into(),
                    display_name: "办公室".into(),
                    role: qx_core::access::Role::Admin,
                    unit_id: Some(office_unit),
                    enterprise_id: None,
                    phone: String::new(),
                    password_hash: "x".into(),
                },
            )
            .await
            .unwrap();
        let office = Actor {
            user_id: office_id,
            username: "office".into(),
            role: qx_core::access::Role::Admin,
            unit_id: Some(office_unit),
            enterprise_id: None,
            ip: String::new(),
        };
        assert!(store.unread_notices(&office).await.unwrap() > 20);
        crate::settle_notices(&store, &office).await.unwrap();
        assert_eq!(store.unread_notices(&office).await.unwrap(), 6);
    }
}
