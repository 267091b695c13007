//! The county's own 重大项目库 list through `project_excel` on every engine: a two-row merged
//! header with a title above, 万元/亿元 mixed, full-width digits, blank and section rows read;
//! every bad cell named and nothing written; the export reads back as updates of the same
//! projects.

use crate::common::{user, user_of};
use qx_app::AppError;
use qx_app::project_excel::{export_projects, import_projects};
use qx_core::access::Role;
use qx_core::project::{CapitalKind, Stage};
use qx_store::Store;
use rust_xlsxwriter::{Format, Workbook};

/// Rows of the tables an import writes.
async fn counts(store: &Store) -> [i64; 4] {
    let mut out = [0; 4];
    for (i, sql) in [
        "SELECT COUNT(*) FROM projects",
        "SELECT COUNT(*) FROM project_stages",
        "SELECT COUNT(*) FROM project_events",
        "SELECT COUNT(*) FROM audit_log",
    ]
    .into_iter()
    .enumerate()
    {
        out[i] = sqlx::query_scalar(sql)
            .fetch_one(store.pool())
            .await
            .unwrap();
    }
    out
}

/// A list laid out as the county keeps it: a title, a header over rows 3–4 with `计划进度`
/// merged over its stages and the rest merged down, a blank row, a section row, then projects
/// (Excel rows 6 on). `rows` are the project rows' cells from column A.
fn county_list(rows: &[[&str; 10]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("重大项目").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 9, "象山县2017年亿元以上重大项目库", &f)
        .unwrap();
    for (c, h) in [
        "序号",
        "项目名称",
        "项目业主",
        "所在镇乡",
        "资金来源",
        "总投资（亿元）",
        "责任单位",
    ]
    .iter()
    .enumerate()
    {
        ws.merge_range(2, c as u16, 3, c as u16, h, &f).unwrap();
    }
    ws.merge_range(2, 7, 2, 9, "计划进度", &f).unwrap();
    for (c, h) in ["签约", "开工", "投产"].iter().enumerate() {
        ws.write(3, 7 + c as u16, *h).unwrap();
    }
    ws.write(5, 0, "一、工业项目").unwrap();
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if !v.is_empty() {
                ws.write(6 + i as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const GOOD: [[&str; 10]; 3] = [
    [
        "1",
        "年产5万吨新材料项目",
        "甲新材料有限公司",
        "石浦镇",
        "外资",
        "２．５",
        "县经信局",
        "2017-03",
        "2017年6月",
        "",
    ],
    [
        "2",
        "智能装备产业园",
        "乙装备集团",
        "县经济开发区",
        "",
        "8000万元",
        "县商务局",
        "",
        "2017/9/15",
        "",
    ],
    [
        "3",
        "小型技改项目",
        "丙机械厂",
        "",
        "内资",
        "0.6",
        "县经信局",
        "",
        "",
        "",
    ],
];

#[tokio::test]
async fn the_countys_list_reads_in_and_the_export_reads_back_as_the_same_projects() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        let units = qx_demo::registry::seed_registry(s).await.unwrap();
        let id = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
        let office = user_of(s, "office", Role::Admin, id("县工业强县办")).await;
        let summary = import_projects(s, &office, &county_list(&GOOD), "list.xlsx", 2017)
            .await
            .unwrap();
        assert_eq!((summary.created, summary.updated), (3, 0), "{}", db.name);
        let library = s.project_library(&office).await.unwrap();
        assert_eq!(library.len(), 3);
        let p = &library[0];
        assert_eq!(p.project.name, "年产5万吨新材料项目");
        assert_eq!(p.project.total_investment_wan, 25_000.0, "2.5 亿元 in 万元");
        assert_eq!(p.project.capital_kind, CapitalKind::Foreign);
        assert_eq!(p.project.town_id, Some(id("石浦镇")));
        assert_eq!(p.project.unit_id, id("县经信局"));
        assert_eq!(p.project.stage, Stage::Negotiating);
        assert_eq!(p.planned[1].as_deref(), Some("2017-03-31"));
        assert_eq!(p.planned[3].as_deref(), Some("2017-06-30"), "开工 by June");
        assert_eq!(library[1].project.total_investment_wan, 8_000.0);
        assert_eq!(library[1].project.town_id, Some(id("县经济开发区")));
        assert_eq!(library[1].planned[3].as_deref(), Some("2017-09-15"));
        assert_eq!(library[2].project.town_id, None);

        // The export reads back: every row matches its project by name and town.
        s.update_project(
            &office,
            p.project.id,
            &qx_store::projects::ProjectInput {
                completed_wan: Some(1_234.0),
                ..input_of(p)
            },
        )
        .await
        .unwrap();
        let exported = export_projects(s, &office).await.unwrap();
        let before = counts(s).await;
        let again = import_projects(s, &office, &exported, "library.xlsx", 2017)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated), (0, 3), "{}", db.name);
        let after = s.project_library(&office).await.unwrap();
        assert_eq!(after.len(), 3);
        for (a, b) in library.iter().zip(&after) {
            assert_eq!(a.project.name, b.project.name);
            assert_eq!(
                a.project.total_investment_wan,
                b.project.total_investment_wan
            );
            assert_eq!(a.project.town_id, b.project.town_id);
            assert_eq!(a.project.capital_kind, b.project.capital_kind);
            assert_eq!(a.planned, b.planned);
        }
        assert_eq!(after[0].project.completed_wan, Some(1_234.0));
        assert_eq!(counts(s).await[0], before[0], "no project added");
        db.discard().await.unwrap();
    }
}

fn input_of(r: &qx_store::projects::LibraryRow) -> qx_store::projects::ProjectInput {
    let p = &r.project;
    let date = |d: &Option<String>| d.as_deref().and_then(qx_core::time::parse_date);
    qx_store::projects::ProjectInput {
        year: p.year as i32,
        name: p.name.clone(),
        investor: p.investor.clone(),
        credit_code: None,
        capital_kind: p.capital_kind,
        source: p.source,
        industry: p.industry.clone(),
        town_id: p.town_id,
        total_investment_wan: p.total_investment_wan,
        foreign_contract_wusd: p.foreign_contract_wusd,
        annual_plan_wan: p.annual_plan_wan,
        completed_wan: p.completed_wan,
        land_mu: p.land_mu,
        content: p.content.clone(),
        unit_id: p.unit_id,
        contact: p.contact.clone(),
        leader_user_id: p.leader_user_id,
        planned: [
            date(&r.planned[1]),
            date(&r.planned[2]),
            date(&r.planned[3]),
            date(&r.planned[4]),
        ],
    }
}

#[tokio::test]
async fn every_bad_cell_is_named_and_nothing_is_written() {
    for db in qx_store::testing::all().await.unwrap() {
        let s = &db.store;
        qx_demo::registry::seed_registry(s).await.unwrap();
        let office = user(s, "office", Role::Admin, "县工业强县办").await;
        let before = counts(s).await;
        let mut rows = GOOD.to_vec();
        rows[1][5] = "约八千万";
        rows[2][3] = "火星镇";
        rows[2][8] = "明年";
        rows[0][4] = "港资";
        let err = import_projects(s, &office, &county_list(&rows), "list.xlsx", 2017)
            .await
            .unwrap_err();
        let AppError::Rows(problems) = err else {
            panic!("{}: expected row problems, got {err:?}", db.name)
        };
        let text = problems.join("\n");
        for want in [
            "重大项目 第8行 F列 \"总投资(亿元)\": \"约八千万\" 不是数字",
            "重大项目 第9行 D列 \"所在镇乡\": \"火星镇\" 不是本县的镇乡(街道)或园区",
            "重大项目 第9行 I列 \"计划进度开工\": \"明年\" 不是日期",
            "重大项目 第7行 E列 \"资金来源\": \"港资\" 无法识别",
        ] {
            assert!(text.contains(want), "{}: {text}\nlacks {want}", db.name);
        }
        assert_eq!(problems.len(), 4, "{text}");
        assert_eq!(counts(s).await, before, "{}: nothing written", db.name);

        // A unit may not import the county's list; a CSV is not a workbook.
        let jxj = user(s, "jxj", Role::Unit, "县经信局").await;
        let before = counts(s).await;
        assert!(
            import_projects(s, &jxj, &county_list(&GOOD), "list.xlsx", 2017)
                .await
                .is_err()
        );
        let gbk_csv = encoding_rs_gbk("项目名称,总投资,责任单位\n甲,1,县经信局\n");
        let err = import_projects(s, &office, &gbk_csv, "list.csv", 2017)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("list.csv"), "{err}");
        assert_eq!(counts(s).await, before, "{}: nothing written", db.name);
        db.discard().await.unwrap();
    }
}

/// Text in GBK, as Excel on a Chinese Windows saves a CSV.
fn encoding_rs_gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}
