//! 企业培育库, the rest of #17 (migration 0025), on both engines: the stages the plan names
//! (隐形冠军, 单项冠军 培育 and 示范) and the one-stage lists that count toward the plan.

use qx_core::cultivation::Milestone;

#[tokio::test]
async fn the_plans_stages_and_milestones_are_seeded() {
    for db in qx_store::testing::all().await.unwrap() {
        let store = &db.store;
        let name = db.name;
        let zjtx = store.cultivation_pipeline_by_code("zjtx").await.unwrap();
        let stages: Vec<(&str, Option<Milestone>)> = zjtx
            .stages
            .iter()
            .map(|s| (s.name.as_str(), s.milestone))
            .collect();
        assert_eq!(
            stages,
            [
                ("创新型中小企业", None),
                ("专精特新中小企业", None),
                ("专精特新\"小巨人\"", None),
                ("隐形冠军", None),
                ("制造业单项冠军(入库培育)", Some(Milestone::Champion)),
                ("制造业单项冠军示范", Some(Milestone::ChampionModel)),
            ],
            "{name}"
        );
        for (code, milestone) in [
            ("cxcc", Milestone::Startup),
            ("gczx", Milestone::EngineeringCentre),
        ] {
            let p = store.cultivation_pipeline_by_code(code).await.unwrap();
            assert_eq!(p.stages[0].milestone, Some(milestone), "{name} {code}");
        }
        db.discard().await.unwrap();
    }
}
