//! An enterprise withdraws a problem before 受理, on both engines: the state, the audit entry,
//! the office's notice, and rates that neither count it as handled nor as overdue; the
//! deadline sweep and recompute leave it alone; internal notes stay out of its view.

use qx_core::access::{Actor, Role};
use qx_core::problem::{Category, EventKind, Status};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::notices::InboxQuery;
use qx_store::problems::{NewProblem, RateFilter, Step};
use qx_store::{StoreError, testing};
use time::macros::date;

#[tokio::test]
async fn a_withdrawn_problem_is_finished_and_never_counted_as_handled_or_overdue() {
    for db in testing::all().await.expect("test databases") {
        let s = &db.store;
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
        let office = Actor {
            role: Role::Admin,
            enterprise_id: None,
            username: "office".into(),
            ..enterprise.clone()
        };
        let submitted = date!(2017 - 06 - 01);
        let new = NewProblem {
            enterprise_id: ent,
            category: Category::Land,
            title: "扩建用地指标".into(),
            description: "二期厂房需新增用地30亩".into(),
            contact_name: "王经理".into(),
            contact_phone: String::new(),
            source: qx_core::problem::Channel::Web,
            submitted_on: submitted,
        };
        let (id, _) = s.submit_problem(&enterprise, &new, vec![]).await.unwrap();
        s.add_internal_note(&office, id, "先核实用地红线")
            .await
            .unwrap();

        // The office may not withdraw for the enterprise.
        let step = Step::Withdraw {
            reason: "已自行解决".into(),
        };
        let err = s
            .problem_step(&office, id, &step, submitted)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
        s.problem_step(&enterprise, id, &step, submitted)
            .await
            .unwrap();

        let d = s.get_problem(&enterprise, id).await.unwrap();
        assert_eq!(d.problem.status(), Status::Withdrawn);
        assert_eq!(d.problem.due_on, "", "no clock runs");
        let kinds: Vec<EventKind> = d.events.iter().map(|e| e.action).collect();
        assert_eq!(
            kinds,
            vec![
                EventKind::Submit,
                EventKind::Step(qx_core::problem::Action::Withdraw)
            ],
            "the enterprise's timeline has no internal note"
        );
        let county = s.get_problem(&office, id).await.unwrap();
        assert!(
            county
                .events
                .iter()
                .any(|e| e.action == EventKind::InternalNote)
        );
        let audit = testing::audit_entries(s, "problem.withdraw").await.unwrap();
        assert_eq!(audit.len(), 1);
        let notices = s
            .inbox(
                &office,
                InboxQuery {
                    unread: false,
                    before: None,
                    limit: 20,
                },
            )
            .await
            .unwrap();
        assert!(notices.iter().any(|n| n.message.contains("已由企业撤回")));

        // After its deadlines would have passed: not overdue, not unanswered, not closed.
        let later = date!(2017 - 09 - 01);
        let rates = s
            .problem_rates(&Actor::system(), &RateFilter::default(), later)
            .await
            .unwrap();
        assert_eq!(rates.counts.overdue_unanswered, 0);
        assert_eq!(rates.counts.answered + rates.counts.closed, 0);
        assert_eq!(rates.answer_rate, None, "nothing was owed an answer");
        s.recompute_problem_deadlines().await.unwrap();
        let swept = s.sweep_problem_deadlines(later).await.unwrap();
        assert!(swept.notices.is_empty());
        assert_eq!(s.get_problem(&office, id).await.unwrap().problem.due_on, "");
        // It cannot be accepted any more.
        let err = s
            .problem_step(
                &office,
                id,
                &Step::Accept {
                    note: String::new(),
                },
                later,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    }
}
