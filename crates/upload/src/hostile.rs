//! The hostile-files corpus: deterministic files that every upload reader and route must
//! refuse (or read cheaply), each with the words its refusal must contain.
//!
//! Bombs are deflated by the `zip` writer, so a part inflating to over 1 GB weighs ~1 MB.

use std::io::{self, Cursor, Write};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// One hostile file.
#[derive(Debug, Clone)]
pub struct HostileFile {
    /// A short id for tables and test names (`far_corner`).
    pub id: &'static str,
    /// The name it is uploaded under: its extension chooses the reader.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// What the upload reader must say when it refuses the file; `None` when the file is one the
    /// reader may accept because it costs nothing (then the importer refuses its content).
    pub refusal: Option<&'static str>,
    /// What the file is, for a person reading a failure.
    pub what: &'static str,
}

const SHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const MB: usize = 1 << 20;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// A zip of the given parts, deflated.
pub fn deflated_zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(parts, deflated())
}

/// A zip of the given parts, stored without compression.
pub fn stored_zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(parts, stored())
}

fn zip_with(parts: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        zip.start_file(*name, options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// Writes `n` bytes of `fill` in 1 MB pieces.
fn repeat(w: &mut dyn Write, fill: u8, n: usize) -> io::Result<()> {
    let piece = vec![fill; MB];
    let mut left = n;
    while left > 0 {
        let k = left.min(MB);
        w.write_all(&piece[..k])?;
        left -= k;
    }
    Ok(())
}

/// An .xlsx whose sheets (every name in `sheets`) all show one worksheet part, written by
/// `sheet_data` between `<sheetData>` and `</sheetData>`.
pub fn workbook(
    sheets: &[&str],
    dimension: &str,
    sheet_data: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    shared_strings: Option<&str>,
) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let part = |zip: &mut ZipWriter<Cursor<Vec<u8>>>, name: &str, text: &str| {
        zip.start_file(name, deflated()).expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
    );
    part(
        &mut zip,
        "_rels/.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    let mut listed = String::new();
    let mut rels = String::new();
    for (i, name) in sheets.iter().enumerate() {
        let id = i + 1;
        listed.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{id}" r:id="rId{id}"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{id}" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>"#
        ));
    }
    part(
        &mut zip,
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><sheets>{listed}</sheets></workbook>"#
        ),
    );
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    if let Some(sst) = shared_strings {
        part(&mut zip, "xl/sharedStrings.xml", sst);
    }
    zip.start_file("xl/worksheets/sheet1.xml", deflated())
        .expect("zip entry");
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/><sheetData>"#
    )
    .expect("zip write");
    sheet_data(&mut zip).expect("zip write");
    zip.write_all(b"</sheetData></worksheet>")
        .expect("zip write");
    zip.finish().expect("zip finish").into_inner()
}

/// A .docx whose `word/document.xml` is written by `body` inside `<w:body>`.
pub fn document(body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", deflated())
        .expect("zip entry");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#)
        .expect("zip write");
    body(&mut zip).expect("zip write");
    zip.write_all(b"</w:body></w:document>").expect("zip write");
    zip.finish().expect("zip finish").into_inner()
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The corpus. Workbooks show their one worksheet under every name in `sheets`, so an importer
/// that looks for a sheet by name reaches the hostile part whatever it looks for.
pub fn corpus(sheets: &[&str]) -> Vec<HostileFile> {
    let small = |sheet_data: &str| {
        let text = sheet_data.to_string();
        workbook(sheets, "A1", &mut |w| w.write_all(text.as_bytes()), None)
    };
    let mut out = vec![
        HostileFile {
            id: "far_corner",
            file_name: "far_corner.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1:XFD1048576",
                &mut |w| {
                    write!(
                        w,
                        r#"<row r="1">{}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
                        inline("A1", "x")
                    )
                },
                None,
            ),
            refusal: Some("XFD1048576"),
            what: "A1 and XFD1048576: 17 G cells if laid out as a grid",
        },
        HostileFile {
            id: "huge_dimension",
            file_name: "huge_dimension.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1:XFD1048576",
                &mut |w| write!(w, r#"<row r="1">{}</row>"#, inline("A1", "x")),
                None,
            ),
            refusal: None,
            what: "one cell under a declared dimension of A1:XFD1048576",
        },
        HostileFile {
            id: "shared_strings_2e40",
            file_name: "shared_strings.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1",
                &mut |w| w.write_all(br#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#),
                Some(&format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}" count="1099511627776" uniqueCount="1099511627776"><si><t>x</t></si></sst>"#
                )),
            ),
            refusal: Some("1099511627776 个字符串"),
            what: "sharedStrings declaring uniqueCount = 2^40",
        },
        HostileFile {
            id: "whitespace_bomb",
            file_name: "whitespace_bomb.xlsx".into(),
            bytes: workbook(sheets, "A1", &mut |w| repeat(w, b' ', 1100 * MB), None),
            refusal: Some("解压后超过"),
            what: "a worksheet inflating to 1.1 GB of whitespace",
        },
        HostileFile {
            id: "tiny_cells_20m",
            file_name: "tiny_cells.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1",
                &mut |w| {
                    let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(1000));
                    for _ in 0..20_000 {
                        w.write_all(row.as_bytes())?;
                    }
                    Ok(())
                },
                None,
            ),
            refusal: Some("解压后超过"),
            what: "20 M one-digit cells (300 MB of XML)",
        },
        HostileFile {
            id: "wide_rows",
            file_name: "wide_rows.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1",
                &mut |w| {
                    for r in 1..=10_000 {
                        write!(w, r#"<row r="{r}"><c r="ALL{r}"><v>1</v></c></row>"#)?;
                    }
                    Ok(())
                },
                None,
            ),
            refusal: Some("个单元格上限"),
            what: "10,000 rows each reaching column 1000: 10 M cells once laid out as rows",
        },
        HostileFile {
            id: "many_entries",
            file_name: "many_entries.xlsx".into(),
            bytes: {
                let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
                for i in 0..100_001u32 {
                    zip.start_file(format!("{i:x}"), stored())
                        .expect("zip entry");
                }
                zip.finish().expect("zip finish").into_inner()
            },
            refusal: Some("个条目, 超过"),
            what: "100,001 empty zip entries",
        },
        HostileFile {
            id: "wrong_magic",
            file_name: "wrong_magic.xlsx".into(),
            bytes: b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n".to_vec(),
            refusal: Some("不是 zip 格式"),
            what: "a PDF named .xlsx",
        },
        HostileFile {
            id: "legacy_xls",
            file_name: "legacy.xls".into(),
            bytes: {
                let mut b = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
                b.resize(4096, 0);
                b
            },
            refusal: Some("另存为"),
            what: "an OLE compound file (legacy .xls) header",
        },
        HostileFile {
            id: "gbk_text",
            file_name: "gbk.xlsx".into(),
            bytes: workbook(
                sheets,
                "A1",
                &mut |w| {
                    w.write_all(br#"<row r="1"><c r="A1" t="inlineStr"><is><t>"#)?;
                    // 县经信局 in GBK: not UTF-8, which the part's declaration promises.
                    w.write_all(b"\xcf\xd8\xbe\xad\xd0\xc5\xbe\xd6")?;
                    w.write_all(b"</t></is></c></row>")
                },
                None,
            ),
            refusal: Some("不是可读取的"),
            what: "a cell's text in GBK inside a part declared UTF-8",
        },
        HostileFile {
            id: "document_1g",
            file_name: "document_1g.docx".into(),
            bytes: document(&mut |w| repeat(w, b' ', 1024 * MB + 1)),
            refusal: Some("正文 word/document.xml 解压后超过"),
            what: "a .docx whose document.xml inflates to 1 GB",
        },
        HostileFile {
            id: "gbk_docx",
            file_name: "gbk.docx".into(),
            bytes: document(&mut |w| {
                w.write_all(b"<w:p><w:r><w:t>\xcf\xd8\xbe\xad\xd0\xc5\xbe\xd6</w:t></w:r></w:p>")
            }),
            refusal: Some("UTF-8"),
            what: "a .docx paragraph in GBK inside a part declared UTF-8",
        },
    ];
    let whole = small(&format!(r#"<row r="1">{}</row>"#, inline("A1", "x")));
    out.push(HostileFile {
        id: "truncated",
        file_name: "truncated.xlsx".into(),
        bytes: whole[..whole.len() * 2 / 3].to_vec(),
        refusal: Some("不完整"),
        what: "a workbook cut off after two thirds",
    });
    out
}
