//! The 重大项目库 in Excel over HTTP on every engine: the office uploads the county's list from
//! the list page; a bad cell comes back on the page naming its row and column with nothing
//! written; a good list is entered and reads back in the library workbook; a unit may not
//! import.

use crate::common::{TestApp, csrf, spawn_app_with};
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::Workbook;

async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in qx_store::testing::all().await.unwrap() {
        out.push(spawn_app_with(qx_web::Config::default(), db).await);
    }
    out
}

/// A list with a title row and a one-row header, then `rows` (name, town, 总投资, 责任单位).
fn list(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("项目清单").unwrap();
    ws.write(0, 0, "2017年重大项目").unwrap();
    for (c, h) in ["项目名称", "投资方", "镇乡(街道)", "总投资", "责任单位"]
        .iter()
        .enumerate()
    {
        ws.write(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        ws.write(r, 0, row[0]).unwrap();
        ws.write(r, 1, "某投资公司").unwrap();
        ws.write(r, 2, row[1]).unwrap();
        ws.write(r, 3, row[2]).unwrap();
        ws.write(r, 4, row[3]).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>) -> reqwest::Response {
    let token = csrf(c, &app.url("/projects")).await;
    let form = Form::new()
        .text("year", "2017")
        .part("file", Part::bytes(bytes).file_name("清单.xlsx"));
    c.post(app.url(&format!("/projects/import?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn project_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_imports_the_list_and_a_bad_cell_is_named_on_the_page() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let (status, page) = {
            let r = admin.get(app.url("/projects")).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        };
        assert_eq!(status, 200);
        assert!(
            page.contains("action=\"/projects/import"),
            "the import form"
        );

        let bad = list(&[
            ["石浦港物流中心", "石浦镇", "3.5亿元", "县经信局"],
            ["西周新材料", "西周镇", "５千万", "县经信局"],
        ]);
        let resp = upload(&app, &admin, bad).await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("项目清单 第4行 D列 &#34;总投资&#34;: &#34;５千万&#34; 不是数字")
                || body.contains("项目清单 第4行 D列 \"总投资\": \"５千万\" 不是数字"),
            "{body}"
        );
        assert_eq!(project_count(&app).await, 0, "nothing written");

        let good = list(&[
            ["石浦港物流中心", "石浦镇", "3.5亿元", "县经信局"],
            ["西周新材料", "西周镇", "５０００", "县经信局"],
        ]);
        let resp = upload(&app, &admin, good).await;
        assert_eq!(resp.status(), 303);
        let next = resp.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(next, "/projects?imported=2&updated=0");
        let page = admin
            .get(app.url(&next))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("导入完成"), "{page}");
        assert!(page.contains("石浦港物流中心"));
        assert_eq!(project_count(&app).await, 2);

        let xlsx = admin
            .get(app.url("/projects/library.xlsx"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let text = cells(xlsx.clone());
        assert!(text.contains(&"石浦港物流中心".to_string()), "{text:?}");
        assert!(
            text.contains(&"35000".to_string()),
            "3.5 亿元 as 万元: {text:?}"
        );
        // The library reads back: both rows update.
        let resp = upload(&app, &admin, xlsx).await;
        assert_eq!(
            resp.headers()["location"].to_str().unwrap(),
            "/projects?imported=0&updated=2"
        );

        let jxj = app.login("jxj1").await;
        let token = csrf(&jxj, &app.url("/projects")).await;
        let form = Form::new().part("file", Part::bytes(list(&[])).file_name("x.xlsx"));
        let resp = jxj
            .post(app.url(&format!("/projects/import?_csrf={token}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
    }
}

/// Every cell of the first sheet as text.
fn cells(xlsx: Vec<u8>) -> Vec<String> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    range.cells().map(|(_, _, c)| c.to_string()).collect()
}
