//! A unit's monthly report through the Excel template (报送模板), on every engine: download
//! pre-filled, upload back as draft or submission; every bad cell named, nothing half-written.

use crate::common::{published_seed_plan, user};
use calamine::{Data, Reader};
use qx_app::AppError;
use qx_app::monitoring_excel::{export_template, import_template};
use qx_core::access::{Actor, Role};
use qx_core::period::Period;
use qx_store::StoreError;
use qx_store::monitoring::SubmissionInput;
use qx_store::testing;
use rust_xlsxwriter::Workbook;

struct County {
    db: testing::TestDb,
    office: Actor,
    reviewer: Actor,
    jxj: Actor,
    plan: i64,
}

async fn counties() -> Vec<County> {
    let mut out = Vec::new();
    for db in testing::all().await.unwrap() {
        let (office, plan) = published_seed_plan(&db.store).await;
        let reviewer = user(&db.store, "office2", Role::Admin, "县工业强县办").await;
        let jxj = user(&db.store, "jxj1", Role::Unit, "县经信局").await;
        out.push(County {
            db,
            office,
            reviewer,
            jxj,
            plan,
        });
    }
    out
}

/// A filled-in workbook laid out like the template: 指标 rows (编号, 本期累计, 说明), 任务 rows
/// (编号, 进展情况, 自评状态) and, when given, the 填报说明 sheet naming unit and period.
pub(crate) fn workbook(
    indicators: &[(String, &str, &str)],
    tasks: &[(String, &str, &str)],
    info: Option<(i64, &str, &str)>,
) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("指标").unwrap();
    for (c, h) in [
        "编号",
        "指标",
        "单位",
        "年度目标",
        "上期累计",
        "本期累计",
        "说明",
    ]
    .iter()
    .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, (id, value, note)) in indicators.iter().enumerate() {
        let row = (r + 1) as u32;
        ws.write(row, 0, id.as_str()).unwrap();
        ws.write(row, 1, "x").unwrap();
        if !value.is_empty() {
            ws.write(row, 5, *value).unwrap();
        }
        if !note.is_empty() {
            ws.write(row, 6, *note).unwrap();
        }
    }
    let ws = wb.add_worksheet().set_name("任务").unwrap();
    for (c, h) in ["编号", "序号", "任务", "角色", "进展情况", "自评状态"]
        .iter()
        .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, (id, progress, status)) in tasks.iter().enumerate() {
        let row = (r + 1) as u32;
        ws.write(row, 0, id.as_str()).unwrap();
        ws.write(row, 1, "x").unwrap();
        if !progress.is_empty() {
            ws.write(row, 4, *progress).unwrap();
        }
        if !status.is_empty() {
            ws.write(row, 5, *status).unwrap();
        }
    }
    if let Some((unit_id, unit, period)) = info {
        let ws = wb.add_worksheet().set_name("填报说明").unwrap();
        for (r, (k, v)) in [
            ("单位", unit.to_string()),
            ("单位编号", unit_id.to_string()),
            ("报送期", period.to_string()),
        ]
        .iter()
        .enumerate()
        {
            ws.write(r as u32, 0, *k).unwrap();
            ws.write(r as u32, 1, v.as_str()).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_unit_downloads_its_template_and_uploads_it_back() {
    for c in counties().await {
        let s = &c.db.store;
        let jxj_unit = c.jxj.unit_id.unwrap();
        let may = s
            .open_period(
                &c.office,
                c.plan,
                &Period::new_month(2017, 5).unwrap(),
                "2017-06-07",
            )
            .await
            .unwrap();
        let june = s
            .open_period(
                &c.office,
                c.plan,
                &Period::new_month(2017, 6).unwrap(),
                "2017-07-07",
            )
            .await
            .unwrap();
        let mine = s
            .unit_indicators(&qx_core::access::Actor::system(), c.plan, jxj_unit)
            .await
            .unwrap();
        let tasks = s
            .unit_tasks(&qx_core::access::Actor::system(), c.plan, jxj_unit)
            .await
            .unwrap();
        assert!(mine.len() >= 2 && !tasks.is_empty(), "{}", c.db.name);
        let scale = mine.iter().find(|i| i.name == "新增规模以上企业").unwrap();
        let growth = mine.iter().find(|i| i.name == "规上工业产值增速").unwrap();

        // May is reported and approved: June's template shows it as the previous figure.
        let may_input = SubmissionInput {
            values: vec![(scale.id, "12".into(), String::new())],
            tasks: vec![],
        };
        let sub = s
            .save_submission(&c.jxj, may, jxj_unit, &may_input, true)
            .await
            .unwrap();
        s.review_submission(&c.reviewer, sub, true, "")
            .await
            .unwrap();

        let bytes = export_template(s, &c.jxj, june, jxj_unit).await.unwrap();
        let ind = sheet(&bytes, "指标");
        assert_eq!(
            ind[0],
            [
                "编号",
                "指标",
                "单位",
                "年度目标",
                "上期累计",
                "本期累计",
                "说明"
            ]
        );
        assert_eq!(ind.len(), mine.len() + 1, "one row per indicator it leads");
        let scale_row = ind.iter().find(|r| r[1] == "新增规模以上企业").unwrap();
        assert_eq!(scale_row[0], scale.id.to_string());
        assert_eq!(scale_row[4], "12 (2017-05)", "{}", c.db.name);
        let task_rows = sheet(&bytes, "任务");
        assert_eq!(task_rows.len(), tasks.len() + 1);
        assert!(
            task_rows[1..]
                .iter()
                .all(|r| r[3] == "牵头" || r[3] == "配合")
        );
        let info = sheet(&bytes, "填报说明");
        assert!(info.iter().any(|r| r[0] == "单位" && r[1] == "县经信局"));
        assert!(info.iter().any(|r| r[0] == "报送期" && r[1] == "2017-06"));

        // Another unit may not download it.
        let sp = user(s, "sp1", Role::Unit, "石浦镇").await;
        assert!(matches!(
            export_template(s, &sp, june, jxj_unit).await,
            Err(AppError::Store(StoreError::NotFound(_)))
        ));

        // The untouched template uploads as a draft, but cannot be submitted: every empty
        // figure and status is listed, and nothing changes.
        import_template(s, &c.jxj, june, jxj_unit, &bytes, "t.xlsx", false)
            .await
            .unwrap();
        let Err(AppError::Rows(rows)) =
            import_template(s, &c.jxj, june, jxj_unit, &bytes, "t.xlsx", true).await
        else {
            panic!("submitting an empty template must fail")
        };
        assert_eq!(
            rows.len(),
            mine.len() + tasks.len(),
            "{}: {rows:?}",
            c.db.name
        );
        assert!(
            rows.iter()
                .any(|r| r.starts_with("指标 第") && r.contains("F列 \"本期累计\"")),
            "{rows:?}"
        );
        assert_eq!(
            s.latest_submission(&qx_core::access::Actor::system(), june, jxj_unit)
                .await
                .unwrap()
                .unwrap()
                .status
                .as_str(),
            "draft"
        );

        // Filled in, with full-width digits and a per-cent sign, and submitted.
        let filled: Vec<(String, &str, &str)> = mine
            .iter()
            .map(|i| {
                let v = if i.id == growth.id {
                    "８.５%"
                } else if i.id == scale.id {
                    "１５"
                } else {
                    "3"
                };
                (
                    i.id.to_string(),
                    v,
                    if i.id == scale.id {
                        "含3家新投产"
                    } else {
                        ""
                    },
                )
            })
            .collect();
        let task_cells: Vec<(String, &str, &str)> = tasks
            .iter()
            .map(|(t, _)| (t.id.to_string(), "已召开专题会议部署", "按计划推进"))
            .collect();
        let upload = workbook(
            &filled,
            &task_cells,
            Some((jxj_unit, "县经信局", "2017-06")),
        );
        let id = import_template(s, &c.jxj, june, jxj_unit, &upload, "六月.xlsx", true)
            .await
            .unwrap();
        let saved = s.get_submission(&c.jxj, id).await.unwrap();
        assert_eq!(saved.status.as_str(), "submitted");
        let (values, reports) = s.submission_values(&c.jxj, id).await.unwrap();
        let value = |ind: i64| {
            values
                .iter()
                .find(|v| v.indicator_id == ind)
                .map(|v| (v.value.clone(), v.note.clone()))
        };
        assert_eq!(value(scale.id), Some(("15".into(), "含3家新投产".into())));
        assert_eq!(value(growth.id).unwrap().0, "8.5");
        assert_eq!(reports.len(), tasks.len());
        assert!(
            reports
                .iter()
                .all(|r| r.status == qx_core::monitor::TaskState::OnTrack)
        );
        let log = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    entity: Some("submission".into()),
                    entity_id: Some(id.to_string()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(log.iter().any(|r| r.action == "submission.submit"));

        // Submitted: a further upload is refused and changes nothing.
        let again = import_template(s, &c.jxj, june, jxj_unit, &upload, "六月.xlsx", false).await;
        assert!(
            matches!(again, Err(AppError::Store(StoreError::Conflict(_)))),
            "{again:?}"
        );
    }
}

#[tokio::test]
async fn every_bad_cell_is_named_and_nothing_is_saved() {
    for c in counties().await {
        let s = &c.db.store;
        let jxj_unit = c.jxj.unit_id.unwrap();
        let june = s
            .open_period(
                &c.office,
                c.plan,
                &Period::new_month(2017, 6).unwrap(),
                "2017-07-07",
            )
            .await
            .unwrap();
        let mine = s
            .unit_indicators(&qx_core::access::Actor::system(), c.plan, jxj_unit)
            .await
            .unwrap();
        let tasks = s
            .unit_tasks(&qx_core::access::Actor::system(), c.plan, jxj_unit)
            .await
            .unwrap();
        let all = s.plan_indicators(&c.office, c.plan).await.unwrap();
        let foreign = all
            .iter()
            .find(|i| i.lead_unit_id.is_some() && i.lead_unit_id != Some(jxj_unit))
            .unwrap();
        let foreign_unit = s.get_unit(foreign.lead_unit_id.unwrap()).await.unwrap();
        let foreign_task = s
            .plan_tasks(&c.office, c.plan)
            .await
            .unwrap()
            .into_iter()
            .find(|t| !t.units.iter().any(|(u, _)| *u == jxj_unit))
            .unwrap();
        let sp = user(s, "sp1", Role::Unit, "石浦镇").await;
        let audit_before = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .len();

        let indicator_rows = vec![
            (mine[0].id.to_string(), "十五家", ""), // row 2: not a number
            (mine[1].id.to_string(), "—", ""),      // row 3: placeholder on submit
            (foreign.id.to_string(), "5", ""),      // row 4: another unit's indicator
            ("999999".to_string(), "5", ""),        // row 5: unknown id
            ("abc".to_string(), "5", ""),           // row 6: id edited
            (mine[0].id.to_string(), "3", ""),      // row 7: duplicate
        ];
        let task_rows = vec![
            (tasks[0].0.id.to_string(), "推进中", "完成"), // row 2: not in the list
            (foreign_task.task.id.to_string(), "x", "已完成"), // row 3: not this unit's
        ];
        let bytes = workbook(
            &indicator_rows,
            &task_rows,
            Some((jxj_unit, "县经信局", "2017-06")),
        );
        let Err(AppError::Rows(rows)) =
            import_template(s, &c.jxj, june, jxj_unit, &bytes, "bad.xlsx", true).await
        else {
            panic!("a bad sheet must be refused")
        };
        let has = |needle: &str| rows.iter().any(|r| r.contains(needle));
        assert!(
            has("指标 第2行 F列 \"本期累计\"") && has("\"十五家\" 不是数字"),
            "{rows:?}"
        );
        assert!(
            has("指标 第3行 F列 \"本期累计\"") && has("\"—\" 表示暂无数据"),
            "{rows:?}"
        );
        assert!(
            has(&format!(
                "指标 第4行 A列 \"编号\": 指标 \"{}\" 由 {} 报送",
                foreign.name, foreign_unit.name
            )),
            "{rows:?}"
        );
        assert!(has(
            "指标 第5行 A列 \"编号\": 编号 999999 不是本期方案的指标"
        ));
        assert!(has("指标 第6行 A列 \"编号\": 编号 \"abc\" 无效"));
        assert!(
            has("指标 第7行 A列 \"编号\"") && has("重复出现"),
            "{rows:?}"
        );
        assert!(
            has("任务 第2行 F列 \"自评状态\"")
                && has("\"完成\" 应为 按计划推进、进度滞后、已完成、未启动"),
            "{rows:?}"
        );
        assert!(has("任务 第3行 A列 \"编号\""), "{rows:?}");
        assert!(
            has("缺少指标"),
            "missing rows are listed on submit: {rows:?}"
        );

        // Whole files that are not templates.
        let garbage = import_template(
            s,
            &c.jxj,
            june,
            jxj_unit,
            b"PK\x03\x04 not really",
            "g.xlsx",
            false,
        )
        .await;
        assert!(
            matches!(&garbage, Err(AppError::Invalid(m)) if m.contains("g.xlsx") && m.contains("不是可读取的Excel文件")),
            "{garbage:?}"
        );
        let csv = import_template(s, &c.jxj, june, jxj_unit, b"a,b\n1,2\n", "r.csv", false).await;
        assert!(matches!(&csv, Err(AppError::Invalid(m)) if m.contains(".xlsx")));
        let big = vec![0u8; qx_app::monitoring_excel::MAX_TEMPLATE_BYTES + 1];
        let big = import_template(s, &c.jxj, june, jxj_unit, &big, "big.xlsx", false).await;
        assert!(matches!(&big, Err(AppError::Invalid(m)) if m.contains("超过 5 MB")));

        // Another unit's template (by its 填报说明) is refused as a whole.
        let theirs = workbook(
            &[(mine[0].id.to_string(), "1", "")],
            &[],
            Some((foreign_unit.id, &foreign_unit.name, "2017-06")),
        );
        let Err(AppError::Rows(rows)) =
            import_template(s, &c.jxj, june, jxj_unit, &theirs, "t.xlsx", false).await
        else {
            panic!("another unit's template must be refused")
        };
        assert!(
            rows[0].contains(&format!("这是 {} 的模板", foreign_unit.name)),
            "{rows:?}"
        );
        let other_month = workbook(
            &[(mine[0].id.to_string(), "1", "")],
            &[],
            Some((jxj_unit, "县经信局", "2017-05")),
        );
        let Err(AppError::Rows(rows)) =
            import_template(s, &c.jxj, june, jxj_unit, &other_month, "t.xlsx", false).await
        else {
            panic!("another period's template must be refused")
        };
        assert!(rows[0].contains("这是 2017-05 的模板"), "{rows:?}");

        // Nor may another unit upload for 县经信局.
        let good = workbook(&[(mine[0].id.to_string(), "1", "")], &[], None);
        assert!(matches!(
            import_template(s, &sp, june, jxj_unit, &good, "t.xlsx", false).await,
            Err(AppError::Store(StoreError::Forbidden(_)))
        ));

        // Nothing at all was written.
        assert!(
            s.latest_submission(&qx_core::access::Actor::system(), june, jxj_unit)
                .await
                .unwrap()
                .is_none(),
            "{}",
            c.db.name
        );
        let audit_after = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .len();
        assert_eq!(audit_before, audit_after, "no audit entry either");

        // The same content, fixed, is accepted as a draft.
        let fixed = workbook(
            &[
                (mine[0].id.to_string(), "15", ""),
                (mine[1].id.to_string(), "", ""),
            ],
            &[(tasks[0].0.id.to_string(), "推进中", "已完成")],
            Some((jxj_unit, "县经信局", "2017-06")),
        );
        import_template(s, &c.jxj, june, jxj_unit, &fixed, "t.xlsx", false)
            .await
            .unwrap();
    }
}
