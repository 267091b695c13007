//! What a month-end submit costs the database, on every engine: the statements a unit's submit
//! into a new revision runs (PostgreSQL, counted from sqlx's statement log), and the sending
//! it keeps, which is written from the rows it inserted rather than read back.

use qx_core::access::{Actor, Role};
use qx_core::period::Period;
use qx_core::units::UnitKind;
use qx_store::Store;
use qx_store::monitoring::{NoFigure, SubmissionInput};
use qx_store::plans::{DraftItem, DraftTarget, DraftUnit, NewPlanDraft, PlanMeta};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use std::sync::{Arc, Mutex};

use crate::submissions::person;

/// A town leading three indicators and two tasks of a published plan, with June 2017 open.
struct Town {
    office: Actor,
    unit: Actor,
    unit_id: i64,
    period: i64,
    indicators: Vec<i64>,
    tasks: Vec<i64>,
}

async fn town(s: &Store) -> Town {
    let sys = Actor::system();
    let new_unit = |name: &str| NewUnit {
        kind: UnitKind::Town,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    };
    let unit_id = s.create_unit(&sys, &new_unit("石浦镇")).await.unwrap();
    let ban = s.create_unit(&sys, &new_unit("办公室")).await.unwrap();
    let office = person(s, "office", Role::Admin, Some(ban)).await;
    let unit = person(s, "sp1", Role::Unit, Some(unit_id)).await;
    let lead = || {
        vec![DraftUnit {
            name: "石浦镇".into(),
            unit_id: Some(unit_id),
            role: qx_core::units::TaskRole::Lead,
        }]
    };
    let items = ["1", "2"]
        .iter()
        .map(|n| DraftItem {
            number: (*n).into(),
            depth: 1,
            heading: None,
            text: format!("任务{n}"),
            deadline: String::new(),
            line_first: 1,
            line_last: 1,
            units: lead(),
        })
        .collect();
    let targets = ["规上工业增加值", "技改投资", "工业用电量"]
        .iter()
        .map(|name| DraftTarget {
            level: qx_core::indicator::TargetLevel::Plan,
            section: "工作目标".into(),
            text: format!("{name}增长10%"),
            name: (*name).into(),
            value: "10".into(),
            value_max: None,
            unit: "%".into(),
            comparator: ">=".into(),
            kind: "growth_rate".into(),
            unit_id: Some(unit_id),
            included: true,
            line: 1,
        })
        .collect();
    let plan = s
        .create_plan_draft(
            &office,
            &NewPlanDraft {
                meta: PlanMeta {
                    year: 2017,
                    title: "2017年工业强县工作方案".into(),
                    doc_number: String::new(),
                    issuer: String::new(),
                    issued_on: None,
                },
                source_name: "p.txt".into(),
                source_format: "txt".into(),
                source_text: String::new(),
                items,
                targets,
            },
        )
        .await
        .unwrap();
    s.publish_plan(&office, plan).await.unwrap();
    let period = s
        .open_period(
            &office,
            plan,
            &Period::new_month(2017, 6).unwrap(),
            "2017-07-07",
        )
        .await
        .unwrap();
    let indicators: Vec<i64> = s
        .unit_indicators(&sys, plan, unit_id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let tasks: Vec<i64> = s
        .unit_tasks(&sys, plan, unit_id)
        .await
        .unwrap()
        .iter()
        .map(|(t, _)| t.id)
        .collect();
    assert_eq!((indicators.len(), tasks.len()), (3, 2));
    Town {
        office,
        unit,
        unit_id,
        period,
        indicators,
        tasks,
    }
}

/// The SQL of every statement sqlx logs on this thread while `work` runs (PostgreSQL runs
/// them on the caller's thread; SQLite on a worker thread of its own, which this does not see).
/// The test database's bind guard (`testing`) is left out: it is no part of the work.
async fn statements_of<F: std::future::Future>(work: F) -> (F::Output, Vec<String>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let guard = tracing::subscriber::set_default(StatementLog(seen.clone()));
    let out = work.await;
    drop(guard);
    let seen = seen.lock().unwrap().clone();
    let work = seen
        .into_iter()
        .filter(|sql| !sql.contains("pg_prepared_statements"))
        .collect();
    (out, work)
}

/// A tracing subscriber that keeps the `db.statement` of sqlx's statement events.
struct StatementLog(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for StatementLog {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Sql(Option<String>);
        impl tracing::field::Visit for Sql {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "db.statement" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut sql = Sql(None);
        event.record(&mut sql);
        self.0
            .lock()
            .unwrap()
            .push(sql.0.unwrap_or_else(|| "(no statement)".into()));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A month-end submit into a new revision: the window (with the unit's name), what the unit
/// may report, then in one transaction the revision, its figures, its task lines, its mark,
/// its sending, the office's notice (and its webhook deliveries), the audit entry and the
/// COMMIT (sqlx sends BEGIN along with the first statement; it is not logged). No mark or
/// figure is cleared in a revision just created, and nothing just written is read back: its
/// sending holds exactly what the submission holds (figures out of order, a line given twice,
/// a 本月无数据 mark).
#[tokio::test]
async fn a_month_end_submit_runs_eleven_statements_and_keeps_what_it_stored() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let t = town(&s).await;
        let (i, k) = (&t.indicators, &t.tasks);
        let input = SubmissionInput {
            values: vec![
                (i[2], "7.50".into(), "按月统计".into()),
                (i[0], "3".into(), String::new()),
                (i[2], "8.0".into(), "更正".into()),
            ],
            tasks: vec![
                (k[1], "60%".into(), "on_track".into()),
                (k[0], "完成".into(), "done".into()),
            ],
        };
        let marks = vec![NoFigure {
            indicator_id: i[1],
            reason: "统计局尚未反馈".into(),
        }];
        let (id, statements) =
            statements_of(s.save_report(&t.unit, t.period, t.unit_id, &input, &marks, true)).await;
        let id = id.unwrap();
        if s.engine() == qx_store::Engine::Postgres {
            assert_eq!(statements.len(), 11, "{name}: {statements:#?}");
        }
        let sendings = s
            .submission_sendings(&t.office, t.period, t.unit_id)
            .await
            .unwrap();
        assert_eq!(sendings.len(), 1, "{name}");
        let (values, tasks) = s.submission_values(&t.office, id).await.unwrap();
        let mut stored: Vec<(i64, String, String)> = values
            .into_iter()
            .map(|v| (v.indicator_id, v.value, v.note))
            .collect();
        stored.sort();
        let mut stored_tasks: Vec<(i64, String, String)> = tasks
            .into_iter()
            .map(|r| (r.task_id, r.progress, r.status.as_str().to_string()))
            .collect();
        stored_tasks.sort();
        let sent = &sendings[0];
        assert_eq!(sent.values, stored, "{name}");
        assert_eq!(
            sent.values,
            [
                (i[0], "3".into(), String::new()),
                (i[2], "8".into(), "更正".into())
            ],
            "{name}"
        );
        assert_eq!(sent.tasks, stored_tasks, "{name}");
        assert_eq!(
            sent.no_figures,
            [(i[1], "统计局尚未反馈".to_string())],
            "{name}"
        );
    }
}

/// The month-end case itself, a submit without 本月无数据 marks into a new revision: on
/// PostgreSQL three statements, the window, what the unit may report and one call that writes
/// the revision, its figures and task lines, its sending, the office's notice and the audit
/// entry, so the audit chain's head is never held across a round trip. It writes what the
/// transaction writes on SQLite: the sending holds what the submission holds, the notice and
/// the audit entry name the new revision, the chain verifies. When a webhook endpoint
/// subscribes to the notice's event, the call writes nothing and the transaction also writes
/// the notice's delivery.
#[tokio::test]
async fn a_month_end_submit_without_marks_is_one_call_that_writes_what_a_transaction_would() {
    use qx_core::webhook::{Event, Format};
    use qx_store::webhooks::EndpointForm;
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let t = town(&s).await;
        let (i, k) = (&t.indicators, &t.tasks);
        let input = SubmissionInput {
            values: vec![
                (i[1], "12.50".into(), "快报".into()),
                (i[0], "3".into(), String::new()),
                (i[2], "1".into(), String::new()),
            ],
            tasks: vec![(k[0], "完成".into(), "done".into())],
        };
        let submit = |s: Store, unit: Actor, period| {
            let input = input.clone();
            async move {
                statements_of(s.save_report(&unit, period, t.unit_id, &input, &[], true)).await
            }
        };
        let (id, statements) = submit(s.clone(), t.unit.clone(), t.period).await;
        let id = id.unwrap();
        if s.engine() == qx_store::Engine::Postgres {
            assert_eq!(statements.len(), 3, "{name}: {statements:#?}");
            assert!(statements[2].contains("submission_new_revision"), "{name}");
        }
        let sendings = s
            .submission_sendings(&t.office, t.period, t.unit_id)
            .await
            .unwrap();
        assert_eq!(sendings.len(), 1, "{name}");
        assert_eq!(
            (sendings[0].sent_by, &sendings[0].values, &sendings[0].tasks),
            (
                Some(t.unit.user_id),
                &vec![
                    (i[0], "3".to_string(), String::new()),
                    (i[1], "12.5".to_string(), "快报".to_string()),
                    (i[2], "1".to_string(), String::new()),
                ],
                &vec![(k[0], "完成".to_string(), "done".to_string())],
            ),
            "{name}"
        );
        let notices: Vec<(String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT audience, subject_type, subject_id, message FROM notices WHERE kind = 'report.submitted'",
        )
        .fetch_all(s.pool())
        .await
        .unwrap();
        assert_eq!(
            notices,
            [(
                "office".to_string(),
                "submission".to_string(),
                Some(id),
                "石浦镇 报送 2017年6月 工作推进情况, 待审核".to_string()
            )],
            "{name}"
        );
        let (entity_id,): (String,) = sqlx::query_as(
            "SELECT entity_id FROM audit_log WHERE action = 'submission.submit' ORDER BY seq DESC LIMIT 1",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        assert_eq!(entity_id, id.to_string(), "{name}");
        assert!(s.verify_audit().await.unwrap().ok(), "{name}");

        // With an endpoint awaiting 报送待审核, the next month's submit writes its delivery.
        s.create_endpoint(
            &t.office,
            &EndpointForm {
                name: "钉钉".into(),
                url: "http://10.0.0.1/hook".into(),
                secret: String::new(),
                format: Some(Format::Json),
                enabled: true,
                events: vec![Event::ReportSubmitted],
            },
        )
        .await
        .unwrap();
        let plan = s.get_period(&t.office, t.period).await.unwrap().plan_id;
        let july = s
            .open_period(
                &t.office,
                plan,
                &Period::new_month(2017, 7).unwrap(),
                "2017-08-07",
            )
            .await
            .unwrap();
        let (id, _) = submit(s.clone(), t.unit.clone(), july).await;
        id.unwrap();
        assert_eq!(s.pending_deliveries().await.unwrap(), 1, "{name}");
        assert_eq!(
            s.submission_sendings(&t.office, july, t.unit_id)
                .await
                .unwrap()
                .len(),
            1,
            "{name}"
        );
        assert!(s.verify_audit().await.unwrap().ok(), "{name}");
    }
}

/// 提交 from the form in one save: a report that leaves an indicator without a figure or a
/// 本月无数据 mark, or a task without progress, is kept as a draft and the empty ones come back
/// in the plan's order (tasks by number and title); a complete one is submitted. The web form
/// read the unit's indicators and tasks itself before saving: three round trips more.
#[tokio::test]
async fn a_submit_with_empty_items_is_held_as_a_draft_naming_them_in_plan_order() {
    use qx_core::state::SubmissionStatus;
    use qx_store::monitoring::{IfComplete, Submitted};
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let t = town(&s).await;
        let (i, k) = (&t.indicators, &t.tasks);
        let mut input = SubmissionInput {
            values: vec![
                (i[1], "5".into(), String::new()),
                (i[2], " ".into(), String::new()),
            ],
            tasks: vec![(k[1], "过半".into(), "on_track".into())],
        };
        let held = s
            .save_report(&t.unit, t.period, t.unit_id, &input, &[], IfComplete)
            .await
            .unwrap();
        let Submitted::Held { id, missing } = held else {
            panic!("{name}: {held:?}");
        };
        assert_eq!(
            missing,
            ["规上工业增加值", "工业用电量", "1 任务1"],
            "{name}"
        );
        let kept = s.get_submission(&t.unit, id).await.unwrap();
        assert_eq!(kept.status, SubmissionStatus::Draft, "{name}");

        // A 本月无数据 mark answers an indicator; the rest filled in, it goes to the office.
        let marks = vec![NoFigure {
            indicator_id: i[0],
            reason: "统计局尚未反馈".into(),
        }];
        input.values[1].1 = "2".into();
        input.tasks.push((k[0], "启动".into(), "on_track".into()));
        let sent = s
            .save_report(&t.unit, t.period, t.unit_id, &input, &marks, IfComplete)
            .await
            .unwrap();
        assert_eq!(sent, Submitted::Sent(id), "{name}");
        let kept = s.get_submission(&t.office, id).await.unwrap();
        assert_eq!(kept.status, SubmissionStatus::Submitted, "{name}");
    }
}
