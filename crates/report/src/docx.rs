//! The bulletin as a Word document in the GB/T 9704-2012 公文 layout (conventions §1):
//! A4, margins 37/28/35/26 mm (top/left/bottom/right), 22 lines of 28 characters; title in
//! 2号方正小标宋简体, body 3号仿宋_GB2312 at a fixed 28.95 pt line, headings 一、 黑体 and
//! （一） 楷体_GB2312; 发文字号 and a red rule under the 版头; 成文日期 under the signature;
//! page numbers "— 1 —" in 4号宋体, odd pages right and even pages left, one character in;
//! 版记 with 抄送 and 印发 between full-width rules.
//!
//! Fonts are named, not embedded (Word and WPS supply them). `word/fontTable.xml` is rewritten
//! to give each Chinese font its common substitute (`w:altName`: 仿宋_GB2312 → 仿宋 …) and the
//! GB2312 charset, so a machine without the 方正/_GB2312 fonts still lays the text out in a
//! Chinese face. Charts are drawn as tables (shaded cells as bars, a rule at 序时进度): no
//! pictures, so nothing depends on fonts being present when the file is generated, and the
//! labels are ordinary text in every reader.

use crate::text::{self, BarChart, Block, Cell, Table};
use crate::{ReportError, Snapshot};
use docx_rs::{
    AlignmentType, BorderType, DocGrid, DocGridType, Docx, FieldCharType, Footer, InstrPAGE,
    InstrText, LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading, ShdType, SpecialIndentType,
    Tab, TabValueType, TableCell, TableCellBorder, TableCellBorderPosition, TableLayoutType,
    TableRow, WidthType,
};
use std::io::{Cursor, Read, Write};

/// Twips per millimetre (1 in = 25.4 mm = 1440 twips).
const fn mm(v: u32) -> i32 {
    (v as f64 * 1440.0 / 25.4 + 0.5) as i32
}

pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
pub const MARGIN_TOP: i32 = mm(37);
pub const MARGIN_LEFT: i32 = mm(28);
pub const MARGIN_BOTTOM: i32 = mm(35);
pub const MARGIN_RIGHT: i32 = mm(26);
/// 版心 width, 156 mm.
pub(crate) const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;
/// 225 mm ÷ 22 lines ≈ 28.95 pt.
pub const LINE_TWIPS: i32 = 579;

pub const FONT_TITLE: &str = "方正小标宋简体";
pub const FONT_BODY: &str = "仿宋_GB2312";
pub const FONT_H1: &str = "黑体";
pub const FONT_H2: &str = "楷体_GB2312";
pub const FONT_PAGE: &str = "宋体";

/// Half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt.
pub(crate) const SIZE_2: usize = 44;
pub(crate) const SIZE_3: usize = 32;
pub(crate) const SIZE_4: usize = 28;
const SIZE_S4: usize = 24;
/// 五号 10.5 pt: table cells, so a 7-column table fits the 156 mm 版心 without wrapping figures.
const SIZE_5: usize = 21;
/// One 三号 character, for indents.
pub(crate) const CHAR_3: i32 = 320;
pub(crate) const CHAR_4: i32 = 280;

/// Each font named in the document with the face Word, WPS and LibreOffice fall back to.
const FONT_FALLBACKS: &[(&str, &str)] = &[
    (FONT_TITLE, "宋体"),
    (FONT_BODY, "仿宋"),
    (FONT_H1, "SimHei"),
    (FONT_H2, "楷体"),
    (FONT_PAGE, "SimSun"),
];

fn fonts(face: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(face)
        .ascii(face)
        .hi_ansi(face)
        .cs(face)
}

pub(crate) fn run(text: &str, face: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(face)).size(size)
}

pub(crate) fn exact(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(line)
}

/// A paragraph of 三号 `font` at the fixed line height, its first line indented two characters.
fn indented(text: &str, font: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, SIZE_3))
        .line_spacing(exact(LINE_TWIPS))
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(2 * CHAR_3)),
            None,
            None,
        )
}

/// A heading (一、 in 黑体, （一） in 楷体), kept with what follows.
pub(crate) fn heading(text: &str, font: &str) -> Paragraph {
    indented(text, font).keep_next(true)
}

pub(crate) fn body_para(text: &str) -> Paragraph {
    indented(text, FONT_BODY).align(AlignmentType::Both)
}

pub(crate) fn blank() -> Paragraph {
    Paragraph::new()
        .line_spacing(exact(LINE_TWIPS))
        .size(SIZE_3)
}

pub(crate) fn centred(text: &str, face: &str, size: usize, line: i32) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, face, size))
        .align(AlignmentType::Center)
        .line_spacing(exact(line))
}

fn cell_para(c: &Cell, header: bool) -> Paragraph {
    let face = if header { FONT_H1 } else { FONT_BODY };
    let mut r = run(&c.text, face, SIZE_5);
    if let Some(s) = c.status {
        r = r.color(s.colour());
    }
    let align = if header {
        AlignmentType::Center
    } else if c.numeric {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    };
    Paragraph::new()
        .add_run(r)
        .align(align)
        .snap_to_grid(false)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Auto)
                .line(240),
        )
}

fn scaled(widths: &[u32]) -> Vec<usize> {
    let total: u32 = widths.iter().sum::<u32>().max(1);
    widths
        .iter()
        .map(|w| TEXT_WIDTH * *w as usize / total as usize)
        .collect()
}

pub(crate) fn caption(text: &str) -> Paragraph {
    centred(text, FONT_H1, SIZE_4, LINE_TWIPS).keep_next(true)
}

/// The shading of table header rows (and only of them).
const HEADER_FILL: &str = "E7ECF2";

pub(crate) fn table(t: &Table) -> docx_rs::Table {
    let widths = scaled(&t.widths);
    let header = TableRow::new(
        t.header
            .iter()
            .zip(&widths)
            .map(|(h, w)| {
                TableCell::new()
                    .add_paragraph(cell_para(
                        &Cell {
                            text: h.clone(),
                            status: None,
                            numeric: false,
                        },
                        true,
                    ))
                    .width(*w, WidthType::Dxa)
                    .shading(Shading::new().shd_type(ShdType::Clear).fill(HEADER_FILL))
            })
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for row in &t.rows {
        rows.push(
            TableRow::new(
                row.iter()
                    .zip(&widths)
                    .map(|(c, w)| {
                        TableCell::new()
                            .add_paragraph(cell_para(c, false))
                            .width(*w, WidthType::Dxa)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    docx_rs::Table::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(docx_rs::TableAlignmentType::Center)
}

const BAR_COLUMNS: usize = 24;

/// A bar chart as a borderless table: label | 24 scale columns | value. The completed share
/// is shaded in the indicator's status colour; the column at 序时进度 opens with a dark rule.
fn chart(c: &BarChart) -> docx_rs::Table {
    let label_w = TEXT_WIDTH * 34 / 100;
    let value_w = TEXT_WIDTH * 13 / 100;
    let col_w = (TEXT_WIDTH - label_w - value_w) / BAR_COLUMNS;
    let mut grid = vec![label_w];
    grid.extend(std::iter::repeat_n(col_w, BAR_COLUMNS));
    grid.push(value_w);
    let to_col = |v: f64| ((v.clamp(0.0, c.max) / c.max) * BAR_COLUMNS as f64).round() as usize;
    let rows = c
        .bars
        .iter()
        .map(|bar| {
            let filled = to_col(bar.value);
            let marker = to_col(bar.marker);
            let mut cuts = vec![0, filled, marker, BAR_COLUMNS];
            cuts.sort_unstable();
            cuts.dedup();
            let mut cells = vec![
                TableCell::new()
                    .add_paragraph(cell_para(
                        &Cell {
                            text: bar.label.clone(),
                            status: None,
                            numeric: false,
                        },
                        false,
                    ))
                    .width(label_w, WidthType::Dxa),
            ];
            for seg in cuts.windows(2) {
                let (a, b) = (seg[0], seg[1]);
                let mut cell = TableCell::new()
                    .add_paragraph(Paragraph::new().size(12).snap_to_grid(false))
                    .grid_span(b - a)
                    .width(col_w * (b - a), WidthType::Dxa);
                if a < filled {
                    cell = cell.shading(
                        Shading::new()
                            .shd_type(ShdType::Clear)
                            .fill(bar.status.colour()),
                    );
                }
                if a == marker && marker > 0 {
                    cell = cell.set_border(
                        TableCellBorder::new(TableCellBorderPosition::Left)
                            .border_type(BorderType::Single)
                            .size(12)
                            .color("222222"),
                    );
                }
                cells.push(cell);
            }
            cells.push(
                TableCell::new()
                    .add_paragraph(cell_para(
                        &Cell {
                            text: crate::fmt_pct(Some(bar.value)),
                            status: None,
                            numeric: true,
                        },
                        false,
                    ))
                    .width(value_w, WidthType::Dxa),
            );
            TableRow::new(cells).cant_split()
        })
        .collect();
    docx_rs::Table::without_borders(rows)
        .set_grid(grid)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

fn page_number_footer(odd: bool) -> Footer {
    let number = Run::new()
        .fonts(fonts(FONT_PAGE))
        .size(SIZE_4)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    let p = Paragraph::new()
        .add_run(run("— ", FONT_PAGE, SIZE_4))
        .add_run(number)
        .add_run(run(" —", FONT_PAGE, SIZE_4));
    // 单页码居右空一字, 双页码居左空一字.
    let p = if odd {
        p.align(AlignmentType::Right)
            .indent(None, None, Some(CHAR_4), None)
    } else {
        p.align(AlignmentType::Left)
            .indent(Some(CHAR_4), None, None, None)
    };
    Footer::new().add_paragraph(p)
}

pub(crate) fn rule(
    position: ParagraphBorderPosition,
    size: usize,
    colour: &str,
) -> ParagraphBorder {
    ParagraphBorder::new(position)
        .val(BorderType::Single)
        .size(size)
        .space(1)
        .color(colour)
}

/// An empty A4 document in the 公文 layout: margins, the line grid, the body font, and page
/// numbers odd right and even left.
pub(crate) fn page() -> Docx {
    let margin = PageMargin {
        top: MARGIN_TOP,
        left: MARGIN_LEFT,
        bottom: MARGIN_BOTTOM,
        right: MARGIN_RIGHT,
        header: mm(15),
        // The rule above the number sits about 7 mm under the 版心.
        footer: mm(23),
        gutter: 0,
    };
    let mut doc = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(margin)
        .default_fonts(fonts(FONT_BODY))
        .default_size(SIZE_3)
        .footer(page_number_footer(true))
        .even_footer(page_number_footer(false));
    doc.document.section_property = doc.document.section_property.clone().doc_grid(
        DocGrid::new()
            .grid_type(DocGridType::Lines)
            .line_pitch(LINE_TWIPS as usize),
    );
    doc
}

/// 署名 and 成文日期 under the text (no seal): the name two characters from the right, the
/// date under it, its first character two further right.
pub(crate) fn signature(doc: Docx, issuer: &str, date: &str) -> Docx {
    // 署名右空二字; 日期首字比署名首字右移二字 (digits count half a character).
    let width = |t: &str| {
        t.chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<i32>()
    };
    let date_right = (2 * CHAR_3 + (width(issuer) - width(date) - 4) * CHAR_3 / 2).max(0);
    doc.add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(issuer, FONT_BODY, SIZE_3))
                .align(AlignmentType::Right)
                .indent(None, None, Some(2 * CHAR_3), None)
                .line_spacing(exact(LINE_TWIPS)),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(date, FONT_BODY, SIZE_3))
                .align(AlignmentType::Right)
                .indent(None, None, Some(date_right), None)
                .line_spacing(exact(LINE_TWIPS)),
        )
}

/// 版记: `cc` (抄送/分送) and the 印发 line between a thick first rule, a thin middle and a
/// thick last rule.
pub(crate) fn colophon(doc: Docx, cc: &str, issuer: &str, date: &str) -> Docx {
    doc.add_paragraph(blank())
        .add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(cc, FONT_BODY, SIZE_4))
                .indent(Some(CHAR_4), None, Some(CHAR_4), None)
                .line_spacing(exact(LINE_TWIPS))
                .set_borders(
                    ParagraphBorders::with_empty()
                        .set(rule(ParagraphBorderPosition::Top, 8, "000000"))
                        .set(rule(ParagraphBorderPosition::Bottom, 4, "000000")),
                ),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(run(issuer, FONT_BODY, SIZE_4))
                .add_run(Run::new().add_tab())
                .add_run(run(date, FONT_BODY, SIZE_4))
                .add_tab(
                    Tab::new()
                        .val(TabValueType::Right)
                        .pos(TEXT_WIDTH - CHAR_4 as usize),
                )
                .indent(Some(CHAR_4), None, Some(CHAR_4), None)
                .line_spacing(exact(LINE_TWIPS))
                .set_borders(ParagraphBorders::with_empty().set(rule(
                    ParagraphBorderPosition::Bottom,
                    8,
                    "000000",
                ))),
        )
}

/// The document without the font-table rewrite (for tests of its structure).
pub fn document(s: &Snapshot) -> Docx {
    let mut doc = page();

    // 版头: the issuing office in red, the 发文字号, a red rule the width of the 版心.
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(run(&s.issuer, FONT_TITLE, SIZE_2).color("C00000"))
            .align(AlignmentType::Center)
            .line_spacing(exact(800)),
    );
    for block in text::blocks(s) {
        doc = match block {
            Block::DocNumber(n) => doc.add_paragraph(blank()).add_paragraph(
                centred(&n, FONT_BODY, SIZE_3, LINE_TWIPS).set_borders(
                    ParagraphBorders::with_empty().set(rule(
                        ParagraphBorderPosition::Bottom,
                        12,
                        "C00000",
                    )),
                ),
            ),
            Block::Title(t) => doc
                .add_paragraph(blank())
                .add_paragraph(blank())
                .add_paragraph(centred(&t, FONT_TITLE, SIZE_2, 700))
                .add_paragraph(blank()),
            Block::Recipients(r) => doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(&r, FONT_BODY, SIZE_3))
                    .line_spacing(exact(LINE_TWIPS)),
            ),
            Block::H1(h) => doc.add_paragraph(heading(&h, FONT_H1)),
            Block::H2(h) => doc.add_paragraph(heading(&h, FONT_H2)),
            Block::Para(p) => doc.add_paragraph(body_para(&p)),
            Block::Table(t) => {
                let mut d = doc.add_paragraph(caption(&t.caption)).add_table(table(&t));
                if let Some(total) = &t.total {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .add_run(run(total, FONT_BODY, SIZE_S4))
                            .line_spacing(exact(LINE_TWIPS)),
                    );
                }
                d.add_paragraph(blank())
            }
            Block::Chart(c) => doc
                .add_paragraph(caption(&c.caption))
                .add_table(chart(&c))
                .add_paragraph(blank()),
            Block::Signature { issuer, date } => signature(doc, &issuer, &date),
        };
    }

    let (cc, printed) = text::colophon(s);
    let (issuer, date) = printed.rsplit_once("  ").unwrap_or((printed.as_str(), ""));
    doc = colophon(doc, &cc, issuer, date);
    doc.created_at("2000-01-01T00:00:00Z")
        .updated_at("2000-01-01T00:00:00Z")
}

/// The bulletin as .docx bytes.
pub fn render(s: &Snapshot) -> Result<Vec<u8>, ReportError> {
    let mut packed = Cursor::new(Vec::new());
    document(s)
        .build()
        .pack(&mut packed)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    with_font_fallbacks(&packed.into_inner()).map_err(|e| ReportError::Docx(e.to_string()))
}

/// `word/fontTable.xml` naming every Chinese font with its substitute and the GB2312 charset.
pub fn font_table_xml() -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    for (name, alt) in FONT_FALLBACKS {
        x.push_str(&format!(
            r#"<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#
        ));
    }
    x.push_str(r#"<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>"#);
    x
}

/// Header rows are the only rows shaded [`HEADER_FILL`]; docx-rs has no `w:tblHeader`, so it
/// is added here, and Word, WPS and LibreOffice repeat those rows at the top of every page a
/// table runs onto.
fn with_repeated_headers(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 1024);
    let mut rest = xml;
    while let Some(start) = rest.find("<w:tr>") {
        let Some(len) = rest[start..].find("</w:tr>") else {
            break;
        };
        let end = start + len;
        out.push_str(&rest[..start]);
        let row = &rest[start..end];
        if row.contains(HEADER_FILL) && row.contains("<w:trPr>") {
            out.push_str(&row.replacen("<w:trPr>", "<w:trPr><w:tblHeader />", 1));
        } else {
            out.push_str(row);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn with_font_fallbacks(docx: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let name = file.name().to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data)?;
        if name == "word/fontTable.xml" {
            data = font_table_xml().into_bytes();
        } else if name == "word/document.xml" {
            data = with_repeated_headers(&String::from_utf8_lossy(&data)).into_bytes();
        }
        out.start_file(name, options)?;
        out.write_all(&data)?;
    }
    Ok(out.finish()?.into_inner())
}
