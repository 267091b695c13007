//! `qx report monthly|quarterly` as the office runs it: a preview from today's data, then
//! publishing, after which the archived file is what every later run writes.

use crate::common;

use common::{qx, text};

#[test]
fn bulletins_are_previewed_published_and_then_served_from_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(d.join("plan.txt"), qx_demo::plan::SEED_PLAN).unwrap();
    let out = qx(
        &[
            "plan",
            "import",
            "--data-dir",
            "data",
            "plan.txt",
            "--publish",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A preview in each format; nothing is published.
    for format in ["docx", "xlsx", "html"] {
        let file = format!("q2.{format}");
        let out = qx(
            &[
                "report",
                "quarterly",
                "--data-dir",
                "data",
                "--quarter",
                "2017Q2",
                "--format",
                format,
                "--out",
                &file,
            ],
            d,
        );
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("预览"), "{}", text(&out.stderr));
        let bytes = std::fs::read(d.join(&file)).unwrap();
        match format {
            "html" => {
                let page = text(&bytes);
                assert!(page.contains("关于2017年第二季度全县工业强县工作推进情况的通报"));
                assert!(page.contains("（预览）"), "a preview carries no 发文字号");
            }
            _ => assert!(bytes.starts_with(b"PK"), "{format} is a zip package"),
        }
    }

    // Publishing gives the year's first 发文字号; later runs write the archived file.
    let out = qx(
        &[
            "report",
            "monthly",
            "--data-dir",
            "data",
            "--period",
            "2017-06",
            "--format",
            "html",
            "--out",
            "june.html",
            "--publish",
            "--issued-on",
            "2017-07-10",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = std::fs::read(d.join("june.html")).unwrap();
    assert!(text(&first).contains("象工强办〔2017〕1号"));
    assert!(text(&first).contains("2017年7月10日"));
    let out = qx(
        &[
            "report",
            "monthly",
            "--data-dir",
            "data",
            "--period",
            "2017-06",
            "--format",
            "html",
            "--out",
            "again.html",
            "--issued-on",
            "2018-01-01",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("已印发"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(d.join("again.html")).unwrap(), first);

    // Mistakes are named and nothing is written.
    for (args, message) in [
        (
            vec!["report", "monthly", "--period", "2017Q2", "--out", "x.docx"],
            "月度快报的期间应为月份",
        ),
        (
            vec![
                "report",
                "quarterly",
                "--quarter",
                "2017-13",
                "--out",
                "x.docx",
            ],
            "2017-13",
        ),
        (
            vec![
                "report", "monthly", "--period", "2018-01", "--out", "x.docx",
            ],
            "2018年没有已发布的工作方案",
        ),
        (
            vec![
                "report",
                "monthly",
                "--period",
                "2017-07",
                "--out",
                "no/such/dir/x.docx",
            ],
            "无法写入",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["--data-dir", "data"]);
        let out = qx(&args, d);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert!(!d.join("x.docx").exists());
}
