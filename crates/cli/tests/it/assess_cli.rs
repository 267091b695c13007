//! `qx assess run|export` as the office runs them: a month is refused, a bad scheme file is
//! named by its field, a year is scored (the ranking printed per scheme with its version) and
//! written as a workbook, and a stored run exported again.

use crate::common;

use common::{qx, text};

#[test]
fn assess_run_prints_the_ranking_and_writes_the_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(d.join("plan.txt"), qx_demo::plan::SEED_PLAN).unwrap();
    let out = qx(
        &[
            "plan",
            "import",
            "plan.txt",
            "--publish",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = qx(
        &[
            "assess",
            "run",
            "--year",
            "2017",
            "--quarter",
            "2017-06",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("不按月考核"),
        "{}",
        text(&out.stderr)
    );

    let mut bad = qx_app::assessment::bulletin_schemes(2017)[0].clone();
    bad.items[1].weight = 0.0;
    std::fs::write(d.join("bad.json"), bad.to_json()).unwrap();
    let out = qx(
        &[
            "assess",
            "run",
            "--year",
            "2017",
            "--scheme",
            "bad.json",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("items[1].weight"),
        "{}",
        text(&out.stderr)
    );

    let out = qx(
        &[
            "assess",
            "run",
            "--year",
            "2017",
            "--out",
            "out",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    // A year with no annual scheme is scored under the annual defaults (their own names).
    assert!(printed.contains("部门年度综合排名 (第1版)"), "{printed}");
    assert!(printed.contains("县经信局"), "{printed}");
    // A preliminary run's files say so in their names.
    let book = std::fs::read(d.join("out/考核初步结果-2017.xlsx")).unwrap();
    assert!(book.starts_with(b"PK"));
    let doc = std::fs::read(d.join("out/考核初步结果-2017.docx")).unwrap();
    assert!(doc.starts_with(b"PK"));

    let out = qx(
        &[
            "assess",
            "export",
            "--run",
            "1",
            "--out",
            "again.xlsx",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read(d.join("again.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    let out = qx(
        &[
            "assess",
            "export",
            "--run",
            "1",
            "--out",
            "again.docx",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read(d.join("again.docx"))
            .unwrap()
            .starts_with(b"PK")
    );
    let out = qx(
        &[
            "assess",
            "export",
            "--run",
            "1",
            "--out",
            "again.pdf",
            "--data-dir",
            "data",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(".xlsx 或 .docx"),
        "{}",
        text(&out.stderr)
    );
}
