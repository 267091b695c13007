//! 工作方案 through the browser: upload, review, publish, download, re-upload.

use crate::common;

use common::{csrf, get_status, post_form, redirect_id, spawn_app};
use reqwest::multipart::{Form, Part};

const SEED: &str = qx_demo::plan::SEED_PLAN;

async fn upload(
    c: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    c.post(format!("{base}/plans/import?_csrf={token}"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The seed plan uploaded as the office: the draft's id.
async fn seed_draft(c: &reqwest::Client, base: &str, token: &str) -> i64 {
    let resp = upload(c, base, token, "plan.txt", SEED.as_bytes().to_vec()).await;
    redirect_id(&resp, "/plans/")
}

#[tokio::test]
async fn the_office_uploads_reviews_and_publishes_and_units_see_their_tasks() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;

    // GBK bytes, as the county's web page saves them.
    let (gbk, _, _) = encoding_rs::GBK.encode(SEED);
    let resp = upload(
        &admin,
        &app.base,
        &token,
        "象山2017方案.txt",
        gbk.into_owned(),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let id = redirect_id(&resp, "/plans/");

    let review = admin
        .get(app.url(&format!("/plans/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(review.contains("草稿"));
    assert!(
        review.contains("id=\"L1\""),
        "the source is shown beside the structure"
    );
    assert!(review.contains("规上工业产值增速"));
    assert!(review.contains("三.(一).1.(1)"));
    // The draft's 比较 choice names each comparator in words and posts its code.
    assert!(
        review.contains(r#"<option value="&#62;=" selected>不低于</option>"#),
        "{review}"
    );

    // Each box of a draft target is named beside it (the table has no header row to line up
    // with on a phone): every target form labels its value, unit and responsible unit.
    let forms = review.matches(r#"class="target-form""#).count();
    assert!(forms >= 36, "{forms} target forms");
    for label in ["目标值", "单位", "责任单位", "比较", "类型"] {
        let named = review
            .matches(&format!(r#"<span class="tf-l">{label}</span>"#))
            .count();
        assert_eq!(named, forms, "{label}");
    }

    // A unit user sees no drafts.
    let unit = app.login("jxj1").await;
    assert_eq!(
        get_status(&unit, app.url(&format!("/plans/{id}"))).await,
        404
    );
    let unit_token = csrf(&unit, &app.url("/account")).await;
    let resp = upload(
        &unit,
        &app.base,
        &unit_token,
        "x.txt",
        SEED.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 403);

    let resp = post_form(
        &admin,
        app.url(&format!("/plans/{id}/publish")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let page = unit
        .get(app.url(&format!("/plans/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已发布") && page.contains("工作任务"));
    assert!(page.contains("制定出台象山县推进"));
    // 比较 in words, never the stored code.
    assert!(page.contains("<td>不低于</td>"));
    for code in ["&#62;=", "&#60;=", "&gt;=", "&lt;="] {
        assert!(!page.contains(&format!("<td>{code}</td>")), "{code}");
    }

    // The 任务分解表 downloads and comes back as a new draft.
    let xlsx = unit
        .get(app.url(&format!("/plans/{id}/export.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(
        xlsx.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("xlsx")
    );
    let bytes = xlsx.bytes().await.unwrap().to_vec();
    let resp = upload(&admin, &app.base, &token, "2017任务分解表.xlsx", bytes).await;
    assert_eq!(resp.status(), 303);
    assert_ne!(redirect_id(&resp, "/plans/"), id);
}

#[tokio::test]
async fn bad_uploads_get_a_clear_message_and_write_nothing() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;

    let resp = upload(
        &admin,
        &app.base,
        &token,
        "scan.pdf",
        b"%PDF-1.4\x00\x01\x02binary".to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("scan.pdf") && body.contains("未写入任何数据"),
        "{body}"
    );

    let resp = upload(&admin, &app.base, &token, "empty.txt", Vec::new()).await;
    assert_eq!(resp.status(), 400);

    let resp = upload(
        &admin,
        &app.base,
        &token,
        "broken.xlsx",
        b"PK\x03\x04 not really a zip".to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("broken.xlsx"));

    assert!(
        app.store
            .list_plans(&qx_core::access::Actor::system())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn review_edits_are_saved_and_audited() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;
    let id = seed_draft(&admin, &app.base, &token).await;
    let office = qx_core::access::Actor::system();
    let target = app
        .store
        .plan_targets(&office, id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name.contains("解决率"))
        .unwrap();

    let form = [
        ("_csrf", token.as_str()),
        ("name", "难题解决率"),
        ("value", "七十"),
        ("unit", "%"),
        ("comparator", ">="),
        ("kind", "share"),
        ("responsible", "县经信局"),
        ("included", "1"),
    ];
    let bad = admin
        .post(app.url(&format!("/plans/{id}/targets/{}", target.id)))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("七十"));

    let mut good = form;
    good[2] = ("value", "75");
    let ok = admin
        .post(app.url(&format!("/plans/{id}/targets/{}", target.id)))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let saved = app
        .store
        .plan_targets(&office, id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == target.id)
        .unwrap();
    assert_eq!(
        (saved.name.as_str(), saved.value.as_str()),
        ("难题解决率", "75")
    );
    let log = app
        .store
        .audit_list(
            &qx_core::access::Actor::system(),
            &qx_store::audit::AuditQuery {
                entity: Some("plan_target".into()),
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(log[0].actor, "admin");
    assert!(log[0].after_json.as_deref().unwrap().contains("75"));
}

/// The draft's 标题/年度/成文日期 form refused: each message beside its field, everything
/// typed kept (the 文号 as well), the plan unchanged; then saved.
#[tokio::test]
async fn a_refused_metadata_form_keeps_what_was_typed_with_each_error_beside_its_field() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;
    let id = seed_draft(&admin, &app.base, &token).await;
    let office = qx_core::access::Actor::system();
    let before = app.store.get_plan(&office, id).await.unwrap();
    let form = [
        ("_csrf", token.as_str()),
        ("title", "  "),
        ("year", "１９９９"),
        ("doc_number", "象政办发〔2017〕88号"),
        ("issuer", "象山县人民政府办公室"),
        ("issued_on", "2017-02-30"),
    ];
    let bad = admin
        .post(app.url(&format!("/plans/{id}/meta")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let page = bad.text().await.unwrap();
    let beside = |field: &str, message: &str| {
        let input = page
            .find(&format!("name=\"{field}\""))
            .unwrap_or_else(|| panic!("no {field} input"));
        let rest = &page[input..];
        let end = rest.find("</label>").unwrap();
        assert!(
            rest[..end].contains("field-error") && rest[..end].contains(message),
            "{field}: {}",
            &rest[..end]
        );
    };
    beside("title", "请填写标题");
    beside("year", "2000至2100");
    beside("issued_on", "2017-02-30");
    assert!(
        page.contains("value=\"象政办发〔2017〕88号\""),
        "the 文号 typed is kept"
    );
    assert!(
        page.contains("value=\"１９９９\""),
        "the year as typed is kept"
    );
    let after = app.store.get_plan(&office, id).await.unwrap();
    assert_eq!(
        (after.title, after.year, after.doc_number),
        (before.title.clone(), before.year, before.doc_number)
    );

    let mut good = form;
    good[1] = ("title", "象山县2017年工业强县工作方案");
    good[2] = ("year", "2017");
    good[5] = ("issued_on", "2017-03-01");
    let ok = admin
        .post(app.url(&format!("/plans/{id}/meta")))
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let saved = app.store.get_plan(&office, id).await.unwrap();
    assert_eq!(saved.title, "象山县2017年工业强县工作方案");
    assert_eq!(saved.doc_number, "象政办发〔2017〕88号");
    assert_eq!(saved.issued_on.as_deref(), Some("2017-03-01"));
}

/// A draft target's row refused without JavaScript: the page comes back with the message beside
/// the box at fault, the row as typed (also the boxes that were right), the other rows and the
/// stored target untouched.
#[tokio::test]
async fn a_refused_target_row_keeps_what_was_typed_with_the_error_beside_its_box() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;
    let id = seed_draft(&admin, &app.base, &token).await;
    let office = qx_core::access::Actor::system();
    let targets = app.store.plan_targets(&office, id).await.unwrap();
    let target = targets.iter().find(|t| t.name.contains("解决率")).unwrap();
    let post = |form: Vec<(&'static str, String)>| {
        let url = app.url(&format!("/plans/{id}/targets/{}", target.id));
        let req = admin.post(url).form(&form);
        async move { req.send().await.unwrap() }
    };
    let form = |value: &str, responsible: &str| {
        vec![
            ("_csrf", token.clone()),
            ("name", "难题解决率（改）".to_string()),
            ("value", value.to_string()),
            ("value_max", String::new()),
            ("unit", "%".to_string()),
            ("comparator", "<=".to_string()),
            ("kind", "share".to_string()),
            ("responsible", responsible.to_string()),
        ]
    };
    // The row's part of the page: from its form to the form's end.
    let row = |page: &str| {
        let start = page
            .find(&format!("/plans/{id}/targets/{}\"", target.id))
            .expect("the row's form");
        let end = page[start..].find("</form>").unwrap();
        page[start..start + end].to_string()
    };
    let beside = |row: &str, field: &str, message: &str| {
        let input = row
            .find(&format!("name=\"{field}\""))
            .unwrap_or_else(|| panic!("no {field} box"));
        let end = row[input..].find("</label>").unwrap();
        let label = &row[input..input + end];
        assert!(
            label.contains("field-error") && label.contains(message),
            "{field}: {label}"
        );
    };

    for (typed, field, message) in [
        (form("七十", "县经信局"), "value", "“七十”不是数字"),
        (
            form("75", "无此单位"),
            "responsible",
            "“无此单位”不在单位登记表中",
        ),
    ] {
        let bad = post(typed).await;
        assert_eq!(bad.status(), 400, "{field}");
        let page = bad.text().await.unwrap();
        let row = row(&page);
        beside(&row, field, message);
        assert_eq!(
            row.matches("field-error").count(),
            1,
            "{field}: one message"
        );
        assert!(
            row.contains("value=\"难题解决率（改）\""),
            "the name as typed"
        );
        assert!(
            row.contains("selected>不超过</option>"),
            "the comparator as chosen: {row}"
        );
        assert!(
            !row.contains("name=\"included\" value=\"1\" checked"),
            "the cleared 纳入监测 box stays cleared"
        );
        let others = page.matches("field-error").count();
        assert_eq!(others, 1, "{field}: no other row or form is marked");
    }
    let after = app.store.plan_targets(&office, id).await.unwrap();
    assert_eq!(
        serde_json::to_value(&after).unwrap(),
        serde_json::to_value(&targets).unwrap(),
        "nothing was saved"
    );
}

#[tokio::test]
async fn the_review_page_shows_the_confidence_and_the_lines_not_placed() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;
    let text = "\
临海县2020年工业强县工作方案
一、工作目标
新增规上企业20家。
二、重点任务
1.推进技改。（责任单位：县经信局）
3.推进招商。（责任单位：县招商局）
4.加强服务，责任单位由县政府另行明确。
临海县工业强县建设领导小组办公室
2020年3月1日
以上事项请各地抓好落实。
";
    let resp = upload(
        &admin,
        &app.base,
        &token,
        "临海方案.txt",
        text.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let id = redirect_id(&resp, "/plans/");
    let page = admin
        .get(app.url(&format!("/plans/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("解析可信度"), "{page}");
    assert!(page.contains("未能归入结构的行"));
    // Each unplaced line links to the source line beside the structure, with its reason.
    for (line, words) in [
        (6, "编号 3 不连续"),
        (7, "未能识别出单位"),
        (10, "以上事项请各地抓好落实。"),
    ] {
        assert!(page.contains(&format!("href=\"#L{line}\"")), "L{line}");
        assert!(page.contains(words), "{words}");
    }
    assert!(!page.contains("每一行都已归入结构"));
    // In Chinese only: the parser's English half of each reason stays off the Chinese page.
    assert!(
        !page.contains("none could be read"),
        "English on the Chinese page"
    );
    assert!(
        !page.contains("numbering jumps"),
        "English on the Chinese page"
    );

    // The seed: every line placed, high confidence.
    let resp = upload(
        &admin,
        &app.base,
        &token,
        "象山2017方案.txt",
        SEED.as_bytes().to_vec(),
    )
    .await;
    let seed = redirect_id(&resp, "/plans/");
    let page = admin
        .get(app.url(&format!("/plans/{seed}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("解析可信度") && page.contains("每一行都已归入结构"));
    assert!(page.contains("<small>高</small>"), "high confidence");
}

/// A target row sent after the plan was published has no box left to show its refusal
/// beside: the plan's page says it above, answered 400, the row unchanged.
#[tokio::test]
async fn a_target_row_sent_after_publishing_is_refused_above_the_plan() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/plans")).await;
    let id = seed_draft(&admin, &app.base, &token).await;
    let office = qx_core::access::Actor::system();
    let target = app.store.plan_targets(&office, id).await.unwrap().remove(0);
    let resp = post_form(
        &admin,
        app.url(&format!("/plans/{id}/publish")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = post_form(
        &admin,
        app.url(&format!("/plans/{id}/targets/{}", target.id)),
        &[
            ("_csrf", token.as_str()),
            ("name", "改过的名字"),
            ("value", "75"),
            ("unit", "%"),
            ("comparator", ">="),
            ("kind", "share"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<p class=\"flash\">方案已发布, 不能再修改")
            && html.contains(&format!("/plans/{id}/export.xlsx")),
        "{html}"
    );
    let after = app.store.plan_targets(&office, id).await.unwrap().remove(0);
    assert_eq!(after.name, target.name);
}
