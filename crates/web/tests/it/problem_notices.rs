//! The notices box on `/problems`: a notice about a problem since handed to another unit no
//! longer links to it (the link led to "not found"); the line says the problem has moved on.

use crate::common::{TestApp, spawn_app};
use qx_core::access::Actor;
use qx_store::problems::{NewProblem, Step};

async fn page(app: &TestApp, user: &str) -> String {
    app.login(user)
        .await
        .get(app.url("/problems"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_notice_about_a_problem_handed_on_no_longer_links_to_it() {
    let app = spawn_app().await;
    let mut tx = app.store.begin().await.unwrap();
    let ent = qx_store::enterprises::insert_enterprise(
        &mut tx,
        &qx_store::enterprises::NewEnterprise {
            credit_code: "913302257995213595".into(),
            name: "象山海天船舶".into(),
            town_id: Some(app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let office = Actor::system();
    let today = qx_core::time::today();
    let (id, _) = app
        .store
        .submit_problem(
            &office,
            &NewProblem {
                enterprise_id: ent,
                category: qx_core::problem::Category::Approval,
                title: "环评审批久拖".into(),
                description: "三个月未批".into(),
                contact_name: String::new(),
                contact_phone: String::new(),
                source: qx_core::problem::Channel::Hotline,
                submitted_on: today,
            },
            vec![],
        )
        .await
        .unwrap();
    let assign = |unit: &str| Step::Assign {
        tier: qx_core::problem::Tier::Department,
        lead_unit_id: app.units[unit],
        support_unit_ids: vec![],
        note: String::new(),
    };
    let accept = Step::Accept {
        note: String::new(),
    };
    app.store
        .problem_step(&office, id, &accept, today)
        .await
        .unwrap();
    app.store
        .problem_step(&office, id, &assign("县经信局"), today)
        .await
        .unwrap();
    let link = format!("href=\"/problems/{id}\"");
    let before = page(&app, "jxj1").await;
    assert!(before.contains(&link), "the unit's notice links: {before}");

    // 县经信局 sends it back; the office hands it to 石浦镇.
    let jxj = app.actor("jxj1").await;
    app.store
        .problem_step(
            &jxj,
            id,
            &Step::Return {
                reason: "不属本单位职责".into(),
            },
            today,
        )
        .await
        .unwrap();
    app.store
        .problem_step(&office, id, &assign("石浦镇"), today)
        .await
        .unwrap();

    let after = page(&app, "jxj1").await;
    assert!(
        after.contains("环评审批久拖") || after.contains(&format!("#{id}")),
        "{after}"
    );
    assert!(
        !after.contains(&link),
        "no link to a problem 县经信局 may not open: {after}"
    );
    assert!(after.contains("已不在您的办理范围"), "{after}");
    let sp = page(&app, "sp1").await;
    assert!(sp.contains(&link), "the new lead unit's notice links: {sp}");
    assert!(!sp.contains("已不在您的办理范围"), "{sp}");
}
