//! The three renderings of a bulletin: the .docx has the 公文 page setup, fonts and page
//! numbers and opens in LibreOffice; the .xlsx reads back to the same numbers; the HTML prints.

use calamine::{Data, Reader, Xlsx};
use qx_report::{docx, html, sample, text, xlsx};
use std::io::{Cursor, Read};

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn docx_has_the_gbt9704_page_fonts_and_page_numbers() {
    let s = sample();
    let bytes = docx::render(&s).unwrap();
    let doc = part(&bytes, "word/document.xml");
    // A4, margins 37/28/35/26 mm.
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838""#), "A4");
    for (side, mm) in [("top", 37), ("left", 28), ("bottom", 35), ("right", 26)] {
        let twips = (mm as f64 * 1440.0 / 25.4).round() as i32;
        assert!(
            doc.contains(&format!("w:{side}=\"{twips}\"")),
            "{side} margin {mm} mm = {twips} twips"
        );
    }
    // Title 2号 小标宋; body 3号 仿宋; headings 黑体 / 楷体.
    assert!(
        doc.contains(r#"w:eastAsia="方正小标宋简体""#) && doc.contains(r#"<w:sz w:val="44" />"#)
    );
    assert!(doc.contains(r#"w:eastAsia="仿宋_GB2312""#) && doc.contains(r#"<w:sz w:val="32" />"#));
    assert!(doc.contains(r#"w:eastAsia="黑体""#) && doc.contains(r#"w:eastAsia="楷体_GB2312""#));
    assert!(doc.contains("一、总体情况") && doc.contains("（一）镇乡（街道）"));
    assert!(doc.contains("象工强办〔2017〕2号"), "发文字号");
    assert!(doc.contains("2017年7月15日"), "成文日期");
    assert!(doc.contains("抄送：") && doc.contains("印发"), "版记");
    assert!(doc.contains("4项主要指标中，1项达到序时进度，1项滞后，1项严重滞后"));
    // Page numbers "— 1 —" on odd and even pages.
    let footers: Vec<String> = (1..=2)
        .map(|i| part(&bytes, &format!("word/footer{i}.xml")))
        .collect();
    for f in &footers {
        assert!(
            f.contains("— ") && f.contains(" —") && f.contains("PAGE"),
            "{f}"
        );
        assert!(
            f.contains(r#"w:eastAsia="宋体""#) && f.contains(r#"<w:sz w:val="28" />"#),
            "4号宋体"
        );
    }
    assert!(part(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
    // Every data table's header row repeats on each page it runs onto; chart rows do not.
    let tables = doc.matches("<w:tbl>").count();
    let headers = doc.matches("<w:tblHeader />").count();
    assert_eq!(
        headers,
        tables - 1,
        "one repeated header per data table; the one chart ({tables} tables in all) has none"
    );
    // Font fallbacks for machines without the 方正 / _GB2312 fonts.
    let fonts = part(&bytes, "word/fontTable.xml");
    assert!(
        fonts.contains(r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>"#),
        "{fonts}"
    );
    // Same snapshot, same bytes.
    assert_eq!(bytes, docx::render(&s).unwrap());
}

#[test]
fn docx_opens_in_libreoffice() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!(
            "skipped: LibreOffice (soffice) is not installed; `apt-get install libreoffice-writer-nogui` to run it"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bulletin.docx");
    std::fs::write(&input, docx::render(&sample()).unwrap()).unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&input)
        .output()
        .unwrap();
    let pdf = std::fs::read(dir.path().join("bulletin.pdf")).unwrap_or_else(|e| {
        panic!(
            "no PDF ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 5_000,
        "{} bytes",
        pdf.len()
    );
    // The page is A4 (595 × 842 pt).
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/MediaBox[0 0 595") || text.contains("/MediaBox [0 0 595"),
        "A4 media box"
    );
}

fn cell_f64(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

#[test]
fn xlsx_reads_back_to_the_same_numbers() {
    let s = sample();
    let bytes = xlsx::render(&s).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            xlsx::SHEET_INDICATORS,
            xlsx::SHEET_TASKS,
            xlsx::SHEET_TOWNS,
            xlsx::SHEET_DEPARTMENTS,
            xlsx::SHEET_REVISIONS,
            xlsx::SHEET_ABOUT
        ]
    );
    let ind = wb.worksheet_range(xlsx::SHEET_INDICATORS).unwrap();
    assert_eq!(ind.get((0, 3)), Some(&Data::String("1—6月累计".into())));
    for (i, row) in s.indicators.iter().enumerate() {
        let r = i as u32 + 1;
        assert_eq!(ind.get_value((r, 0)), Some(&Data::String(row.name.clone())));
        assert_eq!(
            ind.get_value((r, 2)).and_then(cell_f64),
            row.target.parse().ok()
        );
        assert_eq!(ind.get_value((r, 3)).and_then(cell_f64), row.actual);
        assert_eq!(ind.get_value((r, 4)).and_then(cell_f64), row.completion);
    }
    let total = s.indicators.len() as u32 + 1;
    assert_eq!(
        ind.get_value((total, 1)).and_then(cell_f64),
        Some(4.0),
        "totals row"
    );
    let towns = wb.worksheet_range(xlsx::SHEET_TOWNS).unwrap();
    for (i, t) in s.towns.iter().enumerate() {
        assert_eq!(
            towns.get_value((i as u32 + 1, 2)).and_then(cell_f64),
            Some(t.score)
        );
        assert_eq!(
            towns.get_value((i as u32 + 1, 9)).and_then(cell_f64),
            Some(f64::from(t.reports_late))
        );
        assert_eq!(
            towns.get_value((i as u32 + 1, 10)).and_then(cell_f64),
            t.lead_days
        );
        assert_eq!(
            towns.get_value((i as u32 + 1, 11)),
            Some(&Data::String(qx_report::fmt_change(t.change)))
        );
    }
    assert_eq!(
        bytes,
        xlsx::render(&s).unwrap(),
        "same snapshot, same bytes"
    );
}

#[test]
fn html_is_printable_and_charts_carry_chinese_labels() {
    let s = sample();
    let page = html::document(&s);
    assert!(page.contains("@page { size: A4; margin: 37mm 26mm 35mm 28mm; }"));
    assert!(page.contains("@media print"));
    assert!(page.contains("<svg class=\"chart\"") && page.contains(">新增规模以上企业</text>"));
    assert!(page.contains("<td class=\"num\">↑1</td>") || page.contains("<td>↑1</td>"));
    assert!(
        !html::fragment(&s).contains("<style>"),
        "the app serves the CSS itself"
    );
    let plain = text::plain(&s);
    assert!(plain.contains("象工强办〔2017〕1号印发后，有1项已审核数据作了更正"));
    assert!(
        plain.contains(
            "镇乡（街道）中，石浦镇、西周镇、丹东街道位列前3；较上期上升最多的是石浦镇（↑1）。"
        ),
        "{plain}"
    );
}
