//! The office's manual points with their evidence file: a wrong figure or a refused file is
//! shown beside its field with what was typed kept; an entry is listed with its file, opens
//! from the item's records on the unit's breakdown, is audited, and can be entered or deleted
//! only until the year's result is final.

use crate::common::{self, TestApp, csrf, post_form, redirect_id, spawn_app};
use qx_core::assessment::{Cadence, Item, ItemKind, Method, Source, Veto};
use reqwest::multipart::{Form, Part};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    token: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    c.post(app.url(&format!("/assessment/manual?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn manual_points_with_a_file_until_the_year_is_final() {
    let app = spawn_app().await;
    app.publish_seed_plan().await;
    // The departments' annual scheme with a 加分项 scored from manual points (the year's run
    // scores under the annual schemes).
    let office_actor = app.actor("admin").await;
    let mut scheme = qx_app::assessment::bulletin_schemes(2017)[1].clone();
    scheme.cadence = Cadence::Annual;
    scheme.items.push(Item {
        key: "bonus".into(),
        name: "表彰加分".into(),
        kind: ItemKind::Bonus,
        weight: 5.0,
        source: Source::Manual,
        method: Method::Manual,
        min_count: 0,
    });
    scheme.vetoes.push(Veto {
        key: "accident".into(),
        name: "发生重大安全生产责任事故".into(),
        source: Source::Manual,
        at_least: 1.0,
    });
    let mut towns = qx_app::assessment::bulletin_schemes(2017)[0].clone();
    towns.cadence = Cadence::Annual;
    app.store
        .save_assessment_scheme(&office_actor, &towns)
        .await
        .unwrap();
    app.store
        .save_assessment_scheme(&office_actor, &scheme)
        .await
        .unwrap();

    let office = app.login("admin").await;
    let token = csrf(&office, &app.url("/assessment/manual?year=2017")).await;
    let page = office
        .get(app.url("/assessment/manual?year=2017"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<option value=\"bonus\">表彰加分 ("),
        "the scheme's manual items offered by name: {page}"
    );
    assert!(
        page.contains("<option value=\"accident\">一票否决: 发生重大安全生产责任事故 ("),
        "a veto decided by hand is offered too: {page}"
    );
    let jxj = app.units["县经信局"].to_string();
    let fields = |points: &'static str| {
        vec![
            ("year", "2017"),
            ("unit", jxj.as_str()),
            ("item", "bonus"),
            ("points", points),
            ("reason", "获省级表彰"),
            ("evidence", "浙经信〔2017〕8号"),
        ]
    };

    // Not a number: beside the field, everything typed kept.
    let resp = send(
        &app,
        &office,
        &token,
        &fields("两分"),
        Some(("表彰.pdf", PDF)),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(body.contains("field-error"), "{body}");
    assert!(body.contains("value=\"两分\""));
    assert!(
        body.contains("<option value=\"bonus\" selected>"),
        "the item chosen kept"
    );
    assert!(body.contains("value=\"获省级表彰\""));
    assert!(body.contains("value=\"浙经信〔2017〕8号\""));

    // A file of a type not accepted: beside the file field.
    let resp = send(&app, &office, &token, &fields("2"), Some(("表彰.exe", PDF))).await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    let at = body.find("name=\"file\"").unwrap();
    assert!(body[at..].contains("field-error"), "{body}");
    assert!(body.contains("value=\"获省级表彰\""));

    let resp = send(&app, &office, &token, &fields("2"), Some(("表彰.pdf", PDF))).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let page = office
        .get(app.url("/assessment/manual?year=2017"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("表彰.pdf"));
    let entry = app
        .store
        .assessment_manual(&office_actor, 2017)
        .await
        .unwrap();
    assert_eq!(entry.len(), 1);
    let id = entry[0].id;
    let file = office
        .get(app.url(&format!("/assessment/manual/{id}/file")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
    let audited: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'assessment.manual' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(audited.0, 1);

    // Edited before 终审: the form comes filled; a wrong figure is shown beside its field with
    // what was typed kept; the change is saved and audited. A unit may not edit.
    let edit_url = app.url(&format!("/assessment/manual/{id}/edit"));
    let form = office
        .get(edit_url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("value=\"2\""), "{form}");
    assert!(form.contains("value=\"获省级表彰\""));
    let resp = post_form(
        &office,
        edit_url.clone(),
        &[
            ("_csrf", token.as_str()),
            ("points", "三分"),
            ("reason", "获省级表彰 (更正)"),
            ("evidence", "浙经信〔2017〕9号"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    let at = body.find("name=\"points\"").unwrap();
    assert!(body[at..].contains("field-error"), "{body}");
    assert!(body.contains("value=\"三分\""));
    assert!(body.contains("value=\"获省级表彰 (更正)\""));
    let edited = [
        ("_csrf", token.as_str()),
        ("points", "3"),
        ("reason", "获省级表彰 (更正)"),
        ("evidence", "浙经信〔2017〕9号"),
    ];
    let resp = post_form(&office, edit_url.clone(), &edited).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let stored = app
        .store
        .assessment_manual_entry(&office_actor, id)
        .await
        .unwrap();
    assert_eq!(
        (stored.points, stored.reason.as_str()),
        (3.0, "获省级表彰 (更正)")
    );
    let audited: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'assessment.manual_update' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(audited.0, 1);
    let unit = app.login("jxj1").await;
    assert_eq!(common::get_status(&unit, &edit_url).await, 403);
    let unit_token = csrf(&unit, &app.url("/")).await;
    let resp = post_form(
        &unit,
        edit_url.clone(),
        &[("_csrf", unit_token.as_str()), ("points", "9")],
    )
    .await;
    assert_eq!(resp.status(), 403);

    // The unit opens its own file; the year's run scores it and the item's records link it.
    let url = app.url(&format!("/assessment/manual/{id}/file"));
    assert_eq!(common::get_status(&unit, &url).await, 200);
    let resp = post_form(
        &office,
        app.url("/assessment/run"),
        &[("_csrf", token.as_str()), ("period", "2017")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let run = redirect_id(&resp, "/assessment/");
    let item = office
        .get(app.url(&format!("/assessment/{run}/units/{jxj}/items/bonus")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        item.contains(&format!("/assessment/manual/{id}/file")),
        "{item}"
    );
    assert!(item.contains("附件: 表彰.pdf"));
    // The unit's breakdown lists its manual entries, with the office's edit link.
    let breakdown = office
        .get(app.url(&format!("/assessment/{run}/units/{jxj}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(breakdown.contains("获省级表彰 (更正)"), "{breakdown}");
    assert!(breakdown.contains(&format!("/assessment/manual/{id}/edit")));

    // Once the year is final nothing changes: refused on the form, and no delete.
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/{run}/finalise")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = send(&app, &office, &token, &fields("1"), None).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("已终审"));
    let resp = post_form(&office, edit_url.clone(), &edited).await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("已终审"));
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/manual/{id}/delete")),
        &[("_csrf", token.as_str()), ("year", "2017")],
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        app.store
            .assessment_manual(&office_actor, 2017)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_office_deletes_an_entry_before_the_year_is_final() {
    let app = spawn_app().await;
    app.publish_seed_plan().await;
    let office = app.login("admin").await;
    let token = csrf(&office, &app.url("/assessment/manual?year=2017")).await;
    let sp = app.units["石浦镇"].to_string();
    let resp = send(
        &app,
        &office,
        &token,
        &[
            ("year", "2017"),
            ("unit", sp.as_str()),
            ("item", "deduction"),
            ("points", "-1.5"),
            ("reason", "安全生产约谈"),
        ],
        None,
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let actor = app.actor("admin").await;
    let id = app.store.assessment_manual(&actor, 2017).await.unwrap()[0].id;
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/manual/{id}/delete")),
        &[("_csrf", token.as_str()), ("year", "2017")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert!(
        app.store
            .assessment_manual(&actor, 2017)
            .await
            .unwrap()
            .is_empty()
    );
    let audited: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'assessment.manual_delete' AND entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(audited.0, 1);
}
