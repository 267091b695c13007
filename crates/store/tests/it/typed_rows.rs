//! Codes the store reads back as core enums: a value this program never wrote is an error
//! naming it, never a default (an unknown role must not read as some privilege).

use qx_core::access::{Actor, Role};
use qx_core::units::UnitKind;
use qx_store::testing;
use qx_store::units::NewUnit;
use qx_store::users::NewUser;

#[tokio::test]
async fn an_unknown_stored_role_is_an_error_not_a_default() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let unit = s
            .create_unit(&Actor::system(), &town("丹东街道", "dandong"))
            .await
            .unwrap();
        let id = s
            .create_user(
                &Actor::system(),
                &NewUser {
                    username: "qy1".into(),
                    display_name: "李四".into(),
                    role: Role::Unit,
                    unit_id: Some(unit),
                    enterprise_id: None,
                    phone: String::new(),
                    password_hash: "$argon2id$placeholder".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(s.get_user(id).await.unwrap().role(), Role::Unit);
        let mut tx = s.begin().await.unwrap();
        sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind("superuser")
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let err = s.get_user(id).await.unwrap_err().to_string();
        assert!(err.contains("role"), "{:?}: {err}", db.name);
        assert!(
            s.find_user_by_username("qy1").await.is_err(),
            "{:?}: the login lookup refuses the row too",
            db.name
        );
    }
}

#[tokio::test]
async fn an_unknown_stored_unit_kind_is_an_error_not_a_default() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let id = s
            .create_unit(&Actor::system(), &town("丹城镇", "dancheng"))
            .await
            .unwrap();
        assert_eq!(s.get_unit(id).await.unwrap().kind, UnitKind::Town);
        let mut tx = s.begin().await.unwrap();
        sqlx::query("UPDATE units SET kind = $1 WHERE id = $2")
            .bind("ministry")
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let err = s.get_unit(id).await.unwrap_err().to_string();
        assert!(err.contains("kind"), "{}: {err}", db.name);
        assert!(s.list_units().await.is_err(), "{}", db.name);
    }
}

fn town(name: &str, slug: &str) -> NewUnit {
    NewUnit {
        kind: UnitKind::Town,
        name: name.into(),
        full_name: format!("象山县{name}"),
        region_code: None,
        parent_id: None,
        slug: slug.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

/// Writes `value` into `table.column` of row `id` behind the store's back, as a database
/// another program (or an older one) wrote would hold it.
async fn corrupt(s: &qx_store::Store, table: &str, column: &str, id: i64, value: &str) {
    let sql = match (table, column) {
        ("indicators", "kind") => "UPDATE indicators SET kind = $1 WHERE id = $2",
        ("users", "lang") => "UPDATE users SET lang = $1 WHERE id = $2",
        ("report_periods", "due_on") => "UPDATE report_periods SET due_on = $1 WHERE id = $2",
        ("task_reports", "status") => "UPDATE task_reports SET status = $1 WHERE task_id = $2",
        other => panic!("no statement for {other:?}"),
    };
    let mut tx = s.begin().await.unwrap();
    sqlx::query(sql)
        .bind(value)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_unknown_stored_indicator_kind_is_an_error_not_a_default() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let c = crate::submissions::county(s).await;
        let kinds = s.plan_indicators(&c.office, c.plan).await.unwrap();
        assert_eq!(
            kinds[0].kind,
            qx_core::indicator::IndicatorKind::CumulativeCount
        );
        corrupt(s, "indicators", "kind", c.a_indicator, "tonnage").await;
        let err = s
            .plan_indicators(&c.office, c.plan)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("kind"), "{}: {err}", db.name);
        assert!(
            s.unit_indicators(&c.a, c.plan, c.a_unit).await.is_err(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn an_unknown_stored_language_is_an_error_not_chinese() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let c = crate::submissions::county(s).await;
        s.set_user_lang(c.a.user_id, qx_core::label::Lang::En)
            .await
            .unwrap();
        assert_eq!(
            s.get_user(c.a.user_id).await.unwrap().lang,
            qx_core::label::Lang::En
        );
        corrupt(s, "users", "lang", c.a.user_id, "fr").await;
        let err = s.get_user(c.a.user_id).await.unwrap_err().to_string();
        assert!(err.contains("lang"), "{}: {err}", db.name);
    }
}

#[tokio::test]
async fn a_stored_due_date_that_is_not_a_date_is_an_error_not_no_deadline() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let c = crate::submissions::county(s).await;
        let p = s.get_period(&c.office, c.period).await.unwrap();
        assert_eq!(qx_core::time::format_date(p.due_on), "2017-07-07");
        corrupt(s, "report_periods", "due_on", c.period, "七月七日").await;
        let err = s
            .get_period(&c.office, c.period)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("七月七日"), "{}: {err}", db.name);
        assert!(
            s.list_periods(&c.office, c.plan).await.is_err(),
            "{}",
            db.name
        );
        let saving = s
            .save_submission(
                &c.a,
                c.period,
                c.a_unit,
                &crate::submissions::figures(c.a_indicator, "3"),
                false,
            )
            .await;
        assert!(
            saving.is_err(),
            "{}: a report is not saved against it",
            db.name
        );
    }
}

#[tokio::test]
async fn an_unknown_stored_task_status_is_an_error_not_a_default() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
        let c = crate::submissions::county(s).await;
        let (task, _) = s.unit_tasks(&c.a, c.plan, c.a_unit).await.unwrap()[0].clone();
        let input = qx_store::monitoring::SubmissionInput {
            values: vec![],
            tasks: vec![(task.id, "已开工".into(), "behind".into())],
        };
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &input, true)
            .await
            .unwrap();
        let (_, tasks) = s.submission_values(&c.a, id).await.unwrap();
        assert_eq!(tasks[0].status, qx_core::monitor::TaskState::Behind);
        corrupt(s, "task_reports", "status", task.id, "paused").await;
        let err = s.submission_values(&c.a, id).await.unwrap_err().to_string();
        assert!(err.contains("status"), "{}: {err}", db.name);
        assert!(
            s.task_reports_for_period(&c.office, c.period, task.id)
                .await
                .is_err(),
            "{}: the lead's view of co-units' reports refuses it too",
            db.name
        );
    }
}
