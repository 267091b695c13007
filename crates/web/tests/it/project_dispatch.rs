//! The 重大项目调度 section of a unit's monthly report over HTTP on every engine: the unit's
//! projects are on its report form; a figure that is not a number comes back beside its field
//! with everything typed kept and nothing saved; saved with the draft, submitted with the
//! report, and once the office approves it the project's 本年已完成投资 is the month's figure;
//! the project's page lists the month, not counted until the report is approved.

use crate::common::{csrf, post_form};
use crate::report_form::{all_apps, june};
use qx_core::project::{CapitalKind, Source};
use qx_store::projects::ProjectInput;
use time::macros::date;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_reports_its_projects_with_its_monthly_report() {
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let unit_id = jxj.unit_id.unwrap();
        let input = ProjectInput {
            year: 2017,
            name: "年产5万吨新材料项目".into(),
            investor: "甲新材料".into(),
            credit_code: None,
            capital_kind: CapitalKind::Domestic,
            source: Source::Investment,
            industry: String::new(),
            town_id: None,
            total_investment_wan: 25_000.0,
            foreign_contract_wusd: None,
            annual_plan_wan: Some(6_000.0),
            completed_wan: None,
            land_mu: None,
            content: String::new(),
            unit_id,
            contact: String::new(),
            leader_user_id: None,
            planned: [None; 4],
        };
        let id = app
            .store
            .create_project(&admin, &input, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let page = unit.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("重大项目调度"), "the section");
        assert!(page.contains(&format!("name=\"di_{id}\"")));

        let token = csrf(&unit, &url).await;
        let (di, dg, db) = (format!("di_{id}"), format!("dg_{id}"), format!("db_{id}"));
        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (di.as_str(), "八百"),
                (dg.as_str(), "主体厂房结顶"),
                (db.as_str(), "用电增容未批"),
                ("action", "save"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("value=\"八百\""), "typed figure kept");
        assert!(
            body.contains("主体厂房结顶</textarea>"),
            "typed progress kept"
        );
        assert!(body.contains("本月完成投资(万元): "), "{body}");
        let stored = app
            .store
            .dispatch_lines(&admin, period, unit_id)
            .await
            .unwrap();
        assert_eq!(stored[0].report.figures.invested_wan, None, "nothing saved");

        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (di.as_str(), "８００"),
                (dg.as_str(), "主体厂房结顶"),
                (db.as_str(), "用电增容未批"),
                ("action", "submit"),
                ("confirm", "1"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let stored = app
            .store
            .dispatch_lines(&admin, period, unit_id)
            .await
            .unwrap();
        assert_eq!(stored[0].report.figures.invested_wan, Some(800.0));
        assert_eq!(stored[0].report.figures.blockers, "用电增容未批");
        let page = unit.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains(&format!("name=\"di_{id}\" id=\"di_{id}\" value=\"800\" inputmode=\"decimal\" size=\"8\" disabled")),
            "locked once submitted"
        );
        // The project's page lists the month, sent but not yet counted.
        let project_url = app.url(&format!("/projects/{id}"));
        let months = |page: String| {
            let start = page.find("dispatch-months").expect("the monthly table");
            page[start..start + page[start..].find("</table>").unwrap()].to_string()
        };
        let page = unit.get(&project_url).send().await.unwrap();
        let table = months(page.text().await.unwrap());
        assert!(table.contains(">2017-06<"), "{table}");
        assert!(table.contains(">800<") && table.contains("主体厂房结顶"));
        assert!(table.contains("用电增容未批"), "{table}");
        assert!(table.contains("未审核, 未计入"), "{table}");
        let latest = app
            .store
            .submission_history(&admin, period, unit_id)
            .await
            .unwrap()[0]
            .id;
        app.store
            .review_submission(&admin, latest, true, "")
            .await
            .unwrap();
        let project = app.store.get_project(&admin, id).await.unwrap();
        assert_eq!(project.completed_wan, Some(800.0));
        let page = unit.get(&project_url).send().await.unwrap();
        let table = months(page.text().await.unwrap());
        assert!(table.contains("已审核, 已计入"), "{table}");
        assert!(!table.contains("未计入"), "{table}");
    }
}

/// A month the project's earlier unit handed in is shown to the unit it moved to as locked, with
/// a note and no inputs: the store would skip whatever the form sent for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_held_by_the_earlier_unit_is_shown_locked() {
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let (from, to) = (jxj.unit_id.unwrap(), app.units["石浦镇"]);
        let mut input = ProjectInput {
            year: 2017,
            name: "智能装备产业园".into(),
            investor: "乙装备集团".into(),
            credit_code: None,
            capital_kind: CapitalKind::Domestic,
            source: Source::Investment,
            industry: String::new(),
            town_id: None,
            total_investment_wan: 12_000.0,
            foreign_contract_wusd: None,
            annual_plan_wan: Some(3_000.0),
            completed_wan: None,
            land_mu: None,
            content: String::new(),
            unit_id: from,
            contact: String::new(),
            leader_user_id: None,
            planned: [None; 4],
        };
        let id = app
            .store
            .create_project(&admin, &input, date!(2017 - 01 - 10))
            .await
            .unwrap();
        app.store
            .save_dispatch(
                &jxj,
                period,
                from,
                &[qx_store::projects::DispatchInput {
                    project_id: id,
                    figures: qx_store::projects::DispatchFigures {
                        invested_wan: Some(500.0),
                        progress: "主体厂房结顶".into(),
                        ..Default::default()
                    },
                }],
            )
            .await
            .unwrap();
        app.store
            .save_submission(&jxj, period, from, &Default::default(), true)
            .await
            .unwrap();
        // The office hands the project to 石浦镇, whose June report is still open.
        input.unit_id = to;
        app.store.update_project(&admin, id, &input).await.unwrap();

        let unit = app.login("sp1").await;
        let url = app.url(&format!("/report/{period}"));
        let page = unit.get(&url).send().await.unwrap().text().await.unwrap();
        let line = page
            .split(&format!("id=\"dispatch-{id}\""))
            .nth(1)
            .and_then(|rest| rest.split("</div>").next())
            .unwrap_or_else(|| panic!("the project's line: {page}"));
        assert!(
            line.contains("本月已由原责任单位报送, 此处不可修改"),
            "the note: {line}"
        );
        for prefix in ["di_", "df_", "dd_", "dq_", "dg_", "db_"] {
            assert!(
                !line.contains(&format!("name=\"{prefix}{id}\"")),
                "no {prefix} input on a held month: {line}"
            );
        }
    }
}

/// The 项目调度 sheet as the unit fills it in: the downloaded rows' 编号 with this month's cells.
fn filled_dispatch(template: &[u8], cells: [&str; 6]) -> Vec<u8> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(template.to_vec())).unwrap();
    let range = wb.worksheet_range("项目调度").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet().set_name("项目调度").unwrap();
    for (c, h) in rows[0].iter().enumerate() {
        ws.write(0, c as u16, h.as_str()).unwrap();
    }
    for (r, row) in rows.iter().enumerate().skip(1) {
        ws.write(r as u32, 0, row[0].as_str()).unwrap();
        for (c, v) in cells.iter().enumerate() {
            ws.write(r as u32, 5 + c as u16, *v).unwrap();
        }
    }
    out.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_reports_its_projects_through_the_excel_template() {
    use reqwest::multipart::{Form, Part};
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let unit_id = jxj.unit_id.unwrap();
        let input = ProjectInput {
            year: 2017,
            name: "年产5万吨新材料项目".into(),
            investor: "甲新材料".into(),
            credit_code: None,
            capital_kind: CapitalKind::Domestic,
            source: Source::Investment,
            industry: String::new(),
            town_id: None,
            total_investment_wan: 25_000.0,
            foreign_contract_wusd: None,
            annual_plan_wan: Some(6_000.0),
            completed_wan: None,
            land_mu: None,
            content: String::new(),
            unit_id,
            contact: String::new(),
            leader_user_id: None,
            planned: [None; 4],
        };
        app.store
            .create_project(&admin, &input, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let page = unit.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("id=\"project-dispatch-upload\""), "the form");
        assert!(page.contains(&format!("/report/{period}/projects.xlsx")));

        let resp = unit
            .get(app.url(&format!("/report/{period}/projects.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let template = resp.bytes().await.unwrap().to_vec();
        let token = csrf(&unit, &url).await;
        let upload_url = app.url(&format!("/report/{period}/projects?_csrf={token}"));
        let upload = |bytes: Vec<u8>| {
            let form = Form::new().part("file", Part::bytes(bytes).file_name("调度.xlsx"));
            unit.post(&upload_url).multipart(form).send()
        };
        let stored = || async {
            app.store
                .dispatch_lines(&admin, period, unit_id)
                .await
                .unwrap()[0]
                .report
                .clone()
        };

        // A bad cell: named on the page in Chinese, nothing saved.
        let bad = filled_dispatch(&template, ["约八百", "", "", "", "", ""]);
        let resp = upload(bad).await.unwrap();
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("项目调度 第2行 F列 &quot;本月完成投资&quot;")
                || body.contains("项目调度 第2行 F列 &#34;本月完成投资&#34;"),
            "{body}"
        );
        assert_eq!(stored().await.figures.invested_wan, None, "nothing saved");

        // Filled in: the draft has the month.
        let good = filled_dispatch(
            &template,
            ["８００", "—", "800", "主体厂房结顶", "35", "用电增容未批"],
        );
        let resp = upload(good).await.unwrap();
        assert_eq!(resp.status(), 303);
        let back = resp.headers()["location"].to_str().unwrap().to_string();
        let page = unit
            .get(app.url(&back))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("已从项目调度模板导入"), "{page}");
        let month = stored().await;
        assert_eq!(month.figures.invested_wan, Some(800.0));
        assert_eq!(month.figures.domestic_wan, Some(800.0));
        assert_eq!(month.figures.foreign_wusd, None);
        assert_eq!(month.figures.progress_pct, Some(35.0));
        assert_eq!(month.figures.blockers, "用电增容未批");
    }
}
