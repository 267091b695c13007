//! 工作例会 and 督办 over HTTP, what s10 added: the 会议通知 reaches the webhook, a leader's
//! 督办 step or 情况说明 is refused by the guard (403, whatever the form holds), and the
//! leaders' 督办 list counts each lead unit's items by colour and its 按期销号率.

use crate::common::{csrf, post_form, redirect_id, spawn_app};
use qx_core::access::Actor;
use qx_core::meeting::{MeetingKind, MeetingStep};
use qx_store::meetings::{NewMeeting, NewResolution};
use time::macros::date;

#[tokio::test]
async fn the_meeting_notice_reaches_the_webhook() {
    let app = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut s, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        let mut buf = vec![0u8; 8192];
        while !String::from_utf8_lossy(&got).contains("\"message\"") {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        s.write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8_lossy(&got).to_string()
    });
    // An endpoint for meeting events (the old `notify.webhook_url` became endpoints).
    app.store
        .create_endpoint(
            &app.actor("admin").await,
            &qx_store::webhooks::EndpointForm {
                name: "例会".into(),
                url: hook.clone(),
                secret: String::new(),
                format: Some(qx_core::webhook::Format::Json),
                enabled: true,
                events: vec![qx_core::webhook::Event::Meeting],
            },
        )
        .await
        .unwrap();
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/meetings")).await;
    let jxj = app.units["县经信局"].to_string();
    let resp = post_form(
        &admin,
        app.url("/meetings"),
        &[
            ("_csrf", token.as_str()),
            ("kind", "regular"),
            ("title", "十二月第二次例会"),
            ("held_on", "2017-12-19"),
            ("units", jxj.as_str()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let meeting = redirect_id(&resp, "/meetings/");
    let resp = post_form(
        &admin,
        app.url(&format!("/meetings/{meeting}/step")),
        &[("_csrf", token.as_str()), ("step", "notify")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let request = tokio::time::timeout(std::time::Duration::from_secs(10), received)
        .await
        .expect("the webhook was called")
        .unwrap();
    assert!(request.starts_with("POST /hook"), "{request}");
    assert!(
        request.contains("meeting.notified") && request.contains("十二月第二次例会"),
        "{request}"
    );
}

#[tokio::test]
async fn leaders_are_refused_steps_and_read_the_units_figures() {
    let app = spawn_app().await;
    let office = Actor::system();
    let s = &app.store;
    let jxj = app.units["县经信局"];
    let id = s
        .create_meeting(
            &office,
            &NewMeeting {
                kind: MeetingKind::Regular,
                title: "三月工作例会".into(),
                held_on: date!(2017 - 03 - 06),
                place: String::new(),
                convenor: "县长".into(),
                unit_ids: vec![jxj],
            },
        )
        .await
        .unwrap();
    let item = s
        .add_agenda_item(
            &office,
            id,
            &qx_store::meetings::NewAgendaItem {
                source: qx_core::meeting::AgendaSource::Manual,
                source_id: None,
                text: "技改补助兑现".into(),
                unit_id: Some(jxj),
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
                text: "三月底前兑现技改补助".into(),
                lead_unit_id: jxj,
                support_unit_ids: vec![],
                deadline: date!(2017 - 03 - 31),
            },
        )
        .await
        .unwrap();

    let leader = app.login("leader").await;
    let token = csrf(&leader, &app.url(&format!("/supervision/{sid}"))).await;
    // A filled form and an empty one alike: the guard answers before the form is read.
    for form in [
        vec![
            ("_csrf", token.as_str()),
            ("step", "feedback"),
            ("note", "已兑现"),
        ],
        vec![("_csrf", token.as_str()), ("step", "handle")],
    ] {
        let resp = post_form(&leader, app.url(&format!("/supervision/{sid}/step")), &form).await;
        assert_eq!(resp.status(), 403);
    }
    let resp = post_form(
        &leader,
        app.url(&format!("/meetings/agenda/{item}/statement")),
        &[("_csrf", token.as_str()), ("statement", "情况说明")],
    )
    .await;
    assert_eq!(resp.status(), 403);

    // The 按单位 table: 县经信局 with its open item red (read long after 2017-03-31).
    let page = leader
        .get(app.url("/supervision"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = page.split("按单位").nth(1).expect("the by-unit table");
    assert!(table.contains("县经信局"), "{table}");
    assert!(table.contains(&format!("/supervision?unit={jxj}&amp;colour=red")));
    assert!(table.contains("0.0%"), "nothing closed on time: {table}");
    // A unit does not get the table.
    let jxj1 = app.login("jxj1").await;
    let own = jxj1
        .get(app.url("/supervision"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(own.contains("三月底前兑现技改补助") && !own.contains("按单位"));
}
