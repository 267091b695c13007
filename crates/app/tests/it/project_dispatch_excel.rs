//! A unit's monthly 调度 through its Excel template, on every engine: downloaded with the
//! unit's projects, filled in (full-width digits and "—" read as the indicator template reads
//! them), uploaded into the unit's report; every bad cell named, nothing written on a bad file;
//! a month the project's earlier unit has handed in stays as it was.

use crate::common::{published_seed_plan, user};
use crate::project_dispatch::project;
use calamine::{Data, Reader};
use qx_app::AppError;
use qx_app::project_dispatch_excel::{DISPATCH_SHEET, export_template, import_template};
use qx_core::access::Role;
use qx_core::period::Period;
use qx_store::monitoring::SubmissionInput;
use qx_store::projects::{DispatchFigures, DispatchInput};
use rust_xlsxwriter::Workbook;
use time::macros::date;

const HEADERS: [&str; 11] = [
    "编号",
    "项目名称",
    "阶段",
    "年度计划投资",
    "本年已完成投资",
    "本月完成投资",
    "外资到位",
    "内资到位",
    "形象进度",
    "形象进度(%)",
    "存在问题",
];

/// A filled 项目调度 sheet: per row the 编号 and the six cells from 本月完成投资 on.
fn filled(rows: &[(i64, [&str; 6])]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(DISPATCH_SHEET).unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, (id, cells)) in rows.iter().enumerate() {
        let row = (r + 1) as u32;
        ws.write(row, 0, *id as f64).unwrap();
        ws.write(row, 1, "项目").unwrap();
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write(row, 5 + c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The 编号 and 项目名称 of every row of the template's 项目调度 sheet.
fn template_rows(bytes: &[u8]) -> Vec<(i64, String)> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range(DISPATCH_SHEET).unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, HEADERS);
    rows.map(|r| {
        let id = match &r[0] {
            Data::Float(f) => *f as i64,
            other => panic!("编号 {other:?}"),
        };
        (id, r[1].to_string())
    })
    .collect()
}

#[tokio::test]
async fn a_unit_fills_its_dispatch_template_and_a_bad_cell_changes_nothing() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let unit = jxj.unit_id.unwrap();
        let big = s
            .create_project(
                &office,
                &project(unit, "智能装备产业园"),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let small = s
            .create_project(
                &office,
                &qx_store::projects::ProjectInput {
                    total_investment_wan: 12_000.0,
                    ..project(unit, "汽配技改项目")
                },
                date!(2017 - 01 - 06),
            )
            .await
            .unwrap();
        let may = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 5).unwrap(),
                "2017-12-31",
            )
            .await
            .unwrap();

        let bytes = export_template(s, &jxj, may, unit).await.unwrap();
        let rows = template_rows(&bytes);
        assert_eq!(
            rows,
            vec![
                (big, "智能装备产业园".into()),
                (small, "汽配技改项目".into())
            ],
            "{}",
            db.name
        );

        let upload = filled(&[
            (
                big,
                [
                    "１,５００",
                    "—",
                    "1500万元",
                    "主体厂房结顶",
                    "40%",
                    "用地指标待批",
                ],
            ),
            (small, ["300", "12.5", "", "设备安装", "８０", ""]),
        ]);
        let done = import_template(s, &jxj, may, unit, &upload, "调度.xlsx")
            .await
            .unwrap();
        assert_eq!(done.saved, 2);
        assert!(done.held_elsewhere.is_empty());
        let lines = s.dispatch_lines(&jxj, may, unit).await.unwrap();
        let first = &lines[0].report;
        assert_eq!(first.figures.invested_wan, Some(1_500.0));
        assert_eq!(first.figures.foreign_wusd, None);
        assert_eq!(first.figures.domestic_wan, Some(1_500.0));
        assert_eq!(first.figures.progress, "主体厂房结顶");
        assert_eq!(first.figures.progress_pct, Some(40.0));
        assert_eq!(first.figures.blockers, "用地指标待批");
        assert_eq!(lines[1].report.figures.foreign_wusd, Some(12.5));
        assert_eq!(lines[1].report.figures.progress_pct, Some(80.0));
        // The saved month comes back pre-filled in a new download.
        let again = export_template(s, &jxj, may, unit).await.unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(again)).unwrap();
        let range = wb.worksheet_range(DISPATCH_SHEET).unwrap();
        assert_eq!(range.get((1, 5)).unwrap().to_string(), "1500");
        assert_eq!(range.get((1, 10)).unwrap().to_string(), "用地指标待批");

        // A bad file: every bad cell named by sheet, row, column and field; nothing written.
        let bad = filled(&[
            (big, ["9", "", "", "", "", ""]),
            (small, ["十万", "-3", "", "", "140", ""]),
        ]);
        let Err(AppError::Rows(errors)) =
            import_template(s, &jxj, may, unit, &bad, "调度.xlsx").await
        else {
            panic!("a bad file is refused")
        };
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("项目调度 第3行 F列 \"本月完成投资\": ")
                    && e.contains("十万")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("项目调度 第3行 G列 \"外资到位\": ") && e.contains("负数")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("项目调度 第3行 J列 \"形象进度(%)\": ")),
            "{errors:?}"
        );
        let after = s.dispatch_lines(&jxj, may, unit).await.unwrap();
        assert_eq!(
            after[0].report.figures.invested_wan,
            Some(1_500.0),
            "{}",
            db.name
        );
        assert_eq!(after[1].report.figures.invested_wan, Some(300.0));

        // Another unit's project, or another unit's template, is refused.
        let other = user(s, "swj1", Role::Unit, "县商务局").await;
        let err = import_template(s, &other, may, other.unit_id.unwrap(), &upload, "调度.xlsx")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不由"), "{err}");
        // The file itself: not an .xlsx, over the size cap, or for a unit the actor does not
        // write for — each refused naming the file or the unit, nothing written.
        let err = import_template(s, &jxj, may, unit, &upload, "调度.xls")
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("调度.xls: 请上传本系统下载的 .xlsx 项目调度模板"),
            "{err}"
        );
        let huge = vec![0u8; qx_app::monitoring_excel::MAX_TEMPLATE_BYTES + 1];
        let err = import_template(s, &jxj, may, unit, &huge, "调度.xlsx")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("超过 5 MB 上限"), "{err}");
        let err = import_template(s, &jxj, may, other.unit_id.unwrap(), &upload, "调度.xlsx")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不能代其他单位报送"), "{err}");
        let after = s.dispatch_lines(&jxj, may, unit).await.unwrap();
        assert_eq!(
            after[0].report.figures.invested_wan,
            Some(1_500.0),
            "{}",
            db.name
        );
        db.discard().await.unwrap();
    }
}

#[tokio::test]
async fn a_month_the_earlier_unit_handed_in_stays_after_the_project_moves() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let swj = user(s, "swj1", Role::Unit, "县商务局").await;
        let (from, to) = (jxj.unit_id.unwrap(), swj.unit_id.unwrap());
        let id = s
            .create_project(
                &office,
                &project(from, "智能装备产业园"),
                date!(2017 - 01 - 05),
            )
            .await
            .unwrap();
        let may = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 5).unwrap(),
                "2017-12-31",
            )
            .await
            .unwrap();
        let month = |invested| DispatchInput {
            project_id: id,
            figures: DispatchFigures {
                invested_wan: Some(invested),
                progress: "主体厂房结顶".into(),
                ..DispatchFigures::default()
            },
        };
        s.save_dispatch(&jxj, may, from, &[month(1_500.0)])
            .await
            .unwrap();
        let sub = s
            .save_submission(&jxj, may, from, &SubmissionInput::default(), true)
            .await
            .unwrap();

        // The office hands the project to 商务局, whose May report is still open.
        s.update_project(&office, id, &project(to, "智能装备产业园"))
            .await
            .unwrap();
        let lines = s.dispatch_lines(&swj, may, to).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].held_elsewhere, "{}", db.name);

        let upload = filled(&[(id, ["9999", "", "", "改填", "", ""])]);
        let done = import_template(s, &swj, may, to, &upload, "调度.xlsx")
            .await
            .unwrap();
        assert_eq!(done.saved, 0);
        assert_eq!(done.held_elsewhere.len(), 1);
        assert!(
            done.held_elsewhere[0].contains("第2行")
                && done.held_elsewhere[0].contains("原责任单位"),
            "{:?}",
            done.held_elsewhere
        );
        // The store leaves it too, whoever calls it, and an empty line does not clear it.
        s.save_dispatch(&swj, may, to, &[month(7.0)]).await.unwrap();
        s.save_dispatch(
            &swj,
            may,
            to,
            &[DispatchInput {
                project_id: id,
                ..DispatchInput::default()
            }],
        )
        .await
        .unwrap();
        s.review_submission(&office, sub, true, "").await.unwrap();
        assert_eq!(
            s.get_project(&office, id).await.unwrap().completed_wan,
            Some(1_500.0),
            "{}",
            db.name
        );
        db.discard().await.unwrap();
    }
}
