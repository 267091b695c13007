//! 本月无数据 through the Excel template: "本月无数据" in 本期累计 with the reason in 说明 is
//! read as the mark; without a reason the cell is named; a downloaded template shows a saved
//! mark the same way.

use crate::common::{published_seed_plan, user};
use crate::monitoring_excel::workbook;
use calamine::{Data, Reader};
use qx_app::AppError;
use qx_app::monitoring_excel::{export_template, import_template};
use qx_core::access::Role;
use qx_core::period::Period;
use qx_store::testing;

const REASON: &str = "统计口径调整，数据待统计局反馈";

#[tokio::test]
async fn the_template_reads_and_writes_no_figure_with_its_reason() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let unit = jxj.unit_id.unwrap();
        let june = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 6).unwrap(),
                "2017-07-07",
            )
            .await
            .unwrap();
        let scale = s.unit_indicators(&jxj, plan, unit).await.unwrap()[0].id;
        let info = Some((unit, "县经信局", "2017-06"));

        // Without a reason: the cell is named, nothing saved.
        let bytes = workbook(&[(scale.to_string(), "本月无数据", "")], &[], info);
        match import_template(s, &jxj, june, unit, &bytes, "t.xlsx", false).await {
            Err(AppError::Rows(rows)) => {
                assert!(
                    rows.iter()
                        .any(|r| r.contains("说明") && r.contains("原因")),
                    "{rows:?}"
                )
            }
            other => panic!("{}: {other:?}", db.name),
        }
        assert!(
            s.latest_submission(&jxj, june, unit)
                .await
                .unwrap()
                .is_none()
        );

        // With its reason: saved as the mark, no figure.
        let bytes = workbook(&[(scale.to_string(), "本月无数据", REASON)], &[], info);
        let id = import_template(s, &jxj, june, unit, &bytes, "t.xlsx", false)
            .await
            .unwrap();
        let marks = s.submission_no_figures(&jxj, id).await.unwrap();
        assert_eq!(marks.len(), 1, "{}", db.name);
        assert_eq!(
            (marks[0].indicator_id, marks[0].reason.as_str()),
            (scale, REASON)
        );
        assert!(s.submission_values(&jxj, id).await.unwrap().0.is_empty());

        // Downloaded again, the template shows it as it was typed.
        let out = export_template(s, &jxj, june, unit).await.unwrap();
        let mut wb =
            calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(out))
                .unwrap();
        let sheet = wb.worksheet_range("指标").unwrap();
        let row = sheet
            .rows()
            .find(|r| {
                r.first()
                    .is_some_and(|c| c.to_string() == scale.to_string())
            })
            .expect("the indicator's row");
        assert_eq!(row[5], Data::String("本月无数据".into()));
        assert_eq!(row[6], Data::String(REASON.into()));
    }
}
