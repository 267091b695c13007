//! 督办 steps over HTTP: a step refused because the item moved on meanwhile (another tab,
//! another person) comes back on the item's page with the reason and the note as typed.

use crate::common::{csrf, post_form, spawn_app};
use qx_core::access::Actor;
use qx_core::meeting::{MeetingKind, MeetingStep, SupervisionStep};
use qx_store::meetings::{NewMeeting, NewResolution};
use time::macros::date;

#[tokio::test]
async fn a_step_refused_because_the_item_moved_on_keeps_the_note() {
    let app = spawn_app().await;
    let office = Actor::system();
    let s = &app.store;
    let jxj = app.units["县经信局"];
    let id = s
        .create_meeting(
            &office,
            &NewMeeting {
                kind: MeetingKind::Regular,
                title: "十一月工作例会".into(),
                held_on: date!(2017 - 11 - 06),
                place: String::new(),
                convenor: "县长".into(),
                unit_ids: vec![jxj],
            },
        )
        .await
        .unwrap();
    s.meeting_step(&office, id, MeetingStep::Hold, None)
        .await
        .unwrap();
    let sid = s
        .record_resolution(
            &office,
            &NewResolution {
                meeting_id: id,
                agenda_item_id: None,
                text: "月底前兑现技改补助".into(),
                lead_unit_id: jxj,
                support_unit_ids: vec![],
                deadline: date!(2017 - 11 - 30),
            },
        )
        .await
        .unwrap();
    let unit = app.actor("jxj1").await;
    s.supervision_step(
        &unit,
        sid,
        SupervisionStep::Acknowledge,
        "",
        date!(2017 - 11 - 07),
    )
    .await
    .unwrap();

    // jxj1 opens the item (签收 done, 办理 offered) and starts typing a progress note ...
    let jxj1 = app.login("jxj1").await;
    let token = csrf(&jxj1, &app.url(&format!("/supervision/{sid}"))).await;
    // ... while a colleague sends the feedback: the item now waits for the office's 复核.
    s.supervision_step(
        &unit,
        sid,
        SupervisionStep::Feedback,
        "已兑现",
        date!(2017 - 11 - 20),
    )
    .await
    .unwrap();
    let note = "已会同财政局核定补助名单, 下周拨付";
    let resp = post_form(
        &jxj1,
        app.url(&format!("/supervision/{sid}/step")),
        &[
            ("_csrf", token.as_str()),
            ("step", "handle"),
            ("note", note),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    // The refused step's card: the reason, in Chinese only, and the note as typed.
    assert!(
        page.contains("督办事项当前状态为「已反馈」, 不能「报告办理情况」"),
        "{page}"
    );
    assert!(!page.contains("cannot"), "{page}");
    let card = page
        .split("不能「报告办理情况」")
        .nth(1)
        .expect("the refused card");
    assert!(card.contains(note), "the note is kept: {page}");
    assert!(card.contains("此步骤已不可用"), "{page}");
    // Nothing was recorded from the refused form.
    let events = s.supervision_events(&unit, sid).await.unwrap();
    assert!(events.iter().all(|e| e.note != note));
}
