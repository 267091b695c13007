//! 导出 and 打印 of every list: each export opens as a workbook with the page's rows, under the
//! page's filters and the reader's scope; the print view shows the same rows.

use crate::common::{TestApp, spawn_app, spawn_app_with};
use qx_core::access::Actor;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};

/// The sheet's cells as text, row by row (title, note, header, then the rows).
fn cells(xlsx: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.to_vec()))
        .expect("the export is a workbook");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The header and data rows of an export (below the title and the note).
fn rows(xlsx: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let all = cells(xlsx);
    assert!(all.len() >= 3, "title, note and header: {all:?}");
    (all[2].clone(), all[3..].to_vec())
}

/// GETs `path` as `c`; the workbook, after checking it is sent as one with a Chinese name.
async fn workbook(app: &TestApp, c: &reqwest::Client, path: &str, name: &str) -> Vec<u8> {
    let resp = ok(app, c, path).await;
    let h = resp.headers();
    assert_eq!(
        h["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = h["content-disposition"].to_str().unwrap().to_string();
    let file_name = disposition
        .split("UTF-8''")
        .nth(1)
        .map(|n| {
            percent_encoding::percent_decode_str(n)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default();
    assert!(
        file_name.starts_with(name) && file_name.ends_with(".xlsx"),
        "{path}: the file is named {name}…: {disposition}"
    );
    resp.bytes().await.unwrap().to_vec()
}

fn column(rows: &[Vec<String>], c: usize) -> Vec<String> {
    rows.iter().map(|r| r[c].clone()).collect()
}

#[tokio::test]
async fn the_audit_log_exports_in_chinese_with_names_and_only_for_the_office() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let _ = app.login("jxj1").await;
    let xlsx = workbook(
        &app,
        &admin,
        "/export/audit?action=login.success",
        "审计日志_",
    )
    .await;
    let (header, rows) = rows(&xlsx);
    assert_eq!(header[2], "操作人");
    assert_eq!(header[3], "操作");
    let who = column(&rows, 2);
    assert!(who.contains(&"admin-name".to_string()), "{who:?}");
    assert!(who.contains(&"jxj1-name".to_string()), "{who:?}");
    assert!(column(&rows, 3).iter().all(|a| a == "登录"), "{rows:?}");
    assert!(
        !cells(&xlsx)
            .iter()
            .flatten()
            .any(|c| c.contains("login.success")),
        "no action code in the export"
    );
    assert!(
        cells(&xlsx)[1][0].contains("登录"),
        "the note names the filter"
    );

    let leader = app.login("leader").await;
    let resp = leader.get(app.url("/export/audit")).send().await.unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn accounts_export_what_the_reader_sees() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let xlsx = workbook(&app, &admin, "/export/users", "用户").await;
    let (header, rows) = rows(&xlsx);
    assert_eq!(header[0], "用户名");
    let names = column(&rows, 0);
    for u in ["admin", "leader", "jxj1", "sp1", "xz1"] {
        assert!(names.contains(&u.to_string()), "{u} in {names:?}");
    }
    // A unit's liaison sees the accounts of the unit (and their own) only.
    let jxj = app.login("jxj1").await;
    let xlsx = workbook(&app, &jxj, "/export/users", "用户").await;
    let names = column(&rows_of(&xlsx), 0);
    assert!(names.contains(&"jxj1".to_string()), "{names:?}");
    assert!(!names.contains(&"sp1".to_string()), "{names:?}");
}

fn rows_of(xlsx: &[u8]) -> Vec<Vec<String>> {
    rows(xlsx).1
}

#[tokio::test]
async fn units_export_and_print_the_filtered_rows() {
    let app = spawn_app().await;
    let c = app.login("sp1").await;
    let xlsx = workbook(&app, &c, "/export/units?kind=town", "单位").await;
    let names = column(&rows_of(&xlsx), 0);
    assert!(names.contains(&"石浦镇".to_string()), "{names:?}");
    assert!(
        !names.contains(&"县经信局".to_string()),
        "only towns: {names:?}"
    );

    // The print view: the same rows as a page, with a print button and the way back.
    let page = c
        .get(app.url("/export/units?kind=town&print=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-print"), "a 打印 button");
    assert!(
        html.contains("href=\"/units?kind=town\""),
        "back to the list"
    );
    assert!(
        html.contains("href=\"/export/units?kind=town\""),
        "the workbook"
    );
    let printed = html.matches("<tr><td>").count();
    assert_eq!(
        printed,
        names.len(),
        "the print view has the workbook's rows"
    );
    assert!(html.contains("<td>石浦镇</td>"));
    assert!(!html.contains("<td>县经信局</td>"));
}

async fn firms(app: &TestApp) {
    let mut tx = app.store.begin().await.unwrap();
    for (code, name, town) in [
        ("913302257995213595", "象山海天船舶", "石浦镇"),
        ("91330225691361058X", "象山恒通汽配", "石浦镇"),
        ("913302257204876543", "西周模具厂", "西周镇"),
    ] {
        let e = NewEnterprise {
            credit_code: code.into(),
            name: name.into(),
            town_id: Some(app.units[town]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        };
        insert_enterprise(&mut tx, &e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn enterprises_export_within_the_towns_scope_and_the_filters() {
    let app = spawn_app().await;
    firms(&app).await;
    let admin = app.login("admin").await;
    let all = column(
        &rows_of(&workbook(&app, &admin, "/export/enterprises", "企业名录_").await),
        1,
    );
    assert_eq!(all.len(), 3, "{all:?}");
    let xizhou = app.units["西周镇"];
    let filtered = column(
        &rows_of(
            &workbook(
                &app,
                &admin,
                &format!("/export/enterprises?town={xizhou}"),
                "企业名录_",
            )
            .await,
        ),
        1,
    );
    assert_eq!(filtered, vec!["西周模具厂".to_string()]);
    // 石浦镇's liaison exports 石浦镇's firms only, whatever the query asks.
    let sp = app.login("sp1").await;
    let mine = column(
        &rows_of(&workbook(&app, &sp, "/export/enterprises", "企业名录_").await),
        1,
    );
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(!mine.contains(&"西周模具厂".to_string()));
}

#[tokio::test]
async fn problems_export_within_scope_and_filters() {
    let app = spawn_app().await;
    firms(&app).await;
    let office = Actor::system();
    let ents = app.store.list_enterprises(&office).await.unwrap();
    let today = qx_core::time::today();
    let mut ids = Vec::new();
    for (i, title) in ["环评审批久拖", "用地指标不足"].iter().enumerate() {
        let new = qx_store::problems::NewProblem {
            enterprise_id: ents[i].id,
            category: qx_core::problem::Category::Approval,
            title: (*title).into(),
            description: "三个月未批".into(),
            contact_name: String::new(),
            contact_phone: String::new(),
            source: qx_core::problem::Channel::Hotline,
            submitted_on: today,
        };
        ids.push(
            app.store
                .submit_problem(&office, &new, vec![])
                .await
                .unwrap()
                .0,
        );
    }
    // Only the first reaches 县经信局.
    use qx_store::problems::Step;
    app.store
        .problem_step(
            &office,
            ids[0],
            &Step::Accept {
                note: String::new(),
            },
            today,
        )
        .await
        .unwrap();
    let assign = Step::Assign {
        tier: qx_core::problem::Tier::Department,
        lead_unit_id: app.units["县经信局"],
        support_unit_ids: vec![],
        note: String::new(),
    };
    app.store
        .problem_step(&office, ids[0], &assign, today)
        .await
        .unwrap();

    let admin = app.login("admin").await;
    let titles = column(
        &rows_of(&workbook(&app, &admin, "/export/problems", "企业难题_").await),
        1,
    );
    assert_eq!(titles.len(), 2, "{titles:?}");
    let q = percent_encoding::utf8_percent_encode("用地", percent_encoding::NON_ALPHANUMERIC);
    let titles = column(
        &rows_of(
            &workbook(
                &app,
                &admin,
                &format!("/export/problems?q={q}"),
                "企业难题_",
            )
            .await,
        ),
        1,
    );
    assert_eq!(titles, vec!["用地指标不足".to_string()]);
    let jxj = app.login("jxj1").await;
    let titles = column(
        &rows_of(&workbook(&app, &jxj, "/export/problems", "企业难题_").await),
        1,
    );
    assert_eq!(titles, vec!["环评审批久拖".to_string()]);
}

#[tokio::test]
async fn the_dashboard_and_the_unreported_list_export() {
    let app = spawn_app().await;
    let plan = app.publish_seed_plan().await;
    let admin = app.login("admin").await;
    let (header, lines) = rows(
        &workbook(
            &app,
            &admin,
            &format!("/export/dashboard?plan={plan}"),
            "工业强县主要指标完成情况2017年",
        )
        .await,
    );
    assert_eq!(header[0], "指标");
    assert_eq!(lines.len(), 36, "the seed plan's 36 main indicators");
    assert!(column(&lines, 0).contains(&"新增规模以上企业".to_string()));

    // June open, 县经信局 reported: the 未报送名单 lists every other unit that owes a report.
    let june = qx_core::period::Period::new_month(2017, 6).unwrap();
    let period = app
        .store
        .open_period(&app.actor("admin").await, plan, &june, "2017-07-07")
        .await
        .unwrap();
    let jxj = app.actor("jxj1").await;
    let unit = app.units["县经信局"];
    let scale = app
        .store
        .unit_indicators(&qx_core::access::Actor::system(), plan, unit)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap();
    let input = qx_store::monitoring::SubmissionInput {
        values: vec![(scale.id, "15".into(), String::new())],
        tasks: vec![],
    };
    app.store
        .save_submission(&jxj, period, unit, &input, true)
        .await
        .unwrap();
    let progress = app
        .store
        .period_progress(&qx_core::access::Actor::system(), period)
        .await
        .unwrap();
    let (header, unreported) = rows(
        &workbook(
            &app,
            &admin,
            &format!("/export/unreported?period_id={period}"),
            "未报送名单",
        )
        .await,
    );
    assert_eq!(header[0], "单位");
    let names = column(&unreported, 0);
    assert_eq!(names.len(), progress.len() - 1, "{names:?}");
    assert!(!names.contains(&"县经信局".to_string()));

    // A unit reads neither.
    let c = app.login("jxj1").await;
    let resp = c
        .get(app.url(&format!("/export/unreported?period_id={period}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

/// GETs `path` as `c`, checking it answers 200.
async fn ok(app: &TestApp, c: &reqwest::Client, path: &str) -> reqwest::Response {
    let resp = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp
}

/// The credit codes of the registry's rows as each of its three readers answers `query`: the
/// list page, its export and `GET /api/v1/enterprises`.
async fn registry_codes(app: &TestApp, c: &reqwest::Client, query: &str) -> [Vec<String>; 3] {
    let html = ok(app, c, &format!("/enterprises?{query}"))
        .await
        .text()
        .await
        .unwrap();
    let mut page: Vec<String> = html
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split_once("</code>").map(|(code, _)| code.to_string()))
        .collect();
    let xlsx = workbook(app, c, &format!("/export/enterprises?{query}"), "企业名录_").await;
    let mut export = column(&rows_of(&xlsx), 0);
    let json: serde_json::Value = ok(app, c, &format!("/api/v1/enterprises?{query}"))
        .await
        .json()
        .await
        .unwrap();
    let mut api: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["credit_code"].as_str().unwrap().to_string())
        .collect();
    for codes in [&mut page, &mut export, &mut api] {
        codes.sort();
    }
    [page, export, api]
}

#[tokio::test]
async fn the_registry_page_its_export_and_the_api_read_the_filters_alike() {
    for db in qx_store::testing::all().await.unwrap() {
        let engine = db.name;
        let app = spawn_app_with(qx_web::Config::default(), db).await;
        firms(&app).await;
        let admin = app.login("admin").await;
        let xiangshan = vec![
            "91330225691361058X".to_string(),
            "913302257995213595".to_string(),
        ];
        // A padded name, and a town id ≤ 0 (any town), as a hand-edited link sends them.
        for query in [
            "q=%20%E8%B1%A1%E5%B1%B1%20&town=0",
            "q=%20%E8%B1%A1%E5%B1%B1%20&town=-1",
            "q=%E8%B1%A1%E5%B1%B1&town=%20-7%20",
        ] {
            let [page, export, api] = registry_codes(&app, &admin, query).await;
            assert_eq!(page, xiangshan, "{engine}: the list page, {query}");
            assert_eq!(export, xiangshan, "{engine}: the export, {query}");
            assert_eq!(api, xiangshan, "{engine}: the API, {query}");
        }
    }
}
