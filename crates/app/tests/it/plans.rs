//! Plan import, review, publishing and the Excel round trip on every engine.

use qx_app::AppError;
use qx_app::plan_excel;
use qx_app::plan_import::import_document;
use qx_core::access::{Actor, Role};
use qx_store::plans::{ItemEdit, TargetEdit};
use qx_store::testing;
use qx_store::{Store, StoreError};

const SEED: &str = qx_demo::plan::SEED_PLAN;

async fn county() -> Vec<(testing::TestDb, Actor)> {
    let mut out = Vec::new();
    for db in testing::all().await.unwrap() {
        qx_demo::registry::seed_registry(&db.store).await.unwrap();
        out.push((db, Actor::system()));
    }
    out
}

async fn plan_count(store: &Store) -> usize {
    store.list_plans(&Actor::system()).await.unwrap().len()
}

#[tokio::test]
async fn the_seed_plan_imports_reviews_and_publishes() {
    for (db, office) in county().await {
        let s = &db.store;
        let imported = import_document(s, &office, SEED.as_bytes(), "plan.txt")
            .await
            .unwrap();
        let plan = s.get_plan(&office, imported.plan_id).await.unwrap();
        assert_eq!(plan.status.as_str(), "draft");
        assert_eq!(plan.year, 2017);
        assert_eq!(plan.doc_number, "象工强办〔2017〕3号");
        assert_eq!(plan.issued_on.as_deref(), Some("2017-04-13"));
        let targets = s.plan_targets(&office, plan.id).await.unwrap();
        assert_eq!(
            targets
                .iter()
                .filter(|t| t.level == qx_core::indicator::TargetLevel::Plan)
                .count(),
            36,
            "{}",
            db.name
        );

        // Drafts are the office's business.
        let unit_user = Actor {
            role: Role::Unit,
            unit_id: Some(2),
            user_id: 9,
            ..Actor::system()
        };
        assert!(matches!(
            s.get_plan(&unit_user, plan.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(s.list_plans(&unit_user).await.unwrap().is_empty());

        // The reviewer fixes a target and an item; both are audited.
        let t = targets.iter().find(|t| t.name.contains("解决率")).unwrap();
        let edit = TargetEdit {
            name: "难题解决率".into(),
            value: "70".into(),
            value_max: None,
            unit: "%".into(),
            comparator: ">=".into(),
            kind: "share".into(),
            unit_name: "县经信局".into(),
            included: true,
        };
        s.update_plan_target(&office, plan.id, t.id, &edit)
            .await
            .unwrap();
        let bad = TargetEdit {
            value: "七十".into(),
            ..edit.clone()
        };
        assert!(matches!(
            s.update_plan_target(&office, plan.id, t.id, &bad).await,
            Err(StoreError::Invalid(_))
        ));

        let summary = s.publish_plan(&office, plan.id).await.unwrap();
        assert_eq!(summary.indicators, 36);
        assert_eq!(
            summary.tasks, 67,
            "{}: every item with responsible units is a task",
            db.name
        );
        let tasks = s.plan_tasks(&office, plan.id).await.unwrap();
        let towns = tasks
            .iter()
            .find(|t| t.task.number == "三.(四).15.(1)")
            .expect("the 各镇乡街道 task");
        assert!(
            towns.units.len() >= 19,
            "各镇乡街道 stands for all 18 towns plus the lead: {}",
            towns.units.len()
        );
        assert_eq!(towns.units[0].1, qx_core::units::TaskRole::Lead);

        // Published plans are read-only and visible to every unit.
        assert!(matches!(
            s.update_plan_target(&office, plan.id, t.id, &edit).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(s.list_plans(&unit_user).await.unwrap().len(), 1);
    }
}

/// A plan as another county writes it: each target's kind and responsible unit come from its
/// name as well as its clause, and a fall is a 降幅 to reach, not a ceiling.
#[tokio::test]
async fn targets_of_another_countys_plan_are_typed_by_their_names() {
    use qx_core::indicator::{Comparator, IndicatorKind};
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../plan/tests/fixtures/other-county-spellings.txt"
    ))
    .unwrap();
    for (db, office) in county().await {
        let s = &db.store;
        let imported = import_document(s, &office, &text, "lj.txt").await.unwrap();
        let targets = s.plan_targets(&office, imported.plan_id).await.unwrap();
        let seen: Vec<_> = targets
            .iter()
            .filter(|t| t.level == qx_core::indicator::TargetLevel::Plan)
            .map(|t| (t.name.as_str(), t.value.as_str(), t.comparator, t.kind))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "规上工业增加值增速",
                    "8",
                    Comparator::AtLeast,
                    IndicatorKind::GrowthRate
                ),
                // "力争达到9%" names no subject: its name does.
                (
                    "规上工业增加值增速",
                    "9",
                    Comparator::AtLeast,
                    IndicatorKind::GrowthRate
                ),
                (
                    "单位工业增加值能耗降幅",
                    "3",
                    Comparator::AtLeast,
                    IndicatorKind::GrowthRate
                ),
                (
                    "单位工业增加值能耗",
                    "0.45",
                    Comparator::AtMost,
                    IndicatorKind::LowerIsBetter
                ),
                (
                    "新增规上工业企业",
                    "50",
                    Comparator::AtLeast,
                    IndicatorKind::CumulativeCount
                ),
            ],
            "{}",
            db.name
        );
        // The stretch figure is suggested to the same unit as the figure it raises.
        assert!(targets[0].unit_id.is_some(), "{}", db.name);
        assert_eq!(targets[1].unit_id, targets[0].unit_id, "{}", db.name);
    }
}

/// A 任务分解表's 完成时限 column fills each draft item's 时间节点.
#[tokio::test]
async fn a_task_tables_deadlines_fill_the_draft() {
    let docx = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../plan/tests/fixtures/task-table-targets.docx"
    ))
    .unwrap();
    for (db, office) in county().await {
        let s = &db.store;
        let imported = import_document(s, &office, &docx, "分解表.docx")
            .await
            .unwrap();
        let items = s.plan_items(&office, imported.plan_id).await.unwrap();
        let deadlines: Vec<_> = items
            .iter()
            .map(|(i, _)| (i.number.as_str(), i.deadline.as_str()))
            .collect();
        assert_eq!(
            deadlines,
            [
                ("1", "12月底"),
                ("2", "12月底"),
                ("3", "全年"),
                ("4", "全年"),
                ("5", "年底")
            ],
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn unknown_units_block_publishing_until_fixed() {
    for (db, office) in county().await {
        let s = &db.store;
        let id = import_document(s, &office, SEED.as_bytes(), "plan.txt")
            .await
            .unwrap()
            .plan_id;
        let items = s.plan_items(&office, id).await.unwrap();
        let (item, _) = items
            .iter()
            .find(|(i, u)| !u.is_empty() && i.number.starts_with("三"))
            .unwrap();
        let edit = ItemEdit {
            heading: item.heading.clone(),
            text: item.text.clone(),
            deadline: "2017年6月底前".into(),
            lead: vec!["县不存在局".into()],
            support: vec!["县科技局".into()],
        };
        let unknown = s
            .update_plan_item(&office, id, item.id, &edit)
            .await
            .unwrap();
        assert_eq!(unknown, vec!["县不存在局".to_string()]);
        let err = s.publish_plan(&office, id).await.unwrap_err();
        assert!(err.to_string().contains("县不存在局"), "{}: {err}", db.name);
        assert!(
            s.plan_tasks(&office, id).await.unwrap().is_empty(),
            "nothing published"
        );

        let fixed = ItemEdit {
            lead: vec!["县经济和信息化局".into()],
            ..edit
        };
        assert!(
            s.update_plan_item(&office, id, item.id, &fixed)
                .await
                .unwrap()
                .is_empty()
        );
        s.publish_plan(&office, id).await.unwrap();
        let tasks = s.plan_tasks(&office, id).await.unwrap();
        let task = tasks.iter().find(|t| t.task.number == item.number).unwrap();
        assert_eq!(task.task.deadline, "2017年6月底前");
    }
}

#[tokio::test]
async fn the_task_sheet_round_trips_and_bad_sheets_write_nothing() {
    for (db, office) in county().await {
        let s = &db.store;
        let id = import_document(s, &office, SEED.as_bytes(), "plan.txt")
            .await
            .unwrap()
            .plan_id;
        s.publish_plan(&office, id).await.unwrap();
        let xlsx = plan_excel::export_plan(s, &office, id).await.unwrap();

        let copy = plan_excel::import_workbook(s, &office, &xlsx, "edited.xlsx")
            .await
            .unwrap();
        let a = s.plan_items(&office, id).await.unwrap();
        let b = s.plan_items(&office, copy).await.unwrap();
        assert_eq!(a.len(), b.len(), "{}", db.name);
        for ((ia, ua), (ib, ub)) in a.iter().zip(&b) {
            assert_eq!(ia.number, ib.number);
            let names = |u: &Vec<qx_store::plans::ItemUnit>| {
                u.iter()
                    .map(|x| (x.name.clone(), x.role))
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(ua), names(ub), "units of {}", ia.number);
        }
        let ta = s.plan_targets(&office, id).await.unwrap();
        let tb = s.plan_targets(&office, copy).await.unwrap();
        let plan_level = |t: &Vec<qx_store::plans::PlanTarget>| {
            t.iter()
                .filter(|x| x.level == qx_core::indicator::TargetLevel::Plan)
                .map(|x| {
                    (
                        x.name.clone(),
                        x.value.clone(),
                        x.unit.clone(),
                        x.kind,
                        x.unit_id,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(plan_level(&ta), plan_level(&tb));
        let copied = s.get_plan(&office, copy).await.unwrap();
        assert_eq!(copied.title, s.get_plan(&office, id).await.unwrap().title);
        assert_eq!(copied.status.as_str(), "draft");

        // Break three cells: an unknown unit, a non-number target and a duplicate 序号.
        let broken = break_workbook(&xlsx);
        let before = plan_count(s).await;
        let err = plan_excel::import_workbook(s, &office, &broken, "broken.xlsx")
            .await
            .unwrap_err();
        let AppError::Rows(rows) = err else {
            panic!("row errors expected: {err}")
        };
        let all = rows.join("\n");
        assert!(
            all.contains("县火星局") && all.contains("不在单位登记表中"),
            "{all}"
        );
        assert!(all.contains("主要指标 第2行 E列 \"目标值\""), "{all}");
        assert!(all.contains("重复"), "{all}");
        assert_eq!(
            plan_count(s).await,
            before,
            "{}: nothing half-written",
            db.name
        );
    }
}

#[tokio::test]
async fn a_date_cell_reads_as_a_date_in_the_plan_workbook() {
    for (db, office) in county().await {
        let s = &db.store;
        let id = import_document(s, &office, SEED.as_bytes(), "plan.txt")
            .await
            .unwrap()
            .plan_id;
        let xlsx = plan_excel::export_plan(s, &office, id).await.unwrap();
        let dated = with_date_cell(&xlsx, plan_excel::META_SHEET, "成文日期");
        let copy = plan_excel::import_workbook(s, &office, &dated, "dated.xlsx")
            .await
            .unwrap();
        let plan = s.get_plan(&office, copy).await.unwrap();
        assert_eq!(plan.issued_on.as_deref(), Some("2017-04-13"), "{}", db.name);
    }
}

/// Rewrites a workbook with the value next to `key` on `sheet` as an Excel date (a number
/// formatted as a date), as Excel stores a date someone typed.
fn with_date_cell(xlsx: &[u8], sheet: &str, key: &str) -> Vec<u8> {
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 4, 13).unwrap();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet().set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let keyed =
                    name == sheet && c == 1 && matches!(&row[0], Data::String(k) if k == key);
                if keyed {
                    ws.write_datetime_with_format(r as u32, c as u16, &date, &date_format)
                        .unwrap();
                    continue;
                }
                let v = match cell {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                };
                ws.write(r as u32, c as u16, v.as_str()).unwrap();
            }
        }
    }
    out.save_to_buffer().unwrap()
}

/// Rewrites the exported workbook with three bad cells, as a careless editor would.
fn break_workbook(xlsx: &[u8]) -> Vec<u8> {
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet().set_name(&name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let mut v = match cell {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                };
                if name == "任务分解表" && r == 5 && c == 3 {
                    v = "县火星局".into();
                }
                if name == "任务分解表" && r == 6 && c == 0 {
                    v = range.get((5, 0)).map(|d| d.to_string()).unwrap();
                }
                if name == "主要指标" && r == 1 && c == 4 {
                    v = "很多".into();
                }
                ws.write(r as u32, c as u16, v.as_str()).unwrap();
            }
        }
    }
    out.save_to_buffer().unwrap()
}
