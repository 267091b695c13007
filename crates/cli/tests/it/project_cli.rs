//! `qx project export|import` and `qx project dispatch-template|dispatch-import` as the office
//! runs them, on every engine: the library goes out and comes back edited, with a new row; a
//! unit's template for a period comes out with its projects, filled in it goes back into the
//! unit's report; a file with a bad cell is refused naming the row and column, and nothing is
//! written.

use crate::common::{qx, text};
use calamine::Reader;
use qx_core::access::{Actor, Role};
use qx_core::project::{CapitalKind, Source};
use qx_store::Store;
use qx_store::projects::ProjectInput;
use qx_store::users::NewUser;
use time::macros::date;

/// The registry, the seed plan published and May 2017 open, and one project of 县经信局.
/// Returns (the period's id, the project's id, 县经信局's id).
async fn county(store: &Store) -> (i64, i64, i64) {
    qx_demo::registry::seed_registry(store).await.unwrap();
    let office_unit = store
        .resolve_unit("县工业强县办")
        .await
        .unwrap()
        .unwrap()
        .id;
    let user_id = store
        .create_user(
            &Actor::system(),
            &NewUser {
                username: "admin".into(),
                display_name: "admin".into(),
                role: Role::Admin,
                unit_id: Some(office_unit),
                enterprise_id: None,
                phone: String::new(),
                password_hash: qx_core::password::hash_password("Xiangshan#2017").unwrap(),
            },
        )
        .await
        .unwrap();
    let office = Actor {
        user_id,
        username: "admin".into(),
        role: Role::Admin,
        unit_id: Some(office_unit),
        enterprise_id: None,
        ip: String::new(),
    };
    let plan = qx_app::plan_import::import_document(
        store,
        &office,
        qx_demo::plan::SEED_PLAN.as_bytes(),
        "p.txt",
    )
    .await
    .unwrap()
    .plan_id;
    store.publish_plan(&office, plan).await.unwrap();
    let period = store
        .open_period(
            &office,
            plan,
            &qx_core::period::Period::new_month(2017, 5).unwrap(),
            "2017-12-31",
        )
        .await
        .unwrap();
    let unit = store.resolve_unit("县经信局").await.unwrap().unwrap().id;
    let project = store
        .create_project(
            &office,
            &ProjectInput {
                year: 2017,
                name: "年产5万吨新材料项目".into(),
                investor: "甲新材料有限公司".into(),
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
                unit_id: unit,
                contact: String::new(),
                leader_user_id: None,
                planned: [None; 4],
            },
            date!(2017 - 01 - 10),
        )
        .await
        .unwrap();
    (period, project, unit)
}

/// Every cell of the template's first sheet as text, row by row.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The template as the unit fills it in: every cell kept, `fill` (column, text) written into
/// the project's row (the second).
fn fill(template: &[Vec<String>], fill: &[(u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb
        .add_worksheet()
        .set_name(qx_app::project_dispatch_excel::DISPATCH_SHEET)
        .unwrap();
    for (r, row) in template.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if r > 0 && c == 0 {
                ws.write(r as u32, 0, v.parse::<f64>().unwrap()).unwrap();
            } else if !v.is_empty() {
                ws.write(r as u32, c as u16, v.as_str()).unwrap();
            }
        }
    }
    for (c, v) in fill {
        ws.write(1, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispatch_template_goes_out_and_comes_back_filled_in() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (period, project, unit) = county(s).await;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let period_arg = period.to_string();
        let out = qx(
            &[
                "project",
                "dispatch-template",
                "--database",
                &db.url,
                "--unit",
                "县经信局",
                "--period",
                &period_arg,
                "--out",
                "调度.xlsx",
            ],
            d,
        );
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
        let template = cells(&std::fs::read(d.join("调度.xlsx")).unwrap());
        assert_eq!(template[0][0], "编号", "{:?}", template[0]);
        assert_eq!(template[0][5], "本月完成投资", "{:?}", template[0]);
        assert_eq!(template.len(), 2, "one project: {template:?}");
        assert_eq!(template[1][0], project.to_string());
        assert_eq!(template[1][1], "年产5万吨新材料项目");

        // Filled in: 本月完成投资 (F) in full-width digits, 形象进度 (I), 存在问题 (K).
        let filled = fill(
            &template,
            &[(5, "１５００"), (8, "主体厂房结顶"), (10, "用电增容未批")],
        );
        std::fs::write(d.join("filled.xlsx"), &filled).unwrap();
        let import = |file: &str| {
            qx(
                &[
                    "project",
                    "dispatch-import",
                    "--database",
                    &db.url,
                    "--unit",
                    "县经信局",
                    "--period",
                    &period_arg,
                    file,
                ],
                d,
            )
        };
        let out = import("filled.xlsx");
        let said = text(&out.stderr);
        assert!(out.status.success(), "{}: {said}", db.name);
        assert!(said.contains("1 个项目的本月调度"), "{said}");
        let office = Actor::system();
        let lines = s.dispatch_lines(&office, period, unit).await.unwrap();
        assert_eq!(
            lines[0].report.figures.invested_wan,
            Some(1_500.0),
            "{}",
            db.name
        );
        assert_eq!(lines[0].report.figures.progress, "主体厂房结顶");
        assert_eq!(lines[0].report.figures.blockers, "用电增容未批");

        // The template comes out again with what was saved.
        let out = qx(
            &[
                "project",
                "dispatch-template",
                "--database",
                &db.url,
                "--unit",
                "县经信局",
                "--period",
                &period_arg,
                "--out",
                "again.xlsx",
            ],
            d,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let again = cells(&std::fs::read(d.join("again.xlsx")).unwrap());
        assert_eq!(again[1][5], "1500", "{:?}", again[1]);
        assert_eq!(again[1][8], "主体厂房结顶");

        // A bad cell: refused naming its row and column, nothing written.
        let before = qx_store::testing::table_counts(s).await.unwrap();
        let bad = fill(&again, &[(5, "八百"), (8, "改填")]);
        std::fs::write(d.join("bad.xlsx"), &bad).unwrap();
        let out = import("bad.xlsx");
        let said = text(&out.stderr);
        assert!(
            !out.status.success(),
            "{}: a bad file accepted: {said}",
            db.name
        );
        assert!(
            said.contains("第2行 F列 \"本月完成投资\""),
            "{}: the cell named: {said}",
            db.name
        );
        assert!(said.contains("未写入任何数据"), "{said}");
        assert_eq!(
            qx_store::testing::table_counts(s).await.unwrap(),
            before,
            "{}: nothing written",
            db.name
        );
        let lines = s.dispatch_lines(&office, period, unit).await.unwrap();
        assert_eq!(lines[0].report.figures.invested_wan, Some(1_500.0));
        assert_eq!(lines[0].report.figures.progress, "主体厂房结顶");
        db.discard().await.unwrap();
    }
}

/// Every cell of `rows` written back as text into the export's sheet, as a person saves the
/// library after editing it (the merged headers read back as their first cells, as calamine
/// reads the original).
fn library(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb
        .add_worksheet()
        .set_name(qx_app::project_excel::SHEET)
        .unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write(r as u32, c as u16, v.as_str()).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_goes_out_and_comes_back_edited_with_a_new_project() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (_, project, _) = county(s).await;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let out = qx(
            &[
                "project",
                "export",
                "--database",
                &db.url,
                "--out",
                "库.xlsx",
            ],
            d,
        );
        assert!(out.status.success(), "{}: {}", db.name, text(&out.stderr));
        let mut rows = cells(&std::fs::read(d.join("库.xlsx")).unwrap());
        // A title row, two header rows, then the project.
        assert_eq!(rows[1][1], "项目名称", "{:?}", rows[1]);
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[3][1], "年产5万吨新材料项目");
        // 年度计划投资 (K) raised in full-width digits; a new project below it in 亿元.
        rows[3][10] = "８０００".into();
        let mut new = rows[3].clone();
        new[0] = "2".into();
        new[1] = "年产2万台智能装备项目".into();
        new[8] = "1.2亿元".into();
        rows.push(new);
        std::fs::write(d.join("edited.xlsx"), library(&rows)).unwrap();
        let import = |file: &str| {
            qx(
                &[
                    "project",
                    "import",
                    "--database",
                    &db.url,
                    "--year",
                    "2017",
                    file,
                ],
                d,
            )
        };
        let out = import("edited.xlsx");
        let said = text(&out.stderr);
        assert!(out.status.success(), "{}: {said}", db.name);
        assert!(said.contains("新增 1 个项目, 更新 1 个"), "{said}");
        let office = Actor::system();
        let p = s.get_project(&office, project).await.unwrap();
        assert_eq!(p.annual_plan_wan, Some(8_000.0), "{}", db.name);
        let all = s.project_library(&office).await.unwrap();
        let added = all
            .iter()
            .find(|r| r.project.name == "年产2万台智能装备项目")
            .expect("the new project");
        assert_eq!(added.project.total_investment_wan, 12_000.0, "{}", db.name);

        // A bad amount in the new row: refused naming its cell, nothing written.
        let before = qx_store::testing::table_counts(s).await.unwrap();
        rows[4][8] = "一个亿".into();
        rows[3][10] = "9000".into();
        std::fs::write(d.join("bad.xlsx"), library(&rows)).unwrap();
        let out = import("bad.xlsx");
        let said = text(&out.stderr);
        assert!(!out.status.success(), "{}: accepted: {said}", db.name);
        assert!(
            said.contains("第5行 I列") && said.contains("总投资"),
            "{}: the cell named: {said}",
            db.name
        );
        assert!(said.contains("未写入任何数据"), "{said}");
        assert_eq!(
            qx_store::testing::table_counts(s).await.unwrap(),
            before,
            "{}: nothing written",
            db.name
        );
        let p = s.get_project(&office, project).await.unwrap();
        assert_eq!(p.annual_plan_wan, Some(8_000.0), "{}", db.name);
        db.discard().await.unwrap();
    }
}
