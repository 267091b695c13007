//! `qx eval` end to end: the real binary on files, as an analyst runs it (shared/contracts/eval.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const QX: &str = env!("CARGO_BIN_EXE_qx");
const WORKED_INPUT: &str = include_str!("../../../eval/fixtures/worked_example.csv");
const WORKED_EXPECTED: &str = include_str!("../../../eval/fixtures/worked_example_expected.csv");
const HEADER: &str = "uscc,name,scale,land_mu,tax_wan,added_value_wan,energy_tce,emission_t,employees,rd_wan,revenue_wan,electricity_wkwh";

/// A fresh directory per test under the system temp dir.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qx-eval-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn qx(args: &[&str], input: &Path, out: &Path) -> Output {
    Command::new(QX)
        .arg("eval")
        .arg("--input")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .expect("run qx")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A valid 统一社会信用代码 for row `i`.
fn code(i: u64) -> String {
    qx_eval::generate::credit_code(99, i)
}

/// Rows of valid 规下 firms with real codes, one per (land, tax, kWh).
fn below_rows(rows: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("uscc,scale,land_mu,tax_wan,electricity_wkwh\n");
    for (i, (land, tax, kwh)) in rows.iter().enumerate() {
        s.push_str(&format!("{},below,{land},{tax},{kwh}\n", code(i as u64)));
    }
    s
}

/// Runs a failing case and checks that it fails, says `expected`, and writes nothing.
fn assert_rejected(name: &str, input: &[u8], args: &[&str], expected: &[&str]) {
    let dir = workdir(name);
    let input_path = dir.join("facts.csv");
    std::fs::write(&input_path, input).expect("write input");
    let out = dir.join("results.csv");
    let o = qx(args, &input_path, &out);
    let err = stderr(&o);
    assert!(!o.status.success(), "{name}: should fail\n{err}");
    for e in expected {
        assert!(
            err.contains(e),
            "{name}: stderr should contain {e:?}:\n{err}"
        );
    }
    assert!(o.stdout.is_empty(), "{name}: nothing on stdout");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "facts.csv")
        .collect();
    assert!(
        left.is_empty(),
        "{name}: no output file may exist, found {left:?}"
    );
}

#[test]
fn worked_example_byte_for_byte() {
    let dir = workdir("worked");
    let input = dir.join("facts.csv");
    std::fs::write(&input, WORKED_INPUT).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&["--no-uscc-check"], &input, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout on success");
    assert_eq!(
        std::fs::read_to_string(&out).expect("results"),
        WORKED_EXPECTED
    );
}

#[test]
fn messy_but_readable_input_gives_the_same_results() {
    // BOM, CRLF, columns reordered, an unknown column, full-width digits, thousands separators
    // (quoted, so the csv-crate path runs too), spaces and a trailing blank line.
    let mut s = String::from("\u{feff}备注,scale,uscc,land_mu,tax_wan,electricity_wkwh,name\r\n");
    s.push_str("x,below,S1,１０,150, 500 ,子\r\n");
    s.push_str("\"y, z\",below,S2,6,30,200,丑\r\n");
    s.push_str(",below,S3,4,3,\"6,0\",寅\r\n");
    s.push_str("\r\n");
    let dir = workdir("messy");
    let input = dir.join("facts.csv");
    // "6,0" is not a valid grouping: first check it is rejected, then fix it.
    std::fs::write(&input, &s).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&["--no-uscc-check"], &input, &out);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("第4行 \"electricity_wkwh\": 千分位分隔符位置不对, 实际为 \"6,0\""),
        "{}",
        stderr(&o)
    );
    std::fs::write(&input, s.replace("\"6,0\"", "6０")).expect("write");
    let o = qx(&["--no-uscc-check"], &input, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = std::fs::read_to_string(&out).expect("results");
    let expected_below: Vec<&str> = WORKED_EXPECTED
        .lines()
        .filter(|l| l.contains(",below,"))
        .collect();
    let got_below: Vec<&str> = got.lines().skip(1).collect();
    assert_eq!(got_below, expected_below);
}

#[test]
fn thousands_separators_and_full_width_digits() {
    let input = below_rows(&[("1,000", "１２，０００", "40000"), ("500", "3000", "20000")]);
    // Unquoted "1,000" would split the row: quote the grouped numbers as spreadsheets do.
    let input = input.replacen("1,000", "\"1,000\"", 1);
    let dir = workdir("grouping");
    let path = dir.join("facts.csv");
    std::fs::write(&path, input).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&[], &path, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = std::fs::read_to_string(&out).expect("results");
    // 12000/1000 = 12 万元/亩 → 12/11.5932×50 = 51.7545.
    assert!(got.contains(",51.7545,"), "{got}");
}

#[test]
fn missing_required_column() {
    let input = "uscc,scale,tax_wan\nE1,above,10\n";
    assert_rejected(
        "missing-column",
        input.as_bytes(),
        &["--no-uscc-check"],
        &["缺少必需的列: land_mu", "missing required columns"],
    );
}

#[test]
fn zero_land_names_line_and_column() {
    let input = below_rows(&[("10", "150", "500"), ("0", "30", "200")]);
    assert_rejected(
        "zero-land",
        input.as_bytes(),
        &[],
        &[
            "第3行 \"land_mu\": 必须大于0, 实际为 \"0\" (line 3, column \"land_mu\": must be greater than 0, got \"0\")",
            "1 处错误",
        ],
    );
}

#[test]
fn non_numeric_cell() {
    let input = below_rows(&[
        ("10", "150", "500"),
        ("6", "abc", "200"),
        ("6", "30万元", "200"),
    ]);
    assert_rejected(
        "non-numeric",
        input.as_bytes(),
        &[],
        &[
            "第3行 \"tax_wan\": 不是有效的数字, 无数据请留空, 实际为 \"abc\"",
            "第4行 \"tax_wan\": 请只填数字, 单位见列名, 实际为 \"30万元\"",
        ],
    );
}

#[test]
fn duplicate_uscc() {
    let mut input = below_rows(&[("10", "150", "500"), ("6", "30", "200")]);
    input.push_str(&format!("{},below,4,3,60\n", code(0)));
    assert_rejected(
        "duplicate",
        input.as_bytes(),
        &[],
        &[&format!(
            "第4行 \"uscc\": 与第2行重复, 实际为 \"{}\"",
            code(0)
        )],
    );
}

#[test]
fn bad_check_digit() {
    let input = "uscc,scale,land_mu,tax_wan\n914403001922038217,below,10,150\n";
    assert_rejected(
        "bad-uscc",
        input.as_bytes(),
        &[],
        &[
            "第2行 \"uscc\": 统一社会信用代码校验码错误: 第18位应为 \"6\", 此为 \"7\", 实际为 \"914403001922038217\"",
        ],
    );
}

#[test]
fn bad_scale_and_wrong_field_count() {
    let input = format!("{HEADER}\nE1,甲,big,30,900,,,,,,,\nE2,乙,above,30,900\n");
    assert_rejected(
        "bad-scale",
        input.as_bytes(),
        &["--no-uscc-check"],
        &[
            "第2行 \"scale\": 应为 above(规上) 或 below(规下), 实际为 \"big\"",
            "第3行: 有5列, 表头有12列",
        ],
    );
}

#[test]
fn empty_file() {
    assert_rejected(
        "empty",
        b"",
        &[],
        &["输入文件为空", "the input file is empty"],
    );
    assert_rejected("header-only", HEADER.as_bytes(), &[], &["没有数据行"]);
}

#[test]
fn gbk_file_gets_a_clear_message() {
    // "E1,象山甲,above,30,900" with the Chinese name in GBK: 象 D7 F3, 山 C9 BD, 甲 BC D7.
    let mut input = b"uscc,name,scale,land_mu,tax_wan\nE1,".to_vec();
    input.extend_from_slice(&[0xD7, 0xF3, 0xC9, 0xBD, 0xBC, 0xD7]);
    input.extend_from_slice(b",above,30,900\n");
    assert_rejected(
        "gbk",
        &input,
        &["--no-uscc-check"],
        &[
            "第2行不是有效的 UTF-8 文本, 文件似乎是 GBK/GB18030 编码",
            "save the file as CSV UTF-8",
        ],
    );
}

#[test]
fn skip_invalid_writes_the_side_file_and_evaluates_the_rest() {
    let mut input = String::from(WORKED_INPUT);
    input.push_str("E6,己,above,0,10,,,,,,,\n");
    input.push_str("E7,庚,above,12,x,,,,,,,\n");
    let dir = workdir("skip");
    let path = dir.join("facts.csv");
    std::fs::write(&path, &input).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&["--no-uscc-check", "--skip-invalid"], &path, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("已跳过 2 行"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).expect("results"),
        WORKED_EXPECTED
    );
    let side = std::fs::read_to_string(dir.join("results.errors.csv")).expect("side file");
    let lines: Vec<&str> = side.lines().collect();
    assert_eq!(lines[0], format!("line,error,{HEADER}"));
    assert!(
        lines[1].starts_with("10,\"第10行 \"\"land_mu\"\": 必须大于0"),
        "{side}"
    );
    assert!(lines[1].ends_with(",E6,己,above,0,10,,,,,,,"), "{side}");
    assert!(lines[2].starts_with("11,"), "{side}");
    assert_eq!(lines.len(), 3);
}

#[test]
fn invalid_scheme_is_explained() {
    let dir = workdir("bad-scheme");
    let scheme = dir.join("scheme.toml");
    std::fs::write(
        &scheme,
        qx_eval::scheme::DEFAULT_SCHEME_TOML
            .replace("weight = 30\n", "")
            .replace("max_pct = 0.60", "max_pct = 0.10"),
    )
    .expect("write");
    let input = dir.join("facts.csv");
    std::fs::write(&input, WORKED_INPUT).expect("write");
    let out = dir.join("results.csv");
    let o = qx(
        &[
            "--no-uscc-check",
            "--scheme",
            scheme.to_str().expect("utf-8 path"),
        ],
        &input,
        &out,
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("items[1] (tax_per_mu).weight: 缺少权重 (weight missing)"),
        "{err}"
    );
    assert!(
        err.contains("classes[2].max_pct: 档次上限必须递增"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn overrides_add_original_class_and_reason_columns() {
    let dir = workdir("override");
    let scheme = dir.join("scheme.toml");
    std::fs::write(
        &scheme,
        format!(
            "{}\n[[overrides]]\nuscc = \"E3\"\nclass = \"B\"\nreason = \"重点培育企业, 县政府专题会议纪要〔2023〕5号\"\n",
            qx_eval::scheme::DEFAULT_SCHEME_TOML
        ),
    )
    .expect("write");
    let input = dir.join("facts.csv");
    std::fs::write(&input, WORKED_INPUT).expect("write");
    let out = dir.join("results.csv");
    let o = qx(
        &[
            "--no-uscc-check",
            "--scheme",
            scheme.to_str().expect("utf-8 path"),
        ],
        &input,
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let got = std::fs::read_to_string(&out).expect("results");
    let lines: Vec<&str> = got.lines().collect();
    assert!(lines[0].ends_with(",score_tax_per_kwh,original_class,adjust_reason"));
    assert_eq!(
        lines[4],
        "E3,above,36.74,4,B,6.2248,5.8754,11.8782,5.4093,7.3502,0.0000,,C,\"调档: 重点培育企业, 县政府专题会议纪要〔2023〕5号\""
    );
    assert!(
        lines[1].ends_with(",A,"),
        "unadjusted rows repeat their class: {}",
        lines[1]
    );
}

#[test]
fn a_file_of_bad_rows_is_reported_in_bounded_memory() {
    // 400 000 bad rows: half with an unreadable number (the reader drops them), half with zero
    // land (the rule check flags them). Only the first 50 problems are kept and printed; the
    // rest are counted. Keeping every message took about 0.5 KB per problem (≈ 200 MB here).
    const ROWS: u64 = 400_000;
    let dir = workdir("bounded");
    let input = dir.join("facts.csv");
    let mut s = String::with_capacity(ROWS as usize * 60);
    s.push_str("uscc,scale,land_mu,tax_wan,electricity_wkwh\n");
    for i in 0..ROWS {
        let land = if i % 2 == 0 { "abc" } else { "0" };
        s.push_str(&format!(
            "{},below,{land},{},{}\n",
            code(i),
            i % 97,
            10 + i % 50
        ));
    }
    std::fs::write(&input, &s).expect("write");
    drop(s);
    let out = dir.join("results.csv");
    let m = qx_eval::bench_support::run_measured(
        Command::new(QX)
            .arg("eval")
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(&out),
    )
    .expect("run qx");
    let err = String::from_utf8_lossy(&m.stderr).into_owned();
    assert!(!m.status.success());
    assert!(!out.exists(), "no partial output");
    let listed: Vec<&str> = err.lines().filter(|l| l.starts_with('第')).collect();
    assert_eq!(listed.len(), 50, "{err}");
    // By line: line 2 (row 0) is unreadable, line 3 has zero land.
    assert!(
        listed[0].starts_with("第2行 \"land_mu\": 不是有效的数字"),
        "{err}"
    );
    assert!(
        listed[1].starts_with("第3行 \"land_mu\": 必须大于0"),
        "{err}"
    );
    assert!(listed[49].starts_with("第51行 "), "{err}");
    assert!(
        err.contains(&format!("…… 另有 {} 处错误未列出", ROWS - 50)),
        "{err}"
    );
    assert!(err.contains(&format!("输入数据有 {ROWS} 处错误")), "{err}");
    let mib = m.max_rss_kib / 1024;
    assert!(mib < 120, "peak RSS {mib} MiB for {ROWS} bad rows");
}

#[test]
fn skip_invalid_skips_a_short_row_and_goes_on() {
    // A short row between good ones (and a long one after): both are skipped, the rest is
    // evaluated. The side file's writer used to insist on equal field counts and stopped the
    // whole run at the short row.
    let mut lines: Vec<&str> = WORKED_INPUT.lines().collect();
    lines.insert(3, "E9,短,above,30,900");
    lines.push("E8,长,above,30,900,,,,,,,,extra");
    let input = lines.join("\n") + "\n";
    let dir = workdir("skip-short");
    let path = dir.join("facts.csv");
    std::fs::write(&path, &input).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&["--no-uscc-check", "--skip-invalid"], &path, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("已跳过 2 行"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).expect("results"),
        WORKED_EXPECTED
    );
    let side = std::fs::read_to_string(dir.join("results.errors.csv")).expect("side file");
    let rows: Vec<&str> = side.lines().collect();
    assert_eq!(rows.len(), 3, "{side}");
    assert_eq!(
        rows[1],
        "4,\"第4行: 有5列, 表头有12列 (line 4: the row has 5 fields, the header has 12)\",E9,短,above,30,900"
    );
    assert!(
        rows[2].starts_with("11,\"第11行: 有13列, 表头有12列"),
        "{side}"
    );
    assert!(
        rows[2].ends_with(",E8,长,above,30,900,,,,,,,,extra"),
        "{side}"
    );
}

#[test]
fn a_header_of_100000_columns_gives_a_short_message() {
    // Listing every column of the header made a 789 KB message; the names are now summarised.
    let dir = workdir("wide");
    let path = dir.join("facts.csv");
    let header: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let row = vec!["1"; 100_000];
    std::fs::write(&path, format!("{}\n{}\n", header.join(","), row.join(","))).expect("write");
    let out = dir.join("results.csv");
    let o = qx(&[], &path, &out);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.len() < 2048, "{} bytes of stderr:\n{err}", err.len());
    assert!(
        err.contains("缺少必需的列: uscc, scale, land_mu, tax_wan"),
        "{err}"
    );
    assert!(err.contains("c0, c1, c2"), "{err}");
    assert!(err.contains("…另有 99980 列 (and 99980 more)"), "{err}");
    assert!(!out.exists());
}

#[test]
fn a_huge_cell_is_shown_only_in_part() {
    // A 100 KB cell in a number column, and a 100 KB header name given twice: each message
    // shows the start and the length, never the whole cell.
    let long = "x".repeat(100_000);
    let cut = format!("\"{}…(共100000字)\"", "x".repeat(40));
    let dir = workdir("huge-cell");
    let path = dir.join("facts.csv");
    let out = dir.join("results.csv");
    std::fs::write(&path, format!("{HEADER}\nE1,甲,above,{long},900,,,,,,,\n")).expect("write");
    let o = qx(&["--no-uscc-check"], &path, &out);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.len() < 1024, "{} bytes of stderr:\n{err}", err.len());
    assert!(err.contains("第2行 \"land_mu\": 不是有效的数字"), "{err}");
    assert!(err.contains(&format!("实际为 {cut}")), "{err}");

    std::fs::write(&path, format!("{HEADER},{long},{long}\n")).expect("write");
    let o = qx(&["--no-uscc-check"], &path, &out);
    let err = stderr(&o);
    assert!(err.len() < 1024, "{} bytes of stderr:\n{err}", err.len());
    assert!(err.contains(&format!("表头中 {cut} 列出现了两次")), "{err}");
}

/// FNV-1a: a stable 64-bit checksum of a file, to pin output bytes without keeping the file.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn a_generated_province_gives_the_same_bytes_as_before() {
    // 200,000 generated rows (25 MB: several read blocks, many parallel pieces). The checksum is
    // that of the output of `qx eval` before the parallel rewrite of the reader (commit 0f75154):
    // any change of a byte, of the order or of a rounding shows here.
    let dir = workdir("generated");
    let path = dir.join("facts.csv");
    let mut facts = Vec::new();
    qx_eval::generate::write_facts_csv(&mut facts, 200_000, 3).expect("generate");
    std::fs::write(&path, &facts).expect("write");
    drop(facts);
    let out = dir.join("results.csv");
    let o = qx(&[], &path, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = std::fs::read(&out).expect("results");
    assert_eq!(got.len(), 15_735_786);
    assert_eq!(fnv1a(&got), 0x0ee8_27ab_c086_42ec);
}

#[test]
fn skip_invalid_streams_the_side_file_in_bounded_memory() {
    // 300,000 rows, two in three bad (an unreadable number, or zero land): the side file gets
    // every bad row with its message, the good ones are evaluated, and no message is kept in
    // memory for every bad row (that took about 1 KB per row).
    const ROWS: u64 = 300_000;
    let dir = workdir("skip-bounded");
    let input = dir.join("facts.csv");
    let mut s = String::with_capacity(ROWS as usize * 60);
    s.push_str("uscc,scale,land_mu,tax_wan,electricity_wkwh\n");
    for i in 0..ROWS {
        let land = match i % 3 {
            0 => "abc",
            1 => "0",
            _ => "12",
        };
        s.push_str(&format!(
            "{},below,{land},{},{}\n",
            code(i),
            i % 97,
            10 + i % 50
        ));
    }
    std::fs::write(&input, &s).expect("write");
    drop(s);
    let out = dir.join("results.csv");
    let m = qx_eval::bench_support::run_measured(
        Command::new(QX)
            .arg("eval")
            .arg("--skip-invalid")
            .arg("--input")
            .arg(&input)
            .arg("--out")
            .arg(&out),
    )
    .expect("run qx");
    let err = String::from_utf8_lossy(&m.stderr).into_owned();
    assert!(m.status.success(), "{err}");
    assert!(err.contains("已跳过 200000 行"), "{err}");
    let results = std::fs::read_to_string(&out).expect("results");
    assert_eq!(results.lines().count() as u64, 1 + ROWS / 3);
    let side = std::fs::read_to_string(dir.join("results.errors.csv")).expect("side file");
    let rows: Vec<&str> = side.lines().collect();
    assert_eq!(rows.len() as u64, 1 + 2 * ROWS / 3);
    assert!(
        rows[1].starts_with("2,\"第2行 \"\"land_mu\"\": 不是有效的数字"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("3,\"第3行 \"\"land_mu\"\": 必须大于0"),
        "{}",
        rows[2]
    );
    assert!(rows[3].starts_with("5,"), "{}", rows[3]);
    let last = rows.last().expect("rows");
    // Row 299 998 (line 300 000) is the last bad one; the last row is good.
    assert!(last.starts_with(&format!("{ROWS},")), "{last}");
    let mib = m.max_rss_kib / 1024;
    assert!(mib < 100, "peak RSS {mib} MiB for {ROWS} rows");
}
