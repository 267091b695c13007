//! `qx enterprise import|eval|export` as the office runs them on an installation: imports are
//! all or nothing with every problem named by file, row and column; the evaluation of a stored
//! year prints its run id; the export is a workbook; everything is audited as the system.

use crate::common;

use common::{qx, text};
use qx_core::access::Actor;
use std::path::Path;

fn code(i: u32) -> String {
    qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

const REGISTRY_HEADER: &str = "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩)\n";

fn registry() -> String {
    let mut s = String::from(REGISTRY_HEADER);
    for i in 1..=6u32 {
        let (town, scale) = if i <= 3 {
            ("石浦镇", "规上")
        } else {
            ("西周镇", "规下")
        };
        s.push_str(&format!(
            "{},企业{i}有限公司,{town},3411,{scale},{}\n",
            code(i),
            10 * i
        ));
    }
    s
}

fn facts() -> String {
    let mut s = String::from(
        "统一社会信用代码,用地面积(亩),实缴税金(万元),工业增加值(万元),综合能耗(吨标准煤),年平均职工人数(人),用电量(万千瓦时)\n",
    );
    for i in 1..=6u32 {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            code(i),
            10 * i,
            100 * i * i,
            800 * i,
            300 * i,
            20 * i,
            50 * i
        ));
    }
    s
}

/// Enterprises and audit actions in the installation's database.
fn inspect(db: &Path) -> (usize, Vec<(String, String)>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = qx_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let n = store
            .list_enterprises(&Actor::system())
            .await
            .unwrap()
            .len();
        let audit = qx_store::testing::audit_entries(&store, "e")
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.action, a.actor))
            .collect();
        store.close().await;
        (n, audit)
    })
}

#[test]
fn import_evaluate_and_export_a_data_year() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A bad registry: every problem with file, row and column; nothing written; exit non-zero.
    let bad = format!(
        "{REGISTRY_HEADER}{},坏企业,石浦镇,3411,规上,10\n{},零用地,石浦镇,3411,规上,0\n{},无名镇,火星镇,3411,规上,5\n",
        "91330225MA2J4X2M2C",
        code(90),
        code(91)
    );
    std::fs::write(d.join("bad.csv"), bad).unwrap();
    let out = qx(
        &[
            "enterprise",
            "import",
            "--data-dir",
            "data",
            "--kind",
            "registry",
            "bad.csv",
        ],
        d,
    );
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("bad.csv: 第2行 \"统一社会信用代码\": 统一社会信用代码校验码错误"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv: 第3行 \"用地面积(亩)\": 必须大于0"),
        "{err}"
    );
    assert!(err.contains("bad.csv: 第4行 \"镇乡(街道)\""), "{err}");
    assert!(err.contains("3 处错误, 未写入任何数据"), "{err}");
    assert_eq!(inspect(&d.join("data/qx.db")).0, 0, "nothing written");

    std::fs::write(d.join("registry.csv"), registry()).unwrap();
    let out = qx(
        &[
            "enterprise",
            "import",
            "--data-dir",
            "data",
            "--kind",
            "registry",
            "registry.csv",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("新增 6 家"),
        "{}",
        text(&out.stderr)
    );

    // Facts need a year, and a code that is not registered is named with its row.
    std::fs::write(d.join("facts.csv"), facts()).unwrap();
    let out = qx(
        &[
            "enterprise",
            "import",
            "--data-dir",
            "data",
            "--kind",
            "facts",
            "facts.csv",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--year"));
    let unknown = facts().replace(&code(6), &code(66));
    std::fs::write(d.join("unknown.csv"), unknown).unwrap();
    let out = qx(
        &[
            "enterprise",
            "import",
            "--data-dir",
            "data",
            "--kind",
            "facts",
            "--year",
            "2016",
            "unknown.csv",
        ],
        d,
    );
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("unknown.csv: 第7行 \"统一社会信用代码\": 企业未登记"),
        "{err}"
    );
    let out = qx(
        &["enterprise", "eval", "--data-dir", "data", "--year", "2016"],
        d,
    );
    assert!(!out.status.success(), "no facts stored for 2016 yet");
    assert!(
        text(&out.stderr).contains("没有企业数据"),
        "{}",
        text(&out.stderr)
    );

    let out = qx(
        &[
            "enterprise",
            "import",
            "--data-dir",
            "data",
            "--kind",
            "facts",
            "--year",
            "2016",
            "facts.csv",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = qx(
        &[
            "enterprise",
            "eval",
            "--data-dir",
            "data",
            "--year",
            "2016",
            "--publicity-from",
            "2017-05-02",
            "--publicity-to",
            "2017-05-09",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let run: i64 = text(&out.stdout).trim().parse().expect("run id on stdout");
    assert!(
        text(&out.stderr).contains("6 家企业"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stderr).contains("已开始公示"));

    let out = qx(
        &[
            "enterprise",
            "export",
            "--data-dir",
            "data",
            "--year",
            "2016",
            "--out",
            "eval.xlsx",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(d.join("eval.xlsx")).unwrap();
    let results = wb.worksheet_range("评价结果").unwrap();
    assert_eq!(results.height(), 7, "header and six firms");
    let out = qx(
        &[
            "enterprise",
            "export",
            "--data-dir",
            "data",
            "--run",
            &(run + 100).to_string(),
            "--out",
            "none.xlsx",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(!d.join("none.xlsx").exists());

    let (n, audit) = inspect(&d.join("data/qx.db"));
    assert_eq!(n, 6);
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    for want in [
        "enterprise.import",
        "enterprise.facts_import",
        "eval.run",
        "eval.status",
    ] {
        assert!(actions.contains(&want), "{want} in {actions:?}");
    }
    assert!(
        audit.iter().all(|(_, actor)| actor == "system"),
        "{audit:?}"
    );
}
