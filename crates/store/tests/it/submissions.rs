//! A unit's monthly submission on every engine: withdrawing before the office acts, and the
//! office's notice about a withdrawn report.

use qx_core::access::{Actor, Role};
use qx_core::notice::NoticeKind;
use qx_core::period::Period;
use qx_core::state::{SendingDecision, SubmissionStatus};
use qx_core::units::UnitKind;
use qx_store::monitoring::SubmissionInput;
use qx_store::notices::InboxQuery;
use qx_store::plans::{DraftItem, DraftTarget, DraftUnit, NewPlanDraft, PlanMeta};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;
use qx_store::{Store, StoreError};

fn unit(name: &str) -> NewUnit {
    NewUnit {
        kind: UnitKind::Town,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

pub(crate) async fn person(s: &Store, name: &str, role: Role, unit_id: Option<i64>) -> Actor {
    let id = s
        .create_user(
            &Actor::system(),
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                unit_id,
                enterprise_id: None,
                phone: String::new(),
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    Actor {
        user_id: id,
        username: name.into(),
        role,
        unit_id,
        enterprise_id: None,
        ip: String::new(),
    }
}

/// Two towns, each leading one indicator and one task of a published plan, and June 2017 open.
pub(crate) struct County {
    pub(crate) office: Actor,
    pub(crate) a: Actor,
    pub(crate) b: Actor,
    pub(crate) a_unit: i64,
    pub(crate) b_unit: i64,
    pub(crate) plan: i64,
    pub(crate) period: i64,
    pub(crate) a_indicator: i64,
}

pub(crate) async fn county(s: &Store) -> County {
    let sys = Actor::system();
    let a_unit = s.create_unit(&sys, &unit("石浦镇")).await.unwrap();
    let b_unit = s.create_unit(&sys, &unit("西周镇")).await.unwrap();
    let ban = s.create_unit(&sys, &unit("办公室")).await.unwrap();
    let office = person(s, "office", Role::Admin, Some(ban)).await;
    let a = person(s, "sp1", Role::Unit, Some(a_unit)).await;
    let b = person(s, "xz1", Role::Unit, Some(b_unit)).await;
    let item = |n: &str, name: &str, id: i64| DraftItem {
        number: n.into(),
        depth: 1,
        heading: None,
        text: format!("{name}推进工业项目"),
        deadline: String::new(),
        line_first: 1,
        line_last: 1,
        units: vec![DraftUnit {
            name: name.into(),
            unit_id: Some(id),
            role: qx_core::units::TaskRole::Lead,
        }],
    };
    let target = |name: &str, id: i64| DraftTarget {
        level: qx_core::indicator::TargetLevel::Plan,
        section: "工作目标".into(),
        text: format!("{name}新增规上企业10家"),
        name: format!("{name}新增规上企业"),
        value: "10".into(),
        value_max: None,
        unit: "家".into(),
        comparator: ">=".into(),
        kind: "cumulative_count".into(),
        unit_id: Some(id),
        included: true,
        line: 1,
    };
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
                items: vec![item("1", "石浦镇", a_unit), item("2", "西周镇", b_unit)],
                targets: vec![target("石浦镇", a_unit), target("西周镇", b_unit)],
            },
        )
        .await
        .unwrap();
    s.publish_plan(&office, plan).await.unwrap();
    // 新增规上企业 fills from the 企业培育库 on publishing; this county keeps none, so the office
    // switches it back to the units' figures.
    for (id, source) in s.indicator_sources(plan).await.unwrap() {
        if source.cultivation_milestone().is_some() {
            s.set_indicator_source(
                &office,
                id,
                qx_store::indicator_source::IndicatorSource::Manual,
            )
            .await
            .unwrap();
        }
    }
    let period = s
        .open_period(
            &office,
            plan,
            &Period::new_month(2017, 6).unwrap(),
            "2017-07-07",
        )
        .await
        .unwrap();
    let a_indicator = s
        .unit_indicators(&qx_core::access::Actor::system(), plan, a_unit)
        .await
        .unwrap()[0]
        .id;
    County {
        office,
        a,
        b,
        a_unit,
        b_unit,
        plan,
        period,
        a_indicator,
    }
}

pub(crate) fn figures(indicator: i64, value: &str) -> SubmissionInput {
    SubmissionInput {
        values: vec![(indicator, value.into(), String::new())],
        tasks: vec![],
    }
}

#[tokio::test]
async fn a_unit_withdraws_its_report_until_the_office_acts_on_it() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        // The office reviews instead of withdrawing.
        assert!(matches!(
            s.withdraw_submission(&c.office, c.period, c.a_unit).await,
            Err(StoreError::Forbidden(_))
        ));
        // Another unit cannot take it back.
        assert!(
            matches!(
                s.withdraw_submission(&c.b, c.period, c.a_unit).await,
                Err(StoreError::Forbidden(_))
            ),
            "{name}"
        );
        assert_eq!(
            s.withdraw_submission(&c.a, c.period, c.a_unit)
                .await
                .unwrap(),
            id
        );
        let latest = s
            .latest_submission(&qx_core::access::Actor::system(), c.period, c.a_unit)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (latest.id, latest.status),
            (id, SubmissionStatus::Draft),
            "{name}"
        );
        assert_eq!(latest.submitted_at, None);
        // The figures stay in the draft; the office no longer sees it.
        let (values, _) = s.submission_values(&c.a, id).await.unwrap();
        assert_eq!(values[0].value, "3");
        assert!(matches!(
            s.get_submission(&c.office, id).await,
            Err(StoreError::NotFound(_))
        ));
        // Audited, and the office is told; its notice about the submission leads nowhere now.
        let audit = testing::audit_entries(&s, "submission.withdraw")
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "{name}");
        let inbox = s.inbox(&c.office, InboxQuery::default()).await.unwrap();
        assert!(
            inbox
                .iter()
                .any(|n| n.kind == NoticeKind::ReportWithdrawn && n.message.contains("石浦镇")),
            "{name}: {inbox:?}"
        );
        for n in inbox
            .iter()
            .filter(|n| n.kind == NoticeKind::ReportSubmitted)
        {
            assert!(!s.can_open(&c.office, n.subject).await.unwrap(), "{name}");
        }
        // A draft cannot be withdrawn again.
        assert!(matches!(
            s.withdraw_submission(&c.a, c.period, c.a_unit).await,
            Err(StoreError::Conflict(_))
        ));

        // Sent again and returned by the office: too late to withdraw.
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "4"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, false, "请附名单")
            .await
            .unwrap();
        assert!(matches!(
            s.withdraw_submission(&c.a, c.period, c.a_unit).await,
            Err(StoreError::Conflict(_))
        ));
        // And after an approval.
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "4"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, true, "").await.unwrap();
        assert!(matches!(
            s.withdraw_submission(&c.a, c.period, c.a_unit).await,
            Err(StoreError::Conflict(_))
        ));
        let _ = c.b_unit;
    }
}

#[tokio::test]
async fn every_sending_is_kept_with_what_became_of_it() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, false, "请附名单")
            .await
            .unwrap();
        // Sent again with another figure: the first sending stays as it was.
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "4"), true)
            .await
            .unwrap();
        s.withdraw_submission(&c.a, c.period, c.a_unit)
            .await
            .unwrap();
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "5"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, true, "").await.unwrap();

        let sendings = s
            .submission_sendings(&c.office, c.period, c.a_unit)
            .await
            .unwrap();
        let seen: Vec<(String, Option<SendingDecision>, String)> = sendings
            .iter()
            .map(|g| (g.values[0].1.clone(), g.decision, g.comment.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                ("5".into(), Some(SendingDecision::Approved), String::new()),
                ("4".into(), Some(SendingDecision::Withdrawn), String::new()),
                (
                    "3".into(),
                    Some(SendingDecision::Returned),
                    "请附名单".into()
                ),
            ],
            "{name}"
        );
        assert!(sendings.iter().all(|g| g.sent_by == Some(c.a.user_id)));
        // The unit reads its own history; another unit reads nothing of it.
        assert_eq!(
            s.submission_sendings(&c.a, c.period, c.a_unit)
                .await
                .unwrap()
                .len(),
            3
        );
        assert!(matches!(
            s.submission_sendings(&c.b, c.period, c.a_unit).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn imported_history_times_carry_to_the_sendings() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, true, "").await.unwrap();
        s.set_submission_times(&Actor::system(), id, 1_499_000_000, Some(1_499_100_000))
            .await
            .unwrap();
        let g = &s
            .submission_sendings(&c.office, c.period, c.a_unit)
            .await
            .unwrap()[0];
        assert_eq!(
            (g.sent_at, g.decided_at),
            (1_499_000_000, Some(1_499_100_000)),
            "{name}"
        );
    }
}

/// On PostgreSQL the audit chain's head row is the one lock every writer queues for in a
/// month-end surge. A submit, a review and a withdrawal take it last, after every other row of
/// their transaction: while one of them waits on another table, the head stays free.
#[tokio::test]
async fn the_audit_head_is_locked_last_in_a_report_write() {
    use sqlx::Connection;
    let Some(db) = testing::postgres().await.unwrap() else {
        return;
    };
    let (s, url) = (db.store.clone(), db.url.clone());
    let c = county(&s).await;
    // Holds the notices table so that the write stops at its notice, then asks whether the
    // audit head could be taken at that moment.
    async fn head_free_while_notices_wait<F>(url: &str, write: F) -> bool
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut blocker = sqlx::AnyConnection::connect(url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut blocker).await.unwrap();
        sqlx::query("LOCK TABLE notices IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut blocker)
            .await
            .unwrap();
        let writer = tokio::spawn(write);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(
            !writer.is_finished(),
            "the write should wait for its notice"
        );
        let mut probe = sqlx::AnyConnection::connect(url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut probe).await.unwrap();
        let free = sqlx::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE NOWAIT")
            .execute(&mut probe)
            .await
            .is_ok();
        sqlx::query("ROLLBACK").execute(&mut probe).await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
        writer.await.unwrap();
        free
    }
    let (store, a, period, unit, indicator) =
        (s.clone(), c.a.clone(), c.period, c.a_unit, c.a_indicator);
    assert!(
        head_free_while_notices_wait(&url, async move {
            store
                .save_submission(&a, period, unit, &figures(indicator, "3"), true)
                .await
                .unwrap();
        })
        .await,
        "submit"
    );
    let (store, a) = (s.clone(), c.a.clone());
    assert!(
        head_free_while_notices_wait(&url, async move {
            store.withdraw_submission(&a, period, unit).await.unwrap();
        })
        .await,
        "withdraw"
    );
    let id = s
        .save_submission(&c.a, period, unit, &figures(indicator, "4"), true)
        .await
        .unwrap();
    let (store, office) = (s.clone(), c.office.clone());
    assert!(
        head_free_while_notices_wait(&url, async move {
            store
                .review_submission(&office, id, true, "")
                .await
                .unwrap();
        })
        .await,
        "review"
    );
    // Every write still left its entry on an intact chain.
    assert!(s.verify_audit().await.unwrap().ok());
}

/// Records entered after the fact (the demo's year, last year's ledger replayed): the unit's
/// notices of its report's review, told on the period, take the review's time; the notices of
/// a replayed step take the step's time; a notice only ever moves earlier, and only the system
/// dates notices.
#[tokio::test]
async fn notices_entered_after_the_fact_take_their_events_times() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let sys = Actor::system();
        let (returned_at, approved_at) = (1_497_000_000i64, 1_497_300_000i64);
        let first = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, first, false, "请附名单")
            .await
            .unwrap();
        s.set_submission_times(&sys, first, returned_at - 600, Some(returned_at))
            .await
            .unwrap();
        let second = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "4"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, second, true, "")
            .await
            .unwrap();
        s.set_submission_times(&sys, second, approved_at - 600, Some(approved_at))
            .await
            .unwrap();
        assert!(matches!(
            s.date_notices_at_events(&c.office).await,
            Err(StoreError::Forbidden(_))
        ));
        s.date_notices_at_events(&sys).await.unwrap();
        let told = s.inbox(&c.a, InboxQuery::default()).await.unwrap();
        let at = |kind: NoticeKind| {
            told.iter()
                .filter(|n| n.kind == kind)
                .map(|n| n.created_at)
                .collect::<Vec<_>>()
        };
        assert_eq!(at(NoticeKind::ReportReturned), [returned_at], "{name}");
        assert_eq!(at(NoticeKind::ReportApproved), [approved_at], "{name}");

        // A replayed step that told the unit twice: its notices are dated at the step, only
        // ever earlier.
        let before = s.newest_notice_id(&sys).await.unwrap();
        let mut tx = s.begin().await.unwrap();
        for due in ["2017-07-10", "2017-07-11"] {
            qx_store::notices::notify(
                &mut tx,
                &qx_store::notices::NewNotice {
                    audience: qx_core::notice::Audience::Unit(c.a_unit),
                    kind: NoticeKind::ReportRemind,
                    subject: qx_core::notice::Subject::None,
                    text: qx_core::notice::Text::ReportDue {
                        period: "2017-06".into(),
                        due: due.into(),
                    },
                    dedupe_key: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let after = s.newest_notice_id(&sys).await.unwrap();
        assert!(after > before, "{name}");
        let span = |at| qx_store::notices::NoticeSpan {
            after: before,
            up_to: after,
            at,
        };
        assert!(matches!(
            s.newest_notice_id(&c.office).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.date_notice_spans(&c.office, &[span(approved_at)]).await,
            Err(StoreError::Forbidden(_))
        ));
        let later = qx_core::time::now() + 86_400;
        assert_eq!(
            s.date_notice_spans(&sys, &[span(later)]).await.unwrap(),
            0,
            "{name}"
        );
        let moved = s
            .date_notice_spans(&sys, &[span(approved_at)])
            .await
            .unwrap();
        assert_eq!(moved as i64, after - before, "{name}");
        let told = s.inbox(&c.a, InboxQuery::default()).await.unwrap();
        let (new, old): (Vec<_>, Vec<_>) = told.iter().partition(|n| n.id > before);
        assert_eq!(new.len(), 2, "{name}");
        assert!(new.iter().all(|n| n.created_at == approved_at), "{name}");
        // The notices outside the span kept their times.
        let reviews: Vec<i64> = old
            .iter()
            .filter(|n| n.audience == qx_core::notice::Audience::Unit(c.a_unit))
            .map(|n| n.created_at)
            .collect();
        assert_eq!(reviews, [approved_at, returned_at], "{name}");
    }
}
