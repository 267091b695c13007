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

#[tokio::test]
async fn stalled_entries_and_expiring_certificates_are_reminded_once() {
    use qx_core::access::Actor;
    use qx_store::cultivation::NewEntry;
    use qx_store::enterprises::RegistryRow;
    use time::Duration;
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let name = db.name;
        let office = Actor::system();
        let town = qx_store::testing::town(s, "石浦镇", "sp").await.unwrap();
        let code = qx_core::codes::CreditCode::complete("91330225000000001").unwrap();
        let row = RegistryRow {
            credit_code: code.as_str().to_string(),
            name: "甲公司".into(),
            town_id: Some(town),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
            land_mu: None,
            address: String::new(),
            service_contact: String::new(),
            service_phone: String::new(),
            tags: vec![],
        };
        s.import_enterprises(&office, "名录", &[row]).await.unwrap();
        let firm = s.enterprise_codes().await.unwrap()[code.as_str()].0;
        let today = qx_core::time::today();
        let iso = |d: time::Date| qx_core::time::format_date(d);
        // Certified 3 years less 60 days ago: expires in 60 days. On 小升规 for 200 days.
        let gxjs = s.cultivation_pipeline_by_code("gxjs").await.unwrap();
        let expiry = today + Duration::days(60);
        let certified = expiry.replace_year(expiry.year() - 3).unwrap();
        s.enter_cultivation(
            &office,
            &NewEntry {
                pipeline_id: gxjs.id,
                enterprise_id: Some(firm),
                stage_id: gxjs.stages[0].id,
                on_date: iso(certified),
                ..NewEntry::default()
            },
        )
        .await
        .unwrap();
        let xsg = s.cultivation_pipeline_by_code("xsg").await.unwrap();
        s.enter_cultivation(
            &office,
            &NewEntry {
                pipeline_id: xsg.id,
                enterprise_id: Some(firm),
                stage_id: xsg.stages[0].id,
                on_date: iso(today - Duration::days(200)),
                ..NewEntry::default()
            },
        )
        .await
        .unwrap();
        let kinds = || async {
            let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
                "SELECT kind, audience, audience_id FROM notices WHERE kind LIKE 'cultivation.%' ORDER BY id",
            )
            .fetch_all(s.pool())
            .await
            .unwrap();
            rows
        };
        let first = s.sweep_cultivation_reminders(today).await.unwrap();
        assert_eq!(first.len(), 2, "{name}: stalled and 90 days before expiry");
        let rows = kinds().await;
        assert!(
            rows.iter().all(|r| r.1 == "unit" && r.2 == Some(town)),
            "{name}: {rows:?}"
        );
        assert!(rows.iter().any(|r| r.0 == "cultivation.stalled"));
        assert!(rows.iter().any(|r| r.0 == "cultivation.expiring"));
        // Once per reminder: the next sweep says nothing new.
        assert!(
            s.sweep_cultivation_reminders(today)
                .await
                .unwrap()
                .is_empty(),
            "{name}"
        );
        // 30 days before expiry: the second warning.
        let later = s
            .sweep_cultivation_reminders(today + Duration::days(35))
            .await
            .unwrap();
        assert_eq!(later.len(), 1, "{name}");
        // A pipeline whose stall reminder is switched off stalls no more; the office only.
        s.set_cultivation_stall_days(&office, xsg.id, None)
            .await
            .unwrap();
        assert!(
            s.set_cultivation_stall_days(&office, xsg.id, Some(1))
                .await
                .is_err()
        );
        db.discard().await.unwrap();
    }
}
