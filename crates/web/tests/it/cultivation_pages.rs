//! The 企业培育库's analytics page and its workbook, the library workbook, the stall reminders'
//! settings (errors beside the field, what was typed kept), the enterprise card's entitlements
//! beside its 亩均 class, and an official list too large for the form refused on the form.

use crate::common;

use common::{TestApp, csrf, post_form, spawn_app};
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_core::cultivation::MoveKind;
use qx_store::cultivation::{MoveRequest, NewEntry};

fn code(i: u32) -> String {
    CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

/// Two 规上 firms (石浦镇, 西周镇) with their 2016 figures, evaluated by the default scheme.
async fn evaluated(app: &TestApp) -> Vec<i64> {
    let admin = app.actor("admin").await;
    let mut registry =
        String::from("统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n");
    let mut facts = String::from(
        "uscc,land_mu,tax_wan,added_value_wan,energy_tce,emission_t,employees,rd_wan,revenue_wan\n",
    );
    for (i, town) in [(1u32, "石浦镇"), (2, "西周镇")] {
        registry.push_str(&format!(
            "{},培育页企业{i},{town},3411,规上,{},\n",
            code(i),
            10 * i
        ));
        facts.push_str(&format!(
            "{},{},{},{},{},1.0,{},{},{}\n",
            code(i),
            10 * i,
            300 * i * i,
            900 * i,
            200 * i,
            50 * i,
            20 * i,
            3000 * i
        ));
    }
    qx_app::enterprise_import::import_registry(&app.store, &admin, registry.as_bytes(), "名录.csv")
        .await
        .unwrap();
    qx_app::enterprise_import::import_facts(&app.store, &admin, 2016, facts.as_bytes(), "2016.csv")
        .await
        .unwrap();
    qx_app::evaluation::run_year(&app.store, &admin, 2016)
        .await
        .unwrap();
    let codes = app.store.enterprise_codes().await.unwrap();
    (1..=2).map(|i| codes[&code(i)].0).collect()
}

async fn text(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn analytics_workbooks_stall_settings_and_the_cards_entitlements() {
    let app = spawn_app().await;
    let firms = evaluated(&app).await;
    let gxjs = app
        .store
        .cultivation_pipeline_by_code("gxjs")
        .await
        .unwrap();
    let system = Actor::system();
    for (firm, on) in firms.iter().zip(["2017-02-10", "2017-03-15"]) {
        app.store
            .enter_cultivation(
                &system,
                &NewEntry {
                    pipeline_id: gxjs.id,
                    enterprise_id: Some(*firm),
                    stage_id: gxjs.stages[0].id,
                    on_date: on.to_string(),
                    ..NewEntry::default()
                },
            )
            .await
            .unwrap();
    }
    let (entries, _) = app
        .store
        .cultivation_entries(
            &system,
            &qx_store::cultivation::EntryFilter {
                pipeline_id: gxjs.id,
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let second = entries
        .iter()
        .find(|e| e.enterprise_id == Some(firms[1]))
        .unwrap()
        .id;
    let exit = MoveRequest {
        kind: MoveKind::Exit,
        to_stage_id: None,
        on_date: "2017-05-20".into(),
        evidence: "迁出".into(),
        credit_code: String::new(),
        certificate_no: String::new(),
        board: String::new(),
        stock_code: String::new(),
    };
    app.store
        .move_cultivation(&system, second, &exit)
        .await
        .unwrap();

    let admin = app.login("admin").await;
    let sp1 = app.login("sp1").await;

    // Analytics: the funnel, the chart with both months, by town; a town reads its own.
    let page = format!("/cultivation/analytics?pipeline={}&year=2017", gxjs.id);
    let (status, body) = text(&admin, app.url(&page)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("统计分析") && body.contains("<svg"), "{body}");
    assert!(body.contains("入库 2 · 出库 1"), "{body}");
    assert!(body.contains("石浦镇") && body.contains("西周镇"), "{body}");
    let (_, body) = text(&sp1, app.url(&page)).await;
    assert!(
        body.contains("入库 1 · 出库 0") && !body.contains("西周镇</td>"),
        "{body}"
    );

    // The same numbers as a workbook, and the library workbook.
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for path in [
        format!(
            "/cultivation/analytics/export?pipeline={}&year=2017",
            gxjs.id
        ),
        "/cultivation/workbook".to_string(),
    ] {
        let r = admin.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], xlsx, "{path}");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "{path}"
        );
        let bytes = r.bytes().await.unwrap();
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader;
        let names = wb.sheet_names();
        if path.contains("analytics") {
            assert_eq!(names, ["阶段", "月度", "分镇", "分行业"]);
            let months = wb.worksheet_range("月度").unwrap();
            assert_eq!(
                months.get_value((2, 1)),
                Some(&calamine::Data::Float(1.0)),
                "February's entry"
            );
            assert_eq!(
                months.get_value((5, 2)),
                Some(&calamine::Data::Float(1.0)),
                "May's exit"
            );
        } else {
            assert!(names.iter().any(|n| n == "高新技术企业"), "{names:?}");
        }
    }

    // Stall reminders: the office only; a bad number stays on its row, as typed, beside the
    // field; a good one is stored; empty means never.
    assert_eq!(text(&sp1, app.url("/cultivation/reminders")).await.0, 403);
    let (status, body) = text(&admin, app.url("/cultivation/reminders")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("停滞提醒天数") && body.contains("value=\"180\""),
        "{body}"
    );
    let token = csrf(&admin, &app.url("/cultivation/reminders")).await;
    let stall = app.url(&format!("/cultivation/pipelines/{}/stall", gxjs.id));
    let bad = post_form(
        &admin,
        stall.clone(),
        &[("_csrf", token.as_str()), ("days", "3天")],
    )
    .await;
    assert_eq!(bad.status(), 400);
    let body = bad.text().await.unwrap();
    assert!(
        body.contains("field-error") && body.contains("7到3650") && body.contains("value=\"3天\""),
        "{body}"
    );
    let ok = post_form(
        &admin,
        stall.clone(),
        &[("_csrf", token.as_str()), ("days", "90")],
    )
    .await;
    assert_eq!(ok.status(), 303);
    let p = app.store.cultivation_pipeline(gxjs.id).await.unwrap();
    assert_eq!(p.stall_days, Some(90));
    post_form(&admin, stall, &[("_csrf", token.as_str()), ("days", "")]).await;
    let p = app.store.cultivation_pipeline(gxjs.id).await.unwrap();
    assert_eq!(p.stall_days, None);

    // The card: what the firm is entitled to, beside its 亩均 class; a firm that left its list
    // is entitled to nothing.
    let settings = app.url(&format!("/cultivation/pipelines/{}/settings", gxjs.id));
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), token.clone()),
        ("name".into(), gxjs.name.clone()),
        ("criteria".into(), gxjs.criteria.clone()),
        ("validity".into(), "3".into()),
    ];
    for (i, s) in gxjs.stages.iter().enumerate() {
        form.push((format!("stage_{i}_name"), s.name.clone()));
    }
    form.push(("stage_0_policy".into(), "高企认定奖励".into()));
    form.push(("stage_0_amount".into(), "20".into()));
    assert_eq!(post_form(&admin, settings, &form).await.status(), 303);
    let (_, card) = text(&admin, app.url(&format!("/enterprises/{}", firms[0]))).await;
    assert!(card.contains("可享受的培育政策"), "{card}");
    assert!(card.contains("高新技术企业 · "), "{card}");
    assert!(card.contains("高企认定奖励 (20 万元)"), "{card}");
    assert!(card.contains("亩均效益分类: <strong>"), "{card}");
    let (_, card) = text(&admin, app.url(&format!("/enterprises/{}", firms[1]))).await;
    assert!(card.contains("所在阶段暂无对应扶持政策"), "{card}");
}

#[tokio::test]
async fn a_fifty_megabyte_list_is_refused_on_the_form() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/cultivation/imports")).await;
    let gxjs = app
        .store
        .cultivation_pipeline_by_code("gxjs")
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("stage", gxjs.stages[0].id.to_string())
        .text("on_date", "2017-11-30")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![b'a'; 50 * 1024 * 1024]).file_name("名单.csv"),
        );
    let r = admin
        .post(app.url(&format!("/cultivation/imports?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(body.contains("<form") && body.contains("20 MB"), "{body}");
    assert!(
        body.contains("value=\"2017-11-30\""),
        "the date typed is kept: {body}"
    );
}

/// The entries ids a list page shows, in its order.
fn listed(body: &str) -> Vec<i64> {
    body.split("href=\"/cultivation/entries/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

/// The target of the page's link labelled `label` (上一页 / 下一页), unescaped.
fn paging_link(body: &str, label: &str) -> Option<String> {
    let end = body.find(&format!("\">{label}</a>"))?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(body[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

/// The list pages 100 lines at a time (#17): 下一页 and 上一页 keep the filters and walk the
/// same order the store reads per stage, a page ending inside a run of equal dates, every entry
/// shown once.
#[tokio::test]
async fn the_list_pages_through_every_entry_once_with_its_filters() {
    let app = spawn_app().await;
    let admin_actor = app.actor("admin").await;
    let mut registry =
        String::from("统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n");
    for i in 0..105u32 {
        registry.push_str(&format!(
            "{},翻页企业{i:03},石浦镇,3411,规下,,\n",
            code(100 + i)
        ));
    }
    qx_app::enterprise_import::import_registry(
        &app.store,
        &admin_actor,
        registry.as_bytes(),
        "名录.csv",
    )
    .await
    .unwrap();
    let codes = app.store.enterprise_codes().await.unwrap();
    let xsg = app.store.cultivation_pipeline_by_code("xsg").await.unwrap();
    let system = Actor::system();
    for i in 0..105u32 {
        app.store
            .enter_cultivation(
                &system,
                &NewEntry {
                    pipeline_id: xsg.id,
                    enterprise_id: Some(codes[&code(100 + i)].0),
                    stage_id: xsg.stages[(i % 2) as usize].id,
                    on_date: ["2017-03-01", "2017-04-01"][(i % 3 == 0) as usize].into(),
                    ..NewEntry::default()
                },
            )
            .await
            .unwrap();
    }
    let (all, total) = app
        .store
        .cultivation_entries(
            &system,
            &qx_store::cultivation::EntryFilter {
                pipeline_id: xsg.id,
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 105);
    let all: Vec<i64> = all.iter().map(|r| r.id).collect();

    let admin = app.login("admin").await;
    let first = format!("/cultivation/entries?pipeline={}&industry=34", xsg.id);
    let (status, body) = text(&admin, app.url(&first)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("105"), "the total shows: {body}");
    // On a phone each entry is a card, each field headed by its column's name.
    assert!(body.contains("<table class=\"stack\">"), "{body}");
    assert!(body.contains("data-label=\"统一社会信用代码\""), "{body}");
    assert_eq!(listed(&body), all[..100], "page 1");
    assert_eq!(paging_link(&body, "上一页"), None);
    let next = paging_link(&body, "下一页").expect("a next link");
    assert!(
        next.contains("industry=34") && next.contains("offset=100"),
        "{next}"
    );
    let (status, body) = text(&admin, app.url(&next)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listed(&body), all[100..], "page 2");
    assert_eq!(paging_link(&body, "下一页"), None);
    let prev = paging_link(&body, "上一页").expect("a previous link");
    assert!(prev.contains("offset=0"), "{prev}");
    let (_, body) = text(&admin, app.url(&prev)).await;
    assert_eq!(listed(&body), all[..100], "back to page 1");
}
