//! The monthly reporting cycle and the monitoring picture, on every engine.

use crate::common::{published_seed_plan, user};
use qx_app::monitoring::picture;
use qx_core::access::{Actor, Role};
use qx_core::monitor::Light;
use qx_core::period::Period;
use qx_core::units::UnitKind;
use qx_store::StoreError;
use qx_store::monitoring::SubmissionInput;
use qx_store::testing;

struct County {
    db: testing::TestDb,
    office: Actor,
    reviewer: Actor,
    plan: i64,
}

async fn counties() -> Vec<County> {
    let mut out = Vec::new();
    for db in testing::all().await.unwrap() {
        let (office, plan) = published_seed_plan(&db.store).await;
        let reviewer = user(&db.store, "office2", Role::Admin, "县工业强县办").await;
        out.push(County {
            db,
            office,
            reviewer,
            plan,
        });
    }
    out
}

#[tokio::test]
async fn a_month_is_reported_reviewed_locked_and_corrected() {
    for c in counties().await {
        let s = &c.db.store;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let kjj = user(s, "kjj1", Role::Unit, "县科技局").await;
        let june = Period::new_month(2017, 6).unwrap();
        let period = s
            .open_period(&c.office, c.plan, &june, "2017-07-07")
            .await
            .unwrap();
        assert!(matches!(
            s.open_period(&c.office, c.plan, &june, "2017-07-07").await,
            Err(StoreError::Conflict(_))
        ));

        let mine = s
            .unit_indicators(
                &qx_core::access::Actor::system(),
                c.plan,
                jxj.unit_id.unwrap(),
            )
            .await
            .unwrap();
        let scale = mine.iter().find(|i| i.name == "新增规模以上企业").unwrap();
        let growth = mine.iter().find(|i| i.name == "规上工业产值增速").unwrap();
        let theirs = s
            .unit_indicators(
                &qx_core::access::Actor::system(),
                c.plan,
                kjj.unit_id.unwrap(),
            )
            .await
            .unwrap();

        // Only the unit's own indicators, only numbers.
        let foreign = SubmissionInput {
            values: vec![(theirs[0].id, "3".into(), String::new())],
            tasks: vec![],
        };
        assert!(matches!(
            s.save_submission(&jxj, period, jxj.unit_id.unwrap(), &foreign, false)
                .await,
            Err(StoreError::Invalid(_))
        ));
        let bad = SubmissionInput {
            values: vec![(scale.id, "十五".into(), String::new())],
            tasks: vec![],
        };
        let err = s
            .save_submission(&jxj, period, jxj.unit_id.unwrap(), &bad, false)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("新增规模以上企业"),
            "{}: {err}",
            c.db.name
        );
        // Nor for another unit.
        assert!(matches!(
            s.save_submission(&jxj, period, kjj.unit_id.unwrap(), &foreign, false)
                .await,
            Err(StoreError::Forbidden(_))
        ));

        let input = SubmissionInput {
            values: vec![
                (scale.id, "１５".into(), "含3家新投产".into()),
                (growth.id, "8.6%".into(), String::new()),
            ],
            tasks: vec![],
        };
        let sub = s
            .save_submission(&jxj, period, jxj.unit_id.unwrap(), &input, true)
            .await
            .unwrap();
        assert!(matches!(
            s.save_submission(&jxj, period, jxj.unit_id.unwrap(), &input, true)
                .await,
            Err(StoreError::Conflict(_))
        ));

        // A unit's draft is invisible to others; a return needs a comment; approval locks.
        assert!(s.get_submission(&kjj, sub).await.is_err());
        assert!(matches!(
            s.review_submission(&c.office, sub, false, " ").await,
            Err(StoreError::Invalid(_))
        ));
        s.review_submission(&c.office, sub, false, "产值增速与统计局口径不一致")
            .await
            .unwrap();
        let fixed = SubmissionInput {
            values: vec![(growth.id, "8.2".into(), "按统计局口径".into())],
            tasks: vec![],
        };
        s.save_submission(&jxj, period, jxj.unit_id.unwrap(), &fixed, true)
            .await
            .unwrap();
        s.review_submission(&c.reviewer, sub, true, "")
            .await
            .unwrap();
        // The June report as the county's history has it: sent on 5 July, before the 7th.
        let sent_0705 = 1_499_184_000; // 2017-07-05 00:00 +08:00
        s.set_submission_times(&Actor::system(), sub, sent_0705, Some(sent_0705 + 3_600))
            .await
            .unwrap();
        let punctuality = |pic: &qx_app::monitoring::Picture| {
            let u = pic
                .units
                .iter()
                .find(|u| Some(u.unit_id) == jxj.unit_id)
                .expect("县经信局 owes reports");
            (u.on_time, u.late, u.missing)
        };
        let pic = picture(s, &c.office, c.plan, june).await.unwrap();
        assert_eq!(punctuality(&pic), (1, 0, 0), "{}", c.db.name);
        // A collective name has tasks in the seed plan but owes no reports: nobody signs in
        // for 各涉企部门, so counting it would show it as never reporting.
        let groups: Vec<i64> = s
            .list_units()
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.kind == UnitKind::Group)
            .map(|u| u.id)
            .collect();
        assert!(pic.tasks.iter().any(|t| {
            t.lead_units
                .iter()
                .chain(&t.support_units)
                .any(|n| n == "各涉企部门")
        }));
        assert!(pic.units.iter().all(|u| !groups.contains(&u.unit_id)));
        let progress = s
            .period_progress(&qx_core::access::Actor::system(), period)
            .await
            .unwrap();
        assert!(!progress.is_empty());
        assert!(progress.iter().all(|p| !groups.contains(&p.unit_id)));
        assert!(matches!(
            s.save_submission(&jxj, period, jxj.unit_id.unwrap(), &fixed, false)
                .await,
            Err(StoreError::Conflict(_))
        ));

        let pic = picture(s, &c.office, c.plan, june).await.unwrap();
        let row = pic
            .indicators
            .iter()
            .find(|r| r.indicator.id == scale.id)
            .unwrap();
        assert_eq!(row.actual, Some(15.0));
        assert_eq!(
            row.assessment.light,
            Light::Green,
            "15 of 30 by June is on 序时进度"
        );
        let g = pic
            .indicators
            .iter()
            .find(|r| r.indicator.id == growth.id)
            .unwrap();
        assert_eq!(g.actual, Some(8.2));
        assert!(
            pic.indicators
                .iter()
                .any(|r| r.assessment.light == Light::Grey),
            "unreported indicators stay grey"
        );

        // A correction after approval is a new revision; the old figure stays in history.
        let rev = s
            .start_correction(&jxj, period, jxj.unit_id.unwrap())
            .await
            .unwrap();
        // A correction still in draft does not make the month missing.
        let pic = picture(s, &c.office, c.plan, june).await.unwrap();
        assert_eq!(punctuality(&pic), (1, 0, 0), "{}", c.db.name);
        let lower = SubmissionInput {
            values: vec![(scale.id, "12".into(), "剔除重复统计".into())],
            tasks: vec![],
        };
        s.save_submission(&jxj, period, jxj.unit_id.unwrap(), &lower, true)
            .await
            .unwrap();
        // Nobody approves their own submission.
        let office_as_unit = Actor {
            unit_id: jxj.unit_id,
            ..c.office.clone()
        };
        let own = s
            .start_correction(&office_as_unit, period, jxj.unit_id.unwrap())
            .await;
        assert!(own.is_err(), "a submitted revision is pending");
        s.review_submission(&c.office, rev, true, "").await.unwrap();
        let history = s
            .submission_history(&c.office, period, jxj.unit_id.unwrap())
            .await
            .unwrap();
        let statuses: Vec<&str> = history.iter().map(|h| h.status.as_str()).collect();
        assert_eq!(statuses, vec!["approved", "superseded"], "{}", c.db.name);
        let pic = picture(s, &c.office, c.plan, june).await.unwrap();
        let row = pic
            .indicators
            .iter()
            .find(|r| r.indicator.id == scale.id)
            .unwrap();
        assert_eq!(row.actual, Some(12.0));
        assert_eq!(
            row.assessment.light,
            Light::Yellow,
            "40% against 50% 序时进度"
        );
        // Sent today, long after 7 July 2017, the correction leaves June on time: punctuality
        // is judged on when the report was first sent.
        assert_eq!(punctuality(&pic), (1, 0, 0), "{}", c.db.name);
    }
}

#[tokio::test]
async fn the_office_cannot_approve_its_own_submission() {
    for c in counties().await {
        let s = &c.db.store;
        let period = s
            .open_period(
                &c.office,
                c.plan,
                &Period::new_month(2017, 3).unwrap(),
                "2017-04-10",
            )
            .await
            .unwrap();
        let unit = s.resolve_unit("县经信局").await.unwrap().unwrap().id;
        let sub = s
            .save_submission(&c.office, period, unit, &SubmissionInput::default(), true)
            .await
            .unwrap();
        let err = s
            .review_submission(&c.office, sub, true, "")
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Forbidden(_)),
            "{}: {err}",
            c.db.name
        );
        s.review_submission(&c.reviewer, sub, true, "")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn reminders_reach_only_units_that_have_not_reported() {
    for c in counties().await {
        let s = &c.db.store;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let period = s
            .open_period(
                &c.office,
                c.plan,
                &Period::new_month(2017, 1).unwrap(),
                "2017-02-10",
            )
            .await
            .unwrap();
        s.save_submission(
            &jxj,
            period,
            jxj.unit_id.unwrap(),
            &SubmissionInput::default(),
            true,
        )
        .await
        .unwrap();
        let reminded = s.remind_unreported(&c.office, period).await.unwrap();
        assert!(!reminded.contains(&jxj.unit_id.unwrap()));
        let zsj = s.resolve_unit("县招商局").await.unwrap().unwrap().id;
        assert!(reminded.contains(&zsj));
        let zsj_user = user(s, "zsj1", Role::Unit, "县招商局").await;
        let notices = s.unit_notices(&zsj_user, zsj).await.unwrap();
        assert!(notices[0].1.contains("2017年1月"), "{}", c.db.name);
    }
}
