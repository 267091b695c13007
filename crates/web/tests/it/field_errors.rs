//! Forms refused for what was typed come back as their page (400) with the message beside the
//! field and what was typed kept: the evaluation's run and 公示 forms, 调档, objections and their
//! answers (on the card and on the evaluation page), the scheme editor, and the problem
//! settings' 企服责任人 and routing rows.

use crate::common;

use common::{PASSWORD, TestApp, csrf, post_form, spawn_app_with};
use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::password::hash_password;
use qx_store::users::NewUser;

fn code(i: u32) -> String {
    CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

/// Three 规上 firms in 石浦镇 with their 2016 figures, evaluated by the default scheme.
async fn evaluated(app: &TestApp) -> (i64, Vec<i64>) {
    let admin = app.actor("admin").await;
    let mut registry =
        String::from("统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n");
    let mut facts = String::from(
        "uscc,land_mu,tax_wan,added_value_wan,energy_tce,emission_t,employees,rd_wan,revenue_wan\n",
    );
    for i in 1..=3u32 {
        registry.push_str(&format!(
            "{},表单企业{i},石浦镇,3411,规上,{},\n",
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
    let run = qx_app::evaluation::run_year(&app.store, &admin, 2016)
        .await
        .unwrap()
        .run_id;
    let mut ids: Vec<i64> = app
        .store
        .list_enterprises(&Actor::system())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    ids.sort_unstable();
    (run, ids)
}

/// Posts a form and expects it refused with its page: 400, the page's text.
async fn refused(c: &reqwest::Client, url: String, fields: &[(&str, &str)]) -> String {
    let resp = post_form(c, url.as_str(), fields).await;
    let status = resp.status();
    let page = resp.text().await.unwrap();
    assert_eq!(status, 400, "{url}: {page}");
    assert!(page.contains("<form"), "the page, not a bare error: {page}");
    page
}

/// The message shown beside the field `name` (inside its label), or a failure naming the page.
fn beside(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}: {page}"));
    let end = at + page[at..].find("</label>").unwrap();
    let label = &page[at..end];
    let start = label
        .find("class=\"field-error\">")
        .unwrap_or_else(|| panic!("no message beside {name}: {label}"))
        + "class=\"field-error\">".len();
    label[start..].split('<').next().unwrap().to_string()
}

/// The value a field shows.
fn value_of(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}: {page}"));
    let tag_end = at + page[at..].find('>').unwrap();
    let tag = &page[at..tag_end];
    match tag.find("value=\"") {
        Some(v) => tag[v + 7..].split('"').next().unwrap().to_string(),
        None => String::new(),
    }
}

#[tokio::test]
async fn evaluation_forms_keep_what_was_typed_beside_the_message() {
    // SQLite always; PostgreSQL too when QX_TEST_DATABASE_URL is set.
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let (run, ids) = evaluated(&app).await;
        let admin = app.login("admin").await;
        let token = csrf(&admin, &app.url("/enterprises/evaluation")).await;
        let tk = token.as_str();

        // 运行评价: a year that is not a number, then a year without figures.
        let page = refused(
            &admin,
            app.url("/enterprises/evaluation/run"),
            &[("_csrf", tk), ("year", "二〇一六")],
        )
        .await;
        assert!(beside(&page, "year").contains("数据年度"), "{page}");
        assert_eq!(value_of(&page, "year"), "二〇一六");
        let page = refused(
            &admin,
            app.url("/enterprises/evaluation/run"),
            &[("_csrf", tk), ("year", "1999")],
        )
        .await;
        assert!(page.contains("1999年度没有企业数据"), "{page}");
        assert_eq!(value_of(&page, "year"), "1999");

        // 公示: a date that is not one, and an end before the start.
        let publicity = app.url(&format!("/enterprises/evaluation/{run}/publicity"));
        let page = refused(
            &admin,
            publicity.clone(),
            &[("_csrf", tk), ("from", "2017-13-01"), ("to", "2017-05-09")],
        )
        .await;
        assert!(beside(&page, "from").contains("YYYY-MM-DD"), "{page}");
        assert_eq!(value_of(&page, "from"), "2017-13-01");
        assert_eq!(value_of(&page, "to"), "2017-05-09");
        let page = refused(
            &admin,
            publicity.clone(),
            &[("_csrf", tk), ("from", "2017-05-09"), ("to", "2017-05-02")],
        )
        .await;
        assert_eq!(beside(&page, "to"), "截止日期早于开始日期");
        assert_eq!(value_of(&page, "from"), "2017-05-09");

        // 调档: no class chosen, then a one-character reason; the choice and the reason stay.
        let firm = ids[0].to_string();
        let override_url = app.url(&format!("/enterprises/evaluation/{run}/override"));
        let page = refused(
            &admin,
            override_url.clone(),
            &[
                ("_csrf", tk),
                ("enterprise_id", firm.as_str()),
                ("class", ""),
                ("reason", "县政府专题会议纪要"),
            ],
        )
        .await;
        assert_eq!(beside(&page, "class"), "请选择档次");
        assert_eq!(value_of(&page, "reason"), "县政府专题会议纪要");
        let current = app
            .store
            .run_results(
                &Actor::system(),
                run,
                &qx_store::evaluation::ResultFilter {
                    enterprise_id: Some(ids[0]),
                    ..Default::default()
                },
            )
            .await
            .unwrap()[0]
            .class
            .clone();
        let other = if current == "A" { "B" } else { "A" };
        let page = refused(
            &admin,
            override_url.clone(),
            &[
                ("_csrf", tk),
                ("enterprise_id", firm.as_str()),
                ("class", other),
                ("reason", "短"),
            ],
        )
        .await;
        assert_eq!(beside(&page, "reason"), "理由: 至少填写2个字");
        assert_eq!(value_of(&page, "reason"), "短");
        assert!(
            page.contains(&format!("<option value=\"{other}\" selected>")),
            "{page}"
        );
        assert!(
            qx_store::testing::audit_entries(&app.store, "eval.override")
                .await
                .unwrap()
                .is_empty(),
            "nothing refused was written"
        );

        // The enterprise objects during 公示: an empty objection is refused on its card.
        let resp = post_form(
            &admin,
            publicity.as_str(),
            &[("_csrf", tk), ("from", "2017-05-02"), ("to", "2017-05-09")],
        )
        .await;
        assert_eq!(resp.status(), 303);
        app.store
            .create_user(
                &Actor::system(),
                &NewUser {
                    username: "firm1".into(),
                    display_name: "表单企业1".into(),
                    role: Role::Enterprise,
                    unit_id: None,
                    enterprise_id: Some(ids[0]),
                    phone: String::new(),
                    password_hash: hash_password(PASSWORD).unwrap(),
                },
            )
            .await
            .unwrap();
        let firm_client = app.login("firm1").await;
        let firm_token = csrf(&firm_client, &app.url(&format!("/enterprises/{}", ids[0]))).await;
        let objection = app.url(&format!("/enterprises/evaluation/{run}/objection"));
        let page = refused(
            &firm_client,
            objection.clone(),
            &[
                ("_csrf", firm_token.as_str()),
                ("enterprise_id", firm.as_str()),
                ("text", "  "),
            ],
        )
        .await;
        assert_eq!(beside(&page, "text"), "请填写异议内容");
        let resp = post_form(
            &firm_client,
            objection.as_str(),
            &[
                ("_csrf", firm_token.as_str()),
                ("enterprise_id", firm.as_str()),
                ("text", "事故已结案, 申请复核"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let objection_id = app
            .store
            .objections(&Actor::system(), run, Some(ids[0]))
            .await
            .unwrap()[0]
            .id;

        // The office answers without a reply, on the card and on the evaluation page: each
        // page comes back with the choice kept.
        let answer = app.url(&format!("/enterprises/objections/{objection_id}"));
        let card = format!("/enterprises/{firm}");
        let page = refused(
            &admin,
            answer.clone(),
            &[
                ("_csrf", tk),
                ("back", card.as_str()),
                ("decision", "accept"),
                ("reply", ""),
            ],
        )
        .await;
        assert_eq!(beside(&page, "reply"), "请填写答复");
        assert!(page.contains("表单企业1") && page.contains("<option value=\"accept\" selected>"));
        let evaluation = format!("/enterprises/evaluation?run={run}");
        let page = refused(
            &admin,
            answer.clone(),
            &[
                ("_csrf", tk),
                ("back", evaluation.as_str()),
                ("decision", "reject"),
                ("reply", " "),
            ],
        )
        .await;
        assert_eq!(beside(&page, "reply"), "请填写答复");
        assert!(
            page.contains("action=\"/enterprises/evaluation/run\""),
            "{page}"
        );
        let resp = post_form(
            &admin,
            answer.as_str(),
            &[
                ("_csrf", tk),
                ("back", card.as_str()),
                ("decision", "reject"),
                ("reply", "经复核维持原档次"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(resp.headers()["location"], card.as_str());
    }
}

#[tokio::test]
async fn the_scheme_and_problem_settings_keep_what_was_typed() {
    for db in qx_store::testing::all().await.unwrap() {
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        let (_, ids) = evaluated(&app).await;
        let admin = app.login("admin").await;
        let token = csrf(&admin, &app.url("/enterprises/scheme?year=2016")).await;
        let tk = token.as_str();

        // A scheme that does not read: the problems beside the text, the text and note kept.
        let broken = "[scheme]\nname = \"试行方案\"\n[[items\n";
        let page = refused(
            &admin,
            app.url("/enterprises/scheme"),
            &[
                ("_csrf", tk),
                ("year", "2016"),
                ("toml", broken),
                ("note", "调整权重"),
            ],
        )
        .await;
        let text_at = page.find("name=\"toml\"").unwrap();
        let alert = page.find("role=\"alert\"").unwrap();
        let note_at = page.find("name=\"note\"").unwrap();
        assert!(
            text_at < alert && alert < note_at,
            "the problems sit beside the text: {page}"
        );
        assert!(page.contains("[[items"), "{page}");
        assert_eq!(value_of(&page, "note"), "调整权重");
        let page = refused(
            &admin,
            app.url("/enterprises/scheme"),
            &[
                ("_csrf", tk),
                ("year", "2016"),
                ("toml", " "),
                ("note", "空"),
            ],
        )
        .await;
        assert!(page.contains("请填写"), "{page}");
        assert!(
            app.store.scheme_versions(2016).await.unwrap().is_empty(),
            "nothing refused was saved"
        );

        // 企服责任人 and routing: a choice that is not one shows beside its row.
        let firm = ids[1].to_string();
        let page = refused(
            &admin,
            app.url("/problems/settings/contact"),
            &[
                ("_csrf", tk),
                ("enterprise_id", firm.as_str()),
                ("user_id", "张三"),
            ],
        )
        .await;
        let row = &page[page
            .find(&format!("name=\"enterprise_id\" value=\"{firm}\""))
            .unwrap()..];
        assert!(beside(row, "user_id").contains("张三"), "{row}");
        let page = refused(
            &admin,
            app.url("/problems/settings/route"),
            &[("_csrf", tk), ("category", "land"), ("unit_id", "国土局")],
        )
        .await;
        let row = &page[page.find("name=\"category\" value=\"land\"").unwrap()..];
        assert!(beside(row, "unit_id").contains("国土局"), "{row}");
        // Both still save when the choice is right.
        let resp = post_form(
            &admin,
            app.url("/problems/settings/contact"),
            &[
                ("_csrf", tk),
                ("enterprise_id", firm.as_str()),
                ("user_id", ""),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
    }
}
