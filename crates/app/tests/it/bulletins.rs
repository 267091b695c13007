//! Bulletins on every engine: a snapshot of approved data, published once with its files,
//! unchanged by later corrections (which show up in the next bulletin as revisions); data
//! scope; and the golden text of the demo county's 2017Q2 通报.

use crate::common::{published_seed_plan, user};
use qx_app::AppError;
use qx_app::bulletin::{self, report};
use qx_core::access::{Actor, Role};
use qx_core::cultivation::Milestone;
use qx_core::period::Period;
use qx_store::monitoring::SubmissionInput;
use qx_store::testing;
use qx_store::{Store, StoreError};
use report::{BulletinKind, Status};

/// Reports one figure for a month and has the office approve it.
async fn report_month(
    s: &Store,
    office: &Actor,
    unit: &Actor,
    plan: i64,
    month: u8,
    indicator: i64,
    value: &str,
) -> i64 {
    let p = Period::new_month(2017, month).unwrap();
    let period = match s
        .list_periods(&qx_core::access::Actor::system(), plan)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.period == p.to_string())
    {
        Some(x) => x.id,
        None => s
            .open_period(office, plan, &p, &format!("2017-{:02}-07", month + 1))
            .await
            .unwrap(),
    };
    let input = SubmissionInput {
        values: vec![(indicator, value.into(), String::new())],
        tasks: vec![],
    };
    let sub = s
        .save_submission(unit, period, unit.unit_id.unwrap(), &input, true)
        .await
        .unwrap();
    s.review_submission(office, sub, true, "").await.unwrap();
    period
}

#[tokio::test]
async fn published_bulletins_are_frozen_and_corrections_become_revisions() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let leader = user(s, "leader", Role::Leader, "县工业强县办").await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        // 新增规模以上企业 fills itself from the 企业培育库 on publishing; this county keeps no
        // library, so the office switches it back to the unit's figures (as a county may).
        let scale_id = s
            .plan_indicators(&office, plan)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.name == "新增规模以上企业")
            .unwrap()
            .id;
        s.set_indicator_source(
            &office,
            scale_id,
            qx_store::indicator_source::IndicatorSource::Manual,
        )
        .await
        .unwrap();
        let scale = s
            .unit_indicators(
                &qx_core::access::Actor::system(),
                plan,
                jxj.unit_id.unwrap(),
            )
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.name == "新增规模以上企业")
            .unwrap();
        let may_period = report_month(s, &office, &jxj, plan, 5, scale.id, "13").await;
        let may = Period::new_month(2017, 5).unwrap();

        // Preview: only the office; the sentence counts the lights.
        let snap = bulletin::build_snapshot(
            s,
            &office,
            plan,
            BulletinKind::Monthly,
            may,
            "2017-06-10",
            None,
        )
        .await
        .unwrap();
        let n = snap.indicators.len();
        let row = snap
            .indicators
            .iter()
            .find(|i| i.name == "新增规模以上企业")
            .unwrap();
        assert_eq!(row.actual, Some(13.0));
        assert_eq!(
            row.status,
            Status::Green,
            "13 of 30 by May is 43.3% against 41.7%: {row:?}"
        );
        let overview = report::text::overview(&snap).join("");
        assert!(
            overview.contains(&format!(
                "全县工业强县{n}项主要指标中，{}项达到序时进度",
                snap.count(Status::Green)
            )),
            "{overview}"
        );
        assert!(matches!(
            bulletin::build_snapshot(
                s,
                &leader,
                plan,
                BulletinKind::Monthly,
                may,
                "2017-06-10",
                None
            )
            .await,
            Err(AppError::Store(StoreError::Forbidden(_)))
        ));
        assert!(matches!(
            bulletin::parse_period(BulletinKind::Quarterly, "2017-05"),
            Err(AppError::Invalid(_))
        ));

        // Publish May: numbered, archived in three formats, audited, once only.
        let id = bulletin::publish(s, &office, plan, BulletinKind::Monthly, may, "2017-06-10")
            .await
            .unwrap();
        let b = s.get_bulletin(&leader, id).await.unwrap();
        assert_eq!(b.doc_number, "象工强办〔2017〕1号");
        let docx_before = s.bulletin_file(&leader, id, "docx").await.unwrap().data;
        let xlsx_before = s.bulletin_file(&jxj, id, "xlsx").await.unwrap().data;
        assert!(docx_before.starts_with(b"PK"));
        assert!(matches!(
            bulletin::publish(s, &office, plan, BulletinKind::Monthly, may, "2017-06-11").await,
            Err(AppError::Store(StoreError::Conflict(_)))
        ));
        assert!(matches!(
            bulletin::publish(
                s,
                &leader,
                plan,
                BulletinKind::Monthly,
                Period::new_month(2017, 6).unwrap(),
                "2017-07-10"
            )
            .await,
            Err(AppError::Store(StoreError::Forbidden(_)))
        ));
        let q = qx_store::audit::AuditQuery {
            entity: Some("bulletin".into()),
            entity_id: Some(id.to_string()),
            ..Default::default()
        };
        let audit = s
            .audit_list(&qx_core::access::Actor::system(), &q)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == "bulletin.publish"),
            "{}",
            db.name
        );

        // Enterprises read no bulletins.
        let ent = Actor {
            role: Role::Enterprise,
            unit_id: None,
            enterprise_id: Some(1),
            ..leader.clone()
        };
        assert!(matches!(
            s.list_bulletins(&ent, plan).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            s.bulletin_file(&ent, id, "docx").await,
            Err(StoreError::Forbidden(_))
        ));

        // A correction of May after publication ...
        let rev = s
            .start_correction(&jxj, may_period, jxj.unit_id.unwrap())
            .await
            .unwrap();
        let lower = SubmissionInput {
            values: vec![(scale.id, "12".into(), "剔除1家重复统计".into())],
            tasks: vec![],
        };
        s.save_submission(&jxj, may_period, jxj.unit_id.unwrap(), &lower, true)
            .await
            .unwrap();
        s.review_submission(&office, rev, true, "").await.unwrap();

        // ... leaves the published May bulletin as it was ...
        let again = bulletin::published_snapshot(s, &leader, id).await.unwrap();
        assert_eq!(
            again
                .indicators
                .iter()
                .find(|i| i.indicator_id == scale.id)
                .unwrap()
                .actual,
            Some(13.0)
        );
        assert_eq!(
            s.bulletin_file(&leader, id, "docx").await.unwrap().data,
            docx_before
        );
        assert_eq!(
            s.bulletin_file(&leader, id, "xlsx").await.unwrap().data,
            xlsx_before
        );
        assert_eq!(
            report::docx::render(&again).unwrap(),
            docx_before,
            "re-rendering the snapshot gives the same file"
        );

        // ... and June's bulletin lists it as a revision, with the change in ranking.
        report_month(s, &office, &jxj, plan, 6, scale.id, "15").await;
        let june = Period::new_month(2017, 6).unwrap();
        let snap = bulletin::build_snapshot(
            s,
            &office,
            plan,
            BulletinKind::Monthly,
            june,
            "2017-07-10",
            None,
        )
        .await
        .unwrap();
        assert_eq!(snap.revisions_since.as_deref(), Some("象工强办〔2017〕1号"));
        assert_eq!(snap.revisions.len(), 1, "{:?}", snap.revisions);
        let r = &snap.revisions[0];
        assert_eq!(
            (r.indicator.as_str(), r.month, r.before, r.after),
            ("新增规模以上企业", 5, Some(13.0), Some(12.0))
        );
        let jxj_rank = snap
            .departments
            .iter()
            .find(|d| d.unit == "县经信局")
            .unwrap();
        assert!(
            jxj_rank.change.is_some(),
            "compared with May's published places"
        );
        let text = report::text::plain(&snap);
        assert!(
            text.contains("象工强办〔2017〕1号印发后，有1项已审核数据作了更正"),
            "{text}"
        );
        let id2 = bulletin::publish(s, &office, plan, BulletinKind::Monthly, june, "2017-07-10")
            .await
            .unwrap();
        assert_eq!(
            s.get_bulletin(&jxj, id2).await.unwrap().doc_number,
            "象工强办〔2017〕2号"
        );
        assert_eq!(s.list_bulletins(&leader, plan).await.unwrap().len(), 2);
    }
}

/// The demo county's 2017Q2 通报 as text, reviewed by a person. `QX_BLESS=1` rewrites it.
#[tokio::test]
async fn golden_text_of_the_demo_quarterly_bulletin() {
    let db = testing::sqlite().await.unwrap();
    let s = &db.store;
    qx_demo::seed(
        s,
        &qx_demo::DemoOptions {
            password: Some("Xiangshan#2017".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let plan = s.published_plan(2017).await.unwrap().unwrap().id;
    let office = s
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    // The demo's 企业培育库 lands near the plan's cultivation targets by 5 December, and the
    // facts hold thirty-odd 小升规 candidates.
    let candidates = s.cultivation_candidates(&office).await.unwrap().len();
    assert!(
        (30..=39).contains(&candidates),
        "{candidates} 小升规 candidates"
    );
    let reached = s
        .cultivation_reached_by_month(2017, "2017-12-05")
        .await
        .unwrap();
    for (milestone, target) in [
        (Milestone::AboveScale, 30),
        (Milestone::Converted, 100),
        (Milestone::HighTech, 7),
        (Milestone::TechSme, 20),
        (Milestone::Startup, 120),
        (Milestone::Champion, 8),
        (Milestone::ChampionModel, 2),
    ] {
        let n: i64 = reached.get(&milestone).map_or(0, |m| m.iter().sum());
        assert!(
            n * 10 >= target * 8 && n * 10 <= target * 13,
            "{milestone:?}: {n} against the plan's {target}"
        );
    }
    // The 通报 the demo office issued for 2017Q2 …
    let issued = s
        .find_bulletin(&office, plan, BulletinKind::Quarterly, "2017Q2")
        .await
        .unwrap()
        .expect("the demo publishes 2017Q2");
    let snap = bulletin::published_snapshot(s, &office, issued.id)
        .await
        .unwrap();
    assert_eq!(snap.doc_number, "象工强办〔2017〕2号");
    // … reads the same as a fresh preview of that quarter from today's data.
    let q2 = bulletin::parse_period(BulletinKind::Quarterly, "2017Q2").unwrap();
    let preview = bulletin::build_snapshot(
        s,
        &office,
        plan,
        BulletinKind::Quarterly,
        q2,
        &snap.issued_on,
        Some(snap.doc_number.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        report::text::plain(&preview),
        report::text::plain(&snap),
        "nothing was corrected after the demo published 2017Q2"
    );
    let text = report::text::plain(&snap);
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/bulletin-2017Q2.txt");
    if std::env::var_os("QX_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(&path)
        .expect("golden file missing: run with QX_BLESS=1 and review it");
    assert_eq!(
        text, golden,
        "the demo bulletin changed; review and bless with QX_BLESS=1"
    );
    // The three renderings build from the same snapshot.
    assert!(report::docx::render(&snap).unwrap().len() > 10_000);
    assert!(report::xlsx::render(&snap).unwrap().len() > 5_000);
    assert!(
        report::html::document(&snap).contains("关于2017年第二季度全县工业强县工作推进情况的通报")
    );
}
