//! The problem timeline's states, a problem's running deadline and an evaluation result's
//! scale read back typed: a value this program never wrote is an error naming it, never a
//! default (an unknown event state used to show as no state, a bad due date as no deadline).

use qx_core::access::{Actor, Role};
use qx_core::problem::{Category, EventStatus, Status};
use qx_core::scale::Scale;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::evaluation::ResultFilter;
use qx_store::problems::{NewProblem, ProblemFilter};
use qx_store::{Store, testing};
use time::macros::date;

async fn execute(s: &Store, sql: &'static str, value: &str, id: i64) {
    let mut tx = s.begin().await.unwrap();
    sqlx::query(sql)
        .bind(value)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// One submitted problem: its id and the office.
async fn one_problem(s: &Store) -> (i64, Actor) {
    let town = qx_store::testing::town(s, "石浦镇", "shipu").await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let ent = insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(town),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let enterprise = Actor {
        user_id: 0,
        username: "qy".into(),
        role: Role::Enterprise,
        unit_id: None,
        enterprise_id: Some(ent),
        ip: String::new(),
    };
    let new = NewProblem {
        enterprise_id: ent,
        category: Category::Land,
        title: "扩建用地指标".into(),
        description: "二期厂房需新增用地30亩".into(),
        contact_name: "王经理".into(),
        contact_phone: String::new(),
        source: qx_core::problem::Channel::Web,
        submitted_on: date!(2017 - 06 - 01),
    };
    let (id, _) = s.submit_problem(&enterprise, &new, vec![]).await.unwrap();
    let office = Actor {
        role: Role::Admin,
        enterprise_id: None,
        username: "office".into(),
        ..enterprise
    };
    (id, office)
}

#[tokio::test]
async fn an_unknown_stored_event_state_is_an_error_not_a_blank() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let (id, office) = one_problem(s).await;
        let d = s.get_problem(&office, id).await.unwrap();
        let submit = &d.events[0];
        assert_eq!(submit.from_status, EventStatus(None), "{}", db.name);
        assert_eq!(submit.to_status, Status::Submitted.into(), "{}", db.name);
        execute(
            s,
            "UPDATE problem_events SET to_status = $1 WHERE problem_id = $2",
            "lost",
            id,
        )
        .await;
        let err = s.get_problem(&office, id).await.unwrap_err().to_string();
        assert!(err.contains("to_status"), "{}: {err}", db.name);
    }
}

#[tokio::test]
async fn a_stored_running_deadline_reads_as_a_date_and_a_bad_one_is_an_error() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let (id, office) = one_problem(s).await;
        let d = s.get_problem(&office, id).await.unwrap();
        let due = d
            .problem
            .due
            .expect("a submitted problem's acceptance runs");
        assert_eq!(qx_core::time::format_date(due), d.problem.due_on);
        let today = date!(2017 - 06 - 01);
        let filter = ProblemFilter {
            limit: 50,
            ..Default::default()
        };
        let (rows, _) = s.list_problems(&office, &filter, today).await.unwrap();
        assert_eq!(rows[0].due, Some(due), "{}", db.name);
        execute(
            s,
            "UPDATE problems SET due_on = $1 WHERE id = $2",
            "下周一",
            id,
        )
        .await;
        let err = s.get_problem(&office, id).await.unwrap_err().to_string();
        assert!(err.contains("下周一"), "{}: {err}", db.name);
        let err = s
            .list_problems(&office, &filter, today)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("下周一"), "{}: {err}", db.name);
        // No running deadline (closed, withdrawn) is stored as '' and reads as none.
        execute(s, "UPDATE problems SET due_on = $1 WHERE id = $2", "", id).await;
        assert_eq!(s.get_problem(&office, id).await.unwrap().problem.due, None);
    }
}

#[tokio::test]
async fn an_unknown_stored_result_scale_is_an_error_not_below() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let (run, _) = crate::enterprises::one_firm_run(s, "[[classes]]\nname = \"C\"").await;
        let office = Actor::system();
        let lines = s
            .run_results(&office, run, &ResultFilter::default())
            .await
            .unwrap();
        assert_eq!(lines[0].scale, Scale::Above, "{}", db.name);
        execute(
            s,
            "UPDATE eval_results SET scale = $1 WHERE run_id = $2",
            "middle",
            run,
        )
        .await;
        let err = s
            .run_results(&office, run, &ResultFilter::default())
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("scale"), "{}: {err}", db.name);
    }
}

/// A plan target's 比较 and 指标类型 read back typed: a code this program never wrote is an
/// error naming the column (the plan page used to show "?" and the export the raw text).
#[tokio::test]
async fn an_unknown_stored_target_kind_or_comparator_is_an_error() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let c = crate::submissions::county(s).await;
        let targets = s.plan_targets(&c.office, c.plan).await.unwrap();
        let target = targets[0].id;
        assert_eq!(
            targets[0].comparator,
            qx_core::indicator::Comparator::AtLeast,
            "{}",
            db.name
        );
        for (sql, bad, column) in [
            (
                "UPDATE plan_targets SET kind = $1 WHERE id = $2",
                "speed",
                "kind",
            ),
            (
                "UPDATE plan_targets SET comparator = $1 WHERE id = $2",
                "~",
                "comparator",
            ),
        ] {
            execute(s, sql, bad, target).await;
            let err = s
                .plan_targets(&c.office, c.plan)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains(column), "{}: {bad}: {err}", db.name);
        }
    }
}
