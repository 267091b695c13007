//! 工作例会 and 督办 in the browser: a decision typed on a meeting's page asks before leaving
//! and is kept, with the error beside its field, when refused; 印发纪要 and 销号 ask first
//! (declining changes nothing, accepting does it); on a phone the 督办 list fits the screen.

use crate::harness::Journey;
use qx_core::access::{Actor, Role};
use qx_core::meeting::{
    MeetingKind, MeetingStatus, MeetingStep, SupervisionStatus, SupervisionStep,
};
use qx_store::meetings::NewMeeting;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_is_guarded_and_kept_and_issuing_and_closing_ask_first() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let office = Actor::system();
    let store = &j.app.store;
    let jxj = j.app.units["县经信局"];
    let id = store
        .create_meeting(
            &office,
            &NewMeeting {
                kind: MeetingKind::Regular,
                title: "十二月第二次工作例会".into(),
                held_on: qx_core::time::parse_date("2017-12-12").unwrap(),
                place: "县行政中心".into(),
                convenor: "县长".into(),
                unit_ids: vec![jxj],
            },
        )
        .await
        .unwrap();
    store
        .meeting_step(&office, id, MeetingStep::Hold, None)
        .await
        .unwrap();
    j.login("admin").await;
    let page = format!("/meetings/{id}");
    let form = format!("form[action='/meetings/{id}/decisions']");
    let text = format!("{form} textarea[name=text]");
    let home = "header nav a[href='/']";

    // Typed into, the decision form asks before the office leaves.
    j.goto(&page).await;
    j.fill(&text, "经信局会同财政局月底前兑现技改补助").await;
    j.watch_leaving().await;
    j.find(home).await.click().await.unwrap();
    j.sees("欢迎").await;
    assert!(
        j.leaving_asked().await,
        "leaving a typed decision asks first"
    );

    // Refused (a deadline before the meeting): the error beside the field, the text kept.
    j.goto(&page).await;
    j.fill(&text, "经信局会同财政局月底前兑现技改补助").await;
    j.choose(&format!("{form} select[name=lead_unit_id]"), "县经信局")
        .await;
    let set_deadline = |day: &'static str| {
        format!("document.querySelector(\"{form} input[name=deadline]\").value = '{day}';")
    };
    j.client
        .execute(&set_deadline("2017-12-01"), vec![])
        .await
        .unwrap();
    j.watch_leaving().await;
    j.press(&form, "记录议定事项").await;
    j.sees("早于会议日期").await;
    assert!(
        !j.leaving_asked().await,
        "sending the form is not leaving it"
    );
    let kept = j.find(&text).await.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("经信局会同财政局月底前兑现技改补助"));
    let beside = j
        .find(&format!("{form} input[name=deadline] + .field-error"))
        .await
        .text()
        .await
        .unwrap();
    assert!(beside.contains("早于会议日期"), "{beside}");
    assert!(store.resolutions(&office, id).await.unwrap().is_empty());
    j.no_console_errors_but_a_refused_form().await;
    // Corrected, it is recorded.
    j.choose(&format!("{form} select[name=lead_unit_id]"), "县经信局")
        .await;
    j.client
        .execute(&set_deadline("2017-12-29"), vec![])
        .await
        .unwrap();
    j.press(&form, "记录议定事项").await;
    j.sees("已交办").await;
    let decided = store.resolutions(&office, id).await.unwrap();
    assert_eq!(decided.len(), 1);
    let sid = decided[0].supervision_id;

    // 印发纪要 asks: declining leaves the meeting held; accepting issues the minutes.
    let issue = format!("form[action='/meetings/{id}/issue'] button");
    j.find(&issue).await.click().await.unwrap();
    assert!(j.dialog().await.contains("印发后纪要不可修改"));
    j.client.dismiss_alert().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = || async { store.get_meeting(&office, id).await.unwrap().status };
    assert_eq!(
        status().await,
        MeetingStatus::Held,
        "declined: nothing issued"
    );
    j.find(&issue).await.click().await.unwrap();
    j.dialog().await;
    j.client.accept_alert().await.unwrap();
    j.sees("纪要已印发").await;
    assert_eq!(status().await, MeetingStatus::MinutesIssued);

    // 销号 asks the same way.
    let unit = Actor {
        user_id: 0,
        username: "jxj1".into(),
        role: Role::Unit,
        unit_id: Some(jxj),
        enterprise_id: None,
        ip: String::new(),
    };
    let today = qx_core::time::today();
    for (step, note) in [
        (SupervisionStep::Acknowledge, ""),
        (SupervisionStep::Feedback, "补助已拨付到企业"),
    ] {
        store
            .supervision_step(&unit, sid, step, note, today)
            .await
            .unwrap();
    }
    j.goto(&format!("/supervision/{sid}")).await;
    let close = "form[action$='/step'] button[data-confirm]";
    j.find(close).await.click().await.unwrap();
    assert_eq!(j.dialog().await.trim(), "确定销号?");
    j.client.dismiss_alert().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let item = || async { store.get_supervision(&office, sid).await.unwrap().status };
    assert_eq!(
        item().await,
        SupervisionStatus::FedBack,
        "declined: still open"
    );
    j.find(close).await.click().await.unwrap();
    j.dialog().await;
    j.client.accept_alert().await.unwrap();
    j.sees("已销号").await;
    assert_eq!(item().await, SupervisionStatus::Closed);

    // On a phone the 督办 list fits the screen and its items open.
    j.client.set_window_size(390, 844).await.unwrap();
    j.goto("/supervision").await;
    let link = j.find(&format!("a[href='/supervision/{sid}']")).await;
    assert!(link.is_displayed().await.unwrap());
    let overflow = j
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_f64().unwrap_or(1e9) <= 0.0,
        "the page does not scroll sideways at 390 px: {overflow}"
    );
    link.click().await.unwrap();
    j.sees("补助已拨付到企业").await;
    j.finish().await;
}
