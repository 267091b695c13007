//! 企业名录 and 亩均效益综合评价 over HTTP: the office imports the registry and a data year's
//! facts (a bad file changes nothing), saves a scheme with 加分 and 一票否决 columns, runs the
//! evaluation, overrides a class with a reason, starts the 公示 and exports to Excel; an
//! enterprise sees only its own card and objects; a town sees only its enterprises; a form
//! without the CSRF token is refused.

use crate::common;

use common::{PASSWORD, TestApp, csrf, post_form, spawn_app_with};
use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::password::hash_password;
use qx_store::users::NewUser;
use reqwest::multipart::{Form, Part};

fn code(i: u32) -> String {
    CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

/// Eight firms: 甲乙丙 in 石浦镇 and 丁戊 in 西周镇 are 规上, 子丑寅 规下.
fn registry_csv() -> String {
    let mut s =
        String::from("统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n");
    let firms = [
        (
            "石浦甲机械有限公司",
            "石浦镇",
            "3411",
            "规上",
            "高新技术企业",
        ),
        ("石浦乙电子有限公司", "石浦镇", "3911", "规上", ""),
        ("石浦丙食品有限公司", "石浦镇", "1391", "规上", ""),
        ("西周丁模具有限公司", "西周镇", "3525", "规上", "上市储备"),
        ("西周戊针织有限公司", "西周镇", "1762", "规上", ""),
        ("石浦子五金厂", "石浦镇", "3389", "规下", ""),
        ("西周丑塑料厂", "西周镇", "2929", "规下", ""),
        ("西周寅木制品厂", "西周镇", "2039", "规下", ""),
    ];
    for (i, (name, town, ind, scale, tag)) in firms.iter().enumerate() {
        s.push_str(&format!(
            "{},{name},{town},{ind},{scale},{},{tag}\n",
            code(i as u32 + 1),
            10 + i * 5
        ));
    }
    s
}

/// 2016 facts in the contract's English headers plus the scheme's 加分 and 一票否决 columns
/// (one by its Chinese label, one by its column name).
fn facts_csv() -> String {
    let rows = [
        // land, tax, va, energy, emission, employees, rd, revenue, kwh, bonus, accident
        (
            "30", "2400", "9000", "1500", "1.0", "300", "600", "20000", "", "", "是",
        ),
        (
            "50", "600", "4000", "3000", "2.0", "300", "150", "15000", "", "8", "否",
        ),
        (
            "20", "100", "800", "500", "0.3", "60", "0", "3000", "", "", "",
        ),
        (
            "80", "3000", "15000", "4000", "2.5", "600", "900", "30000", "", "", "否",
        ),
        (
            "40", "200", "2000", "2500", "", "150", "20", "6000", "", "", "",
        ),
        ("10", "150", "", "", "", "", "", "", "500", "", ""),
        ("6", "30", "", "", "", "", "", "", "200", "", ""),
        ("4", "3", "", "", "", "", "", "", "60", "", ""),
    ];
    let mut s = String::from(
        "uscc,land_mu,tax_wan,added_value_wan,energy_tce,emission_t,employees,rd_wan,revenue_wan,electricity_wkwh,安全生产标准化加分,major_accident\n",
    );
    for (i, r) in rows.iter().enumerate() {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            code(i as u32 + 1),
            r.0,
            r.1,
            r.2,
            r.3,
            r.4,
            r.5,
            r.6,
            r.7,
            r.8,
            r.9,
            r.10
        ));
    }
    s
}

/// The default configuration with a capped 加分 column and a 一票否决 column.
fn scheme_2016() -> String {
    qx_app::evaluation::default_config().replace(
        "extra_columns = []",
        "extra_columns = [\"safety_bonus\", \"major_accident\"]",
    ) + "\n[[adjustments]]\ncolumn = \"safety_bonus\"\nkind = \"bonus\"\nlabel = \"安全生产标准化加分\"\ncap = 5\n\
           \n[[vetoes]]\ncolumn = \"major_accident\"\nclass = \"D\"\nreason = \"发生较大及以上安全生产事故\"\n"
}

/// The first row of a workbook's first sheet.
fn first_row(xlsx: Vec<u8>) -> Vec<String> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    token: &str,
    kind: &str,
    year: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("kind", kind.to_string())
        .text("year", year.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    c.post(app.url(&format!("/enterprises/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn body(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn enterprise_id(app: &TestApp, name: &str) -> i64 {
    app.store
        .list_enterprises(&Actor::system())
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} not registered"))
        .id
}

#[tokio::test]
async fn the_office_imports_evaluates_overrides_and_exports_and_scopes_hold() {
    // SQLite always; PostgreSQL too when QX_TEST_DATABASE_URL is set.
    for db in qx_store::testing::all().await.unwrap() {
        scenario(spawn_app_with(qx_web::Config::default(), db).await).await;
    }
}

async fn scenario(app: TestApp) {
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/enterprises")).await;

    // A bad registry file: every problem named by row and column, nothing written.
    let bad = format!(
        "{}9133022500000099XX,坏代码企业,石浦镇,3411,规上,10,\n{},零用地企业,石浦镇,3411,规上,0,\n",
        "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),培育标签\n",
        code(77)
    );
    let resp = upload(
        &app,
        &admin,
        &token,
        "registry",
        "",
        "bad.csv",
        bad.into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(page.contains("导入失败, 未写入任何数据"), "{page}");
    assert!(
        page.contains("第2行 &quot;统一社会信用代码&quot;")
            || page.contains("第2行 &#34;统一社会信用代码&#34;"),
        "{page}"
    );
    assert!(page.contains("第3行") && page.contains("用地面积(亩)") && page.contains("必须大于0"));
    assert!(
        app.store
            .list_enterprises(&Actor::system())
            .await
            .unwrap()
            .is_empty(),
        "a bad file writes nothing"
    );

    let resp = upload(
        &app,
        &admin,
        &token,
        "registry",
        "",
        "名录.csv",
        registry_csv().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let sp = app.units["石浦镇"];
    let xz = app.units["西周镇"];

    // The registry list and its filters.
    let (status, list) = body(&admin, &app.url("/enterprises")).await;
    assert_eq!(status, 200);
    assert!(list.contains("西周寅木制品厂") && list.contains("石浦甲机械有限公司"));
    // On a phone each firm is a card, each field headed by its column's name.
    assert!(list.contains("<table class=\"stack\">"), "{list}");
    assert!(list.contains("data-label=\"统一社会信用代码\""), "{list}");
    let (_, by_town) = body(&admin, &app.url(&format!("/enterprises?town={sp}"))).await;
    assert!(by_town.contains("石浦乙电子有限公司") && !by_town.contains("西周丁模具有限公司"));
    let (_, by_scale) = body(&admin, &app.url("/enterprises?scale=below")).await;
    assert!(by_scale.contains("西周丑塑料厂") && !by_scale.contains("石浦甲机械有限公司"));
    // A link or API call naming the scale as people write it (规下) filters the same, through
    // the one reader of scales.
    let (_, by_word) = body(&admin, &app.url("/enterprises?scale=%E8%A7%84%E4%B8%8B")).await;
    assert!(
        by_word.contains("西周丑塑料厂") && !by_word.contains("石浦甲机械有限公司"),
        "{by_word}"
    );
    let (_, by_tag) = body(
        &admin,
        &app.url("/enterprises?tag=%E4%B8%8A%E5%B8%82%E5%82%A8%E5%A4%87"),
    )
    .await;
    assert!(by_tag.contains("西周丁模具有限公司") && !by_tag.contains("石浦乙电子有限公司"));
    let (_, by_industry) = body(&admin, &app.url("/enterprises?industry=17")).await;
    assert!(by_industry.contains("西周戊针织有限公司") && !by_industry.contains("石浦甲机械"));
    let (_, by_q) = body(&admin, &app.url("/enterprises?q=%E6%A8%A1%E5%85%B7")).await;
    assert!(by_q.contains("西周丁模具有限公司") && !by_q.contains("西周戊针织"));

    // The 2016 scheme with 加分 and 一票否决, then the facts that carry them.
    let resp = post_form(
        &admin,
        app.url("/enterprises/scheme"),
        &[
            ("_csrf", token.as_str()),
            ("year", "2016"),
            ("toml", scheme_2016().as_str()),
            ("note", "加分与一票否决"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    // The scheme page says the saved rules in words, for the office and for a leader, who
    // reads the text itself folded away.
    let (_, page) = body(&admin, &app.url("/enterprises/scheme?year=2016")).await;
    for words in [
        "规上、规下企业分别评价",
        "<strong>A</strong> 组内排名前 20%; <strong>B</strong> 20%—60%",
        "<strong>D</strong> 其余",
        "安全生产标准化加分 (加分, 最多 5 分)",
        "发生较大及以上安全生产事故: 直接定为 D 档",
        "<td>单位电耗税收</td><td>规下</td><td class=\"num\">50</td>",
        "差别化电价加价0.1元/千瓦时",
        "亩均税收低于 规上 6 万元/亩, 规下 3 万元/亩",
    ] {
        assert!(page.contains(words), "{words} not in {page}");
    }
    assert!(
        page.contains("<details class=\"card\" open>"),
        "the office edits the text"
    );
    let leader = app.login("leader").await;
    let (_, page) = body(&leader, &app.url("/enterprises/scheme?year=2016")).await;
    assert!(page.contains("发生较大及以上安全生产事故: 直接定为 D 档"));
    assert!(page.contains("<details class=\"card\">"), "{page}");
    // The facts template for 2016 now asks for those columns too, under their Chinese names.
    let (_, list) = body(&admin, &app.url("/enterprises")).await;
    assert!(list.contains("/enterprises/template/facts.xlsx?year=2016"));
    let resp = admin
        .get(app.url("/enterprises/template/facts.xlsx?year=2016"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let header = first_row(bytes);
    for column in [
        "统一社会信用代码",
        "用地面积(亩)",
        "安全生产标准化加分",
        "发生较大及以上安全生产事故",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} not in {header:?}"
        );
    }
    let resp = upload(
        &app,
        &admin,
        &token,
        "facts",
        "2016",
        "facts2016.csv",
        facts_csv().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());

    // A form without the token is refused and runs nothing.
    let resp = post_form(
        &admin,
        app.url("/enterprises/evaluation/run"),
        &[("year", "2016")],
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(
        app.store
            .list_runs(&Actor::system())
            .await
            .unwrap()
            .is_empty()
    );

    let resp = post_form(
        &admin,
        app.url("/enterprises/evaluation/run"),
        &[("_csrf", token.as_str()), ("year", "2016")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let run: i64 = loc
        .split("run=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The vetoed firm is D whatever its score; the bonus is capped and shown with its source.
    let jia = enterprise_id(&app, "石浦甲机械有限公司").await;
    let yi = enterprise_id(&app, "石浦乙电子有限公司").await;
    let ding = enterprise_id(&app, "西周丁模具有限公司").await;
    let (_, card) = body(&admin, &app.url(&format!("/enterprises/{jia}"))).await;
    assert!(
        card.contains("一票否决") && card.contains("发生较大及以上安全生产事故"),
        "{card}"
    );
    assert!(
        card.contains("→ D") && card.contains("facts2016.csv"),
        "{card}"
    );
    assert!(card.contains("<strong>D</strong>"), "{card}");
    let (_, card) = body(&admin, &app.url(&format!("/enterprises/{yi}"))).await;
    assert!(
        card.contains("<td>加分</td>")
            && card.contains("安全生产标准化加分")
            && card.contains("+5.00"),
        "{card}"
    );
    assert!(
        card.contains("safety_bonus"),
        "the stored input is listed: {card}"
    );

    // The evaluation page: results and the aggregates per town, industry and scale.
    let (status, page) = body(
        &admin,
        &app.url(&format!("/enterprises/evaluation?run={run}")),
    )
    .await;
    assert_eq!(status, 200);
    for want in [
        "分镇乡(街道)",
        "分行业",
        "分规模",
        "石浦镇",
        "西周镇",
        "合计",
        "差别化政策",
    ] {
        assert!(page.contains(want), "{want}: {page}");
    }

    // 调档 picks one of the scheme's classes (not free text); the run's state is a tag with a
    // background, readable on the card.
    let card = admin
        .get(app.url(&format!("/enterprises/{ding}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(card.contains(r#"<select name="class" required>"#), "{card}");
    for class in ["A", "B", "C", "D"] {
        assert!(
            card.contains(&format!(r#"<option value="{class}""#)),
            "{class}"
        );
    }
    assert!(!card.contains(r#"<input name="class""#));
    assert!(card.contains(r#"<span class="tag blue">"#));
    // 调档 needs a reason and is audited.
    let resp = post_form(
        &admin,
        app.url(&format!("/enterprises/evaluation/{run}/override")),
        &[
            ("_csrf", token.as_str()),
            ("enterprise_id", ding.to_string().as_str()),
            ("class", "B"),
            ("reason", " "),
        ],
    )
    .await;
    assert_eq!(resp.status(), 400);
    let resp = post_form(
        &admin,
        app.url(&format!("/enterprises/evaluation/{run}/override")),
        &[
            ("_csrf", token.as_str()),
            ("enterprise_id", ding.to_string().as_str()),
            ("class", "B"),
            ("reason", "县政府专题会议纪要〔2017〕5号"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let audit = qx_store::testing::audit_entries(&app.store, "eval.override")
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0]
            .after_json
            .as_deref()
            .unwrap_or("")
            .contains("专题会议纪要")
    );
    let (_, card) = body(&admin, &app.url(&format!("/enterprises/{ding}"))).await;
    assert!(card.contains("<strong>B</strong>") && card.contains("专题会议纪要"));

    // Excel export reads back.
    let resp = admin
        .get(app.url(&format!("/enterprises/evaluation/{run}/export.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheets = wb.sheet_names();
    for s in [
        "评价结果",
        "分镇乡",
        "分行业",
        "分规模",
        "低效企业",
        "档次变化",
        "差别化政策",
    ] {
        assert!(sheets.iter().any(|n| n == s), "{s} in {sheets:?}");
    }
    let results = wb.worksheet_range("评价结果").unwrap();
    assert_eq!(results.height(), 9, "header and eight firms");
    let cells: Vec<String> = results
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.contains(&code(1)) && cells.contains(&"西周寅木制品厂".to_string()));
    assert!(cells.iter().any(|c| c.contains("一票否决")));

    // 公示; the enterprise sees only its own card and objects to its result.
    let resp = post_form(
        &admin,
        app.url(&format!("/enterprises/evaluation/{run}/publicity")),
        &[
            ("_csrf", token.as_str()),
            ("from", "2017-05-02"),
            ("to", "2017-05-09"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    app.store
        .create_user(
            &Actor::system(),
            &NewUser {
                username: "jia".into(),
                display_name: "甲公司".into(),
                role: Role::Enterprise,
                unit_id: None,
                enterprise_id: Some(jia),
                phone: String::new(),
                password_hash: hash_password(PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap();
    let firm = app.login("jia").await;
    let (status, own) = body(&firm, &app.url(&format!("/enterprises/{jia}"))).await;
    assert_eq!(status, 200);
    assert!(own.contains("石浦甲机械有限公司") && own.contains("提出异议"));
    let (status, _) = body(&firm, &app.url(&format!("/enterprises/{yi}"))).await;
    // Out of scope reads as not there (the invariant: reads 404, writes 403).
    assert_eq!(status, 404, "another firm's card");
    let (_, list) = body(&firm, &app.url("/enterprises")).await;
    assert!(list.contains("石浦甲机械有限公司") && !list.contains("石浦乙电子有限公司"));
    let firm_token = csrf(&firm, &app.url(&format!("/enterprises/{jia}"))).await;
    let resp = post_form(
        &firm,
        app.url(&format!("/enterprises/evaluation/{run}/objection")),
        &[
            ("_csrf", firm_token.as_str()),
            ("enterprise_id", jia.to_string().as_str()),
            ("text", "事故已结案, 申请复核"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let resp = post_form(
        &firm,
        app.url(&format!("/enterprises/evaluation/{run}/objection")),
        &[
            ("_csrf", firm_token.as_str()),
            ("enterprise_id", yi.to_string().as_str()),
            ("text", "替别人提异议"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 403, "objecting for another firm");
    let (_, page) = body(
        &admin,
        &app.url(&format!("/enterprises/evaluation?run={run}")),
    )
    .await;
    assert!(page.contains("事故已结案, 申请复核") && !page.contains("替别人提异议"));

    // A town sees its own enterprises only, in the registry and the published results.
    let town = app.login("sp1").await;
    let (_, list) = body(&town, &app.url("/enterprises")).await;
    assert!(list.contains("石浦甲机械有限公司") && !list.contains("西周丁模具有限公司"));
    let (status, _) = body(&town, &app.url(&format!("/enterprises/{ding}"))).await;
    assert_eq!(status, 404, "another town's enterprise");
    let (status, _) = body(&town, &app.url(&format!("/enterprises/{jia}"))).await;
    assert_eq!(status, 200);
    let (status, results) = body(
        &town,
        &app.url(&format!("/enterprises/evaluation?run={run}")),
    )
    .await;
    assert_eq!(status, 200);
    assert!(results.contains("石浦乙电子有限公司") && !results.contains("西周戊针织有限公司"));
    let _ = xz;
}
