//! 工作例会 and 督办 pages over HTTP: a meeting scheduled (errors on the form, typed kept), its
//! agenda and a unit's 情况说明, decisions, the issued 纪要 served unchanged, the 督办 list's
//! colours, filters and export, and a unit's steps with on-field errors.

use crate::common::{csrf, get_status, post_form, redirect_id, spawn_app_with};
use qx_core::access::Actor;

async fn body(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_meeting_goes_from_schedule_to_issued_minutes_and_its_items_to_closure() {
    for db in qx_store::testing::all().await.unwrap() {
        let name = db.name;
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let admin = app.login("admin").await;
        let office = Actor::system();
        let jxj = app.units["县经信局"].to_string();
        let token = csrf(&admin, &app.url("/meetings")).await;

        // A bad date is shown on the form beside its field, with what was typed kept.
        let resp = post_form(
            &admin,
            app.url("/meetings"),
            &[
                ("_csrf", token.as_str()),
                ("kind", "regular"),
                ("title", "十二月第二次例会"),
                ("held_on", "2017-13-40"),
                ("units", jxj.as_str()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let page = resp.text().await.unwrap();
        assert!(
            page.contains("field-error") && page.contains("2017-13-40"),
            "{name}"
        );
        assert!(page.contains("value=\"十二月第二次例会\""));
        assert!(!page.contains("Invalid"));

        let resp = post_form(
            &admin,
            app.url("/meetings"),
            &[
                ("_csrf", token.as_str()),
                ("kind", "regular"),
                ("title", "十二月第二次例会"),
                ("held_on", "2017-12-19"),
                ("place", "县行政中心"),
                ("units", jxj.as_str()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let meeting = redirect_id(&resp, "/meetings/");
        // The list: on a phone each meeting is a card, each field headed by its column's name.
        let list = body(&admin, app.url("/meetings")).await;
        assert!(list.contains("十二月第二次例会"), "{list}");
        assert!(list.contains("<table class=\"stack\">"), "{list}");
        assert!(list.contains("data-label=\"会议日期\""), "{list}");
        let resp = post_form(
            &admin,
            app.url(&format!("/meetings/{meeting}/agenda")),
            &[
                ("_csrf", token.as_str()),
                ("text", "小升规企业培育扶持政策兑现"),
                ("unit_id", jxj.as_str()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let item = app.store.agenda(&office, meeting).await.unwrap()[0].id;

        // 县经信局 attends and gives its 情况说明; an empty one is refused on the form.
        let jxj1 = app.login("jxj1").await;
        let page = body(&jxj1, app.url(&format!("/meetings/{meeting}"))).await;
        assert!(page.contains("小升规企业培育扶持政策兑现") && page.contains("报送情况说明"));
        let t1 = csrf(&jxj1, &app.url(&format!("/meetings/{meeting}"))).await;
        let resp = post_form(
            &jxj1,
            app.url(&format!("/meetings/agenda/{item}/statement")),
            &[("_csrf", t1.as_str()), ("statement", "  ")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("field-error"));
        let resp = post_form(
            &jxj1,
            app.url(&format!("/meetings/agenda/{item}/statement")),
            &[
                ("_csrf", t1.as_str()),
                ("statement", "资金已审核, 待财政拨付"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        // Another unit neither sees the meeting nor its items.
        let sp1 = app.login("sp1").await;
        assert_eq!(
            get_status(&sp1, app.url(&format!("/meetings/{meeting}"))).await,
            404
        );

        // Decisions wait until the meeting is held; a deadline before it stays on the form.
        for step in ["notify", "hold"] {
            let resp = post_form(
                &admin,
                app.url(&format!("/meetings/{meeting}/step")),
                &[("_csrf", token.as_str()), ("step", step)],
            )
            .await;
            assert_eq!(resp.status(), 303, "{step}");
        }
        let item_s = item.to_string();
        let xz = app.units["西周镇"].to_string();
        let decide = |deadline: &'static str| {
            vec![
                ("_csrf", token.clone()),
                ("agenda_item_id", item_s.clone()),
                ("text", "经信局会同财政局月底前拨付".to_string()),
                ("lead_unit_id", jxj.clone()),
                ("deadline", deadline.to_string()),
                ("support_unit_ids", xz.clone()),
            ]
        };
        let resp = post_form(
            &admin,
            app.url(&format!("/meetings/{meeting}/decisions")),
            &decide("2017-12-01"),
        )
        .await;
        assert_eq!(resp.status(), 400);
        let page = resp.text().await.unwrap();
        assert!(page.contains("早于会议日期") && page.contains("经信局会同财政局月底前拨付"));
        let resp = post_form(
            &admin,
            app.url(&format!("/meetings/{meeting}/decisions")),
            &decide("2017-12-29"),
        )
        .await;
        assert_eq!(resp.status(), 303);
        // A second decision led by 石浦镇, which then reads the meeting: its own 督办 item opens
        // from the decision's state, 县经信局's is named but not a link to "not found".
        let sp = app.units["石浦镇"].to_string();
        let mut by_town = decide("2017-12-29");
        by_town[2].1 = "石浦镇协调用地".to_string();
        by_town[3].1 = sp;
        let resp = post_form(
            &admin,
            app.url(&format!("/meetings/{meeting}/decisions")),
            &by_town,
        )
        .await;
        assert_eq!(resp.status(), 303);
        let items = app
            .store
            .list_supervision(&office, &Default::default())
            .await
            .unwrap();
        let item_of = |text: &str| items.iter().find(|i| i.text == text).unwrap().id;
        let (own, other) = (
            item_of("石浦镇协调用地"),
            item_of("经信局会同财政局月底前拨付"),
        );
        let town_page = body(&sp1, app.url(&format!("/meetings/{meeting}"))).await;
        assert!(
            town_page.contains(&format!("href=\"/supervision/{own}\"")),
            "{town_page}"
        );
        assert!(
            town_page.contains("经信局会同财政局月底前拨付")
                && !town_page.contains(&format!("href=\"/supervision/{other}\"")),
            "{town_page}"
        );

        // The 纪要 issued is served unchanged afterwards; the agenda is locked.
        let resp = post_form(
            &admin,
            app.url(&format!("/meetings/{meeting}/issue")),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let issued = app.store.issued_minutes(&office, meeting).await.unwrap();
        let served = jxj1
            .get(app.url(&format!("/meetings/{meeting}/minutes.docx")))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(served.as_ref(), issued.as_slice());
        let page = body(&admin, app.url(&format!("/meetings/{meeting}"))).await;
        assert!(page.contains("纪要已印发") && !page.contains("/agenda/{item}/edit"));

        // 督办: the unit sees its item; feedback without a note stays on the form.
        let page = body(&jxj1, app.url("/supervision")).await;
        assert!(page.contains("经信局会同财政局月底前拨付"));
        let sid = other;
        assert_eq!(
            get_status(&sp1, app.url(&format!("/supervision/{sid}"))).await,
            404
        );
        // 西周镇 supports it: the item is on its list, marked, and opens with the lead unit, the
        // support units and what is asked of it, but no step; the meeting it did not attend is
        // named, not linked.
        let xz1 = app.login("xz1").await;
        let list = body(&xz1, app.url("/supervision")).await;
        assert!(
            list.contains(&format!("href=\"/supervision/{sid}\"")) && list.contains("本单位配合"),
            "{list}"
        );
        assert!(
            !list.contains(&format!("href=\"/meetings/{meeting}\"")),
            "{list}"
        );
        let supported = body(&xz1, app.url("/supervision?part=support")).await;
        assert!(
            supported.contains(&format!("href=\"/supervision/{sid}\"")),
            "{supported}"
        );
        let led = body(&xz1, app.url("/supervision?part=lead")).await;
        assert!(
            !led.contains(&format!("href=\"/supervision/{sid}\"")),
            "{led}"
        );
        let page = body(&xz1, app.url(&format!("/supervision/{sid}"))).await;
        assert!(
            page.contains("配合单位") && page.contains("西周镇"),
            "{page}"
        );
        assert!(page.contains("签收、办理和反馈由牵头单位进行"), "{page}");
        assert!(!page.contains("/step\""), "{page}");
        assert!(
            !page.contains(&format!("href=\"/meetings/{meeting}\"")),
            "{page}"
        );
        let t2 = csrf(&xz1, &app.url(&format!("/supervision/{sid}"))).await;
        let resp = post_form(
            &xz1,
            app.url(&format!("/supervision/{sid}/step")),
            &[("_csrf", t2.as_str()), ("step", "acknowledge")],
        )
        .await;
        assert_eq!(resp.status(), 403);
        let t1 = csrf(&jxj1, &app.url(&format!("/supervision/{sid}"))).await;
        let resp = post_form(
            &jxj1,
            app.url(&format!("/supervision/{sid}/step")),
            &[("_csrf", t1.as_str()), ("step", "acknowledge")],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let resp = post_form(
            &jxj1,
            app.url(&format!("/supervision/{sid}/step")),
            &[("_csrf", t1.as_str()), ("step", "feedback"), ("note", "")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("field-error"));
        let resp = post_form(
            &jxj1,
            app.url(&format!("/supervision/{sid}/step")),
            &[("_csrf", t1.as_str()), ("step", "close")],
        )
        .await;
        assert_eq!(resp.status(), 403);

        // Filters and export: the red list (read long after 2017) holds it; the export too.
        let page = body(&admin, app.url("/supervision?colour=red")).await;
        assert!(page.contains("经信局会同财政局月底前拨付") && page.contains("红色"));
        let page = body(&admin, app.url("/supervision?colour=blue")).await;
        assert!(!page.contains("经信局会同财政局月底前拨付"));
        let print = body(&admin, app.url("/export/supervision?colour=red&print=1")).await;
        assert!(print.contains("经信局会同财政局月底前拨付"));
        let resp = admin
            .get(app.url("/export/supervision?colour=red"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.bytes().await.unwrap().starts_with(b"PK"));
    }
}

/// A 纪要 not yet issued is the office's draft: whoever else asks for it — a page, the CLI, the
/// API, all through `qx_app::meetings` — is told it is not there.
#[tokio::test]
async fn a_draft_minutes_is_the_office_s_alone_wherever_it_is_asked_for() {
    use qx_core::access::Role;
    use qx_core::meeting::MeetingKind;
    use qx_store::StoreError;
    use qx_store::meetings::NewMeeting;
    for db in qx_store::testing::all().await.unwrap() {
        let (name, s) = (db.name, &db.store);
        let office = Actor::system();
        let leader = Actor {
            role: Role::Leader,
            username: "leader".into(),
            ..Actor::system()
        };
        let id = s
            .create_meeting(
                &office,
                &NewMeeting {
                    kind: MeetingKind::Regular,
                    title: "工业强县工作例会".into(),
                    held_on: time::macros::date!(2017 - 12 - 13),
                    place: String::new(),
                    convenor: String::new(),
                    unit_ids: vec![],
                },
            )
            .await
            .unwrap();
        let m = s.get_meeting(&leader, id).await.unwrap();
        let dated = "2017-12-13";
        for refused in [
            qx_app::meetings::minutes(s, &leader, &m, dated).await,
            qx_app::meetings::minutes_docx(s, &leader, &m, dated).await,
        ] {
            assert!(
                matches!(
                    refused,
                    Err(qx_app::AppError::Store(StoreError::NotFound(_)))
                ),
                "{name}: a leader reads the draft 纪要: {:?}",
                refused.map(|file| file.len())
            );
        }
        let draft = qx_app::meetings::minutes(s, &office, &m, dated)
            .await
            .unwrap();
        assert!(!draft.is_empty(), "{name}");
    }
}
