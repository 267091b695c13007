//! `qx cultivation import|export` as the office runs them: a list read and matched stays
//! pending (nothing entered) unless `--confirm`; close names are listed, not taken; the export
//! is a workbook with a sheet per pipeline and the per-town summary.

use crate::common;

use common::{qx, text};

fn code(i: u32) -> String {
    qx_core::codes::CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn import_a_list_pending_then_confirmed_and_export_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let registry = format!(
        "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模\n{},宁波申菱电梯配件有限公司,石浦镇,3411,规上\n{},象山合力机械有限公司,西周镇,3411,规上\n",
        code(1),
        code(2)
    );
    std::fs::write(d.join("registry.csv"), registry).unwrap();
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
    let list = format!(
        "企业名称,统一社会信用代码,证书编号,认定日期\n宁波申菱电梯配件有限公司,{},GR1,2017-11-13\n合力机械股份有限公司,,GR2,2017-11-13\n",
        code(1)
    );
    std::fs::write(d.join("gx.csv"), list).unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "cultivation",
            "import",
            "--data-dir",
            "data",
            "--pipeline",
            "gxjs",
        ];
        args.extend_from_slice(extra);
        args.push("gx.csv");
        qx(&args, d)
    };
    let out = import(&[]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("已匹配 1, 待选择 1, 无法匹配 0"), "{said}");
    assert!(
        said.contains("象山合力机械有限公司"),
        "the close name proposed: {said}"
    );
    assert!(said.contains("/cultivation/imports/1"), "{said}");

    let export = |file: &str| {
        let out = qx(
            &[
                "cultivation",
                "export",
                "--data-dir",
                "data",
                "--pipeline",
                "gxjs",
                "--out",
                file,
            ],
            d,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        std::fs::read(d.join(file)).unwrap()
    };
    let before = export("before.xlsx");
    assert!(before.starts_with(b"PK"));

    let out = import(&["--confirm"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(said.contains("新入库 1"), "{said}");
    assert!(said.contains("未选择企业, 不导入"), "{said}");
    let after = export("after.xlsx");
    let mut wb =
        qx_upload::Workbook::open("after.xlsx", &after, &qx_upload::Limits::default()).unwrap();
    assert!(wb.sheet_names().iter().any(|s| s == "分镇汇总"));
    let sheet = wb.read_sheet("高新技术企业").unwrap();
    let cells: Vec<String> = sheet
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| format!("{:?}", c.value)))
        .collect();
    assert!(
        cells.iter().any(|c| c.contains("宁波申菱电梯配件有限公司")),
        "{cells:?}"
    );

    let out = qx(
        &[
            "cultivation",
            "import",
            "--data-dir",
            "data",
            "--pipeline",
            "nope",
            "gx.csv",
        ],
        d,
    );
    assert!(!out.status.success());
}
