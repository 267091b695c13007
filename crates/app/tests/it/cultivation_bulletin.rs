//! The bulletin's 企业培育情况 paragraph on every engine: absent while the county keeps no
//! library; with one, the libraries as the period's last day stood (a move dated after it is
//! not in it).

use crate::common::published_seed_plan;
use qx_app::bulletin::{self, report};
use qx_core::access::Actor;
use qx_core::cultivation::MoveKind;
use qx_core::period::Period;
use qx_store::cultivation::{MoveRequest, NewEntry};
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::testing;
use report::BulletinKind;

#[tokio::test]
async fn the_bulletin_tells_the_cultivation_of_the_year_when_there_is_a_library() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let (office, plan) = published_seed_plan(s).await;
        let june = Period::new_month(2017, 6).unwrap();
        let snap = |on: &'static str| {
            bulletin::build_snapshot(s, &office, plan, BulletinKind::Monthly, june, on, None)
        };
        let bare = snap("2017-07-10").await.unwrap();
        assert_eq!(bare.cultivation, None, "{name}");
        assert!(
            !report::text::plain(&bare).contains("企业培育情况"),
            "{name}"
        );

        let mut tx = s.begin().await.unwrap();
        let mut firms = Vec::new();
        for i in 1..=2u32 {
            let code =
                qx_core::codes::CreditCode::complete(&format!("9133022520000000{i}")).unwrap();
            let e = NewEnterprise {
                credit_code: code.as_str().to_string(),
                name: format!("象山培育{i}有限公司"),
                town_id: None,
                industry_code: None,
                scale: qx_core::scale::Scale::Below,
            };
            firms.push(insert_enterprise(&mut tx, &e).await.unwrap());
        }
        tx.commit().await.unwrap();
        let xsg = s.cultivation_pipeline_by_code("xsg").await.unwrap();
        let system = Actor::system();
        for (firm, reached) in firms.iter().zip(["2017-05-08", "2017-07-02"]) {
            let entry = s
                .enter_cultivation(
                    &system,
                    &NewEntry {
                        pipeline_id: xsg.id,
                        enterprise_id: Some(*firm),
                        stage_id: xsg.stages[0].id,
                        on_date: "2017-01-15".into(),
                        ..NewEntry::default()
                    },
                )
                .await
                .unwrap();
            let req = MoveRequest {
                kind: MoveKind::Advance,
                to_stage_id: Some(xsg.stages[2].id),
                on_date: reached.into(),
                evidence: String::new(),
                credit_code: String::new(),
                certificate_no: String::new(),
                board: String::new(),
                stock_code: String::new(),
            };
            s.move_cultivation(&system, entry, &req).await.unwrap();
        }
        let with = snap("2017-07-10").await.unwrap();
        let c = with.cultivation.clone().expect("a library, a paragraph");
        assert_eq!((c.active, c.entered, c.exited), (2, 2, 0), "{name}");
        assert_eq!(c.reached, vec![("新增规上企业".to_string(), 1)], "{name}");
        let plain = report::text::plain(&with);
        assert!(
            plain.contains(
                "截至6月底，企业培育库在库企业2家；今年以来新增规上企业1家；今年入库2家，出库0家。"
            ),
            "{name}: {plain}"
        );
        db.discard().await.unwrap();
    }
}
