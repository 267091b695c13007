//! The agenda at county scale, on every engine: the proposals of a kind are capped to the most
//! urgent, the rest counted, and items already on the agenda neither shown nor counted.

use qx_core::access::Actor;
use qx_core::meeting::{AgendaSource, MeetingKind};
use qx_core::project::{CapitalKind, Source};
use qx_core::units::UnitKind;
use qx_store::meetings::{NewAgendaItem, NewMeeting};
use qx_store::projects::ProjectInput;
use qx_store::testing;
use qx_store::units::NewUnit;
use time::macros::date;

/// A 2017 project; `completed` of a 1,000 万元 plan (`None`: no plan, never red on investment).
fn project(name: &str, unit_id: i64, completed: Option<f64>) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "宁波某投资有限公司".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: "汽车零部件".into(),
        town_id: None,
        total_investment_wan: 12_000.0,
        foreign_contract_wusd: None,
        annual_plan_wan: completed.map(|_| 1_000.0),
        completed_wan: completed,
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: None,
        planned: [None, None, None, None],
    }
}

#[tokio::test]
async fn proposals_are_capped_to_the_most_urgent_and_the_rest_counted() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let jxj = s
            .create_unit(
                &office,
                &NewUnit {
                    kind: UnitKind::Department,
                    name: "县经信局".into(),
                    full_name: "县经信局".into(),
                    region_code: None,
                    parent_id: None,
                    slug: "jxj".into(),
                    aliases: vec![],
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        // Five projects behind their year's plan (the least done is the most urgent), one
        // without a plan and so not red.
        let mut behind = Vec::new();
        for (i, done) in [400.0, 100.0, 300.0, 0.0, 200.0].into_iter().enumerate() {
            let id = s
                .create_project(
                    &office,
                    &project(&format!("项目{i}"), jxj, Some(done)),
                    date!(2017 - 01 - 10),
                )
                .await
                .unwrap();
            behind.push(id);
        }
        let quiet = s
            .create_project(
                &office,
                &project("平稳项目", jxj, None),
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();

        let all = s.agenda_candidates(&office, 100, None).await.unwrap();
        let ids: Vec<i64> = all
            .items
            .iter()
            .filter(|p| p.item.source == AgendaSource::Project)
            .filter_map(|p| p.item.source_id)
            .collect();
        assert_eq!(ids.len(), 5, "{all:?}");
        assert!(!ids.contains(&quiet));
        assert!(all.more.is_empty(), "{all:?}");

        // Two shown, the least done first; three counted.
        let two = s.agenda_candidates(&office, 2, None).await.unwrap();
        let shown: Vec<i64> = two
            .items
            .iter()
            .filter(|p| p.item.source == AgendaSource::Project)
            .filter_map(|p| p.item.source_id)
            .collect();
        assert_eq!(shown, vec![behind[3], behind[1]], "{two:?}");
        assert!(
            two.items[0].item.text.contains("项目3") && two.items[0].item.text.contains("红灯")
        );
        assert_eq!(two.more, vec![(AgendaSource::Project, 3)]);

        // One already on the agenda: the next two shown, two counted.
        let meeting = s
            .create_meeting(
                &office,
                &NewMeeting {
                    kind: MeetingKind::Regular,
                    title: "工业强县工作例会".into(),
                    held_on: date!(2017 - 03 - 15),
                    place: String::new(),
                    convenor: String::new(),
                    unit_ids: vec![jxj],
                },
            )
            .await
            .unwrap();
        s.add_agenda_item(
            &office,
            meeting,
            &NewAgendaItem {
                source: AgendaSource::Project,
                source_id: Some(behind[3]),
                text: "项目3".into(),
                unit_id: Some(jxj),
            },
        )
        .await
        .unwrap();
        let next = s
            .agenda_candidates(&office, 2, Some(meeting))
            .await
            .unwrap();
        let shown: Vec<i64> = next.items.iter().filter_map(|p| p.item.source_id).collect();
        assert_eq!(shown, vec![behind[1], behind[4]], "{next:?}");
        assert_eq!(next.more, vec![(AgendaSource::Project, 2)]);
        db.discard().await.unwrap();
    }
}
