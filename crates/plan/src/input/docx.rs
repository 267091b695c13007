//! Word `.docx` → paragraphs and tables, read from `word/document.xml`. Word's automatic
//! numbering (`w:numPr` with `word/numbering.xml`) is rendered into the text, so a list that
//! Word numbers by itself still reads `一、` / `（一）` / `1.` like a typed one.

use super::Block;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use qx_upload::{Archive, Limits};
use std::collections::HashMap;

/// Reads the document through the bounded upload reader: the archive's entry count and every
/// part's inflated size are checked before anything is parsed, and a part over the cap is an
/// error naming the part and the cap (a 1 GB `document.xml` is not "empty").
pub(crate) fn blocks(bytes: &[u8]) -> Result<Vec<Block>, String> {
    let mut archive = Archive::open("", bytes, &Limits::default()).map_err(|e| e.to_string())?;
    let document = read_part(&mut archive, "word/document.xml")?.ok_or_else(|| {
        "word/document.xml 缺失 / missing word/document.xml (not a Word document)".to_owned()
    })?;
    let numbering = read_part(&mut archive, "word/numbering.xml")?
        .map(|xml| Numbering::parse(&xml))
        .unwrap_or_default();
    parse_document(&document, numbering)
}

fn read_part(archive: &mut Archive<'_>, name: &str) -> Result<Option<String>, String> {
    match archive.read_part(name).map_err(|e| e.to_string())? {
        None => Ok(None),
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{name}: not UTF-8 XML")),
    }
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_or_else(|_| a.value.clone().into_owned(), |v| v.into_owned())
        })
}

struct Cell {
    col: usize,
    span: usize,
    continues: bool,
    text: String,
}

#[derive(Default)]
struct TableBuild {
    rows: Vec<Vec<Cell>>,
}

fn parse_document(xml: &str, mut numbering: Numbering) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut tables: Vec<TableBuild> = Vec::new();
    let mut para = String::new();
    let mut in_text = false;
    let mut num: (Option<String>, usize) = (None, 0);
    let mut in_para = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("word/document.xml: {e}"))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "p" if !empty => {
                        in_para += 1;
                        num = (None, 0);
                    }
                    "t" if !empty => in_text = true,
                    "tab" if in_para > 0 => para.push('\t'),
                    "br" | "cr" if in_para > 0 => para.push('\n'),
                    "numId" => num.0 = attr(e, "val"),
                    "ilvl" => num.1 = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                    "tbl" if !empty => tables.push(TableBuild::default()),
                    "tr" => {
                        if let Some(t) = tables.last_mut() {
                            t.rows.push(Vec::new());
                        }
                    }
                    "tc" => {
                        if let Some(row) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                            let col = row.last().map_or(0, |c| c.col + c.span);
                            row.push(Cell {
                                col,
                                span: 1,
                                continues: false,
                                text: String::new(),
                            });
                        }
                    }
                    "gridSpan" => {
                        let span = attr(e, "val")
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(1);
                        if let Some(cell) = current_cell(&mut tables) {
                            cell.span = span.clamp(1, 64);
                        }
                    }
                    "vMerge" => {
                        let restart = attr(e, "val").is_some_and(|v| v == "restart");
                        if let Some(cell) = current_cell(&mut tables) {
                            cell.continues = !restart;
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                para.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.clone().into_inner();
                para.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    in_para = in_para.saturating_sub(1);
                    let mut text = std::mem::take(&mut para);
                    if let Some(id) = &num.0
                        && !text.trim().is_empty()
                        && let Some(label) = numbering.next_label(id, num.1)
                    {
                        text.insert_str(0, &label);
                    }
                    num = (None, 0);
                    match current_cell(&mut tables) {
                        Some(cell) => {
                            if !cell.text.is_empty() && !text.trim().is_empty() {
                                cell.text.push('\n');
                            }
                            cell.text.push_str(text.trim());
                        }
                        None => {
                            for line in text.split('\n') {
                                if !line.trim().is_empty() {
                                    out.push(Block::Para(line.to_owned()));
                                }
                            }
                        }
                    }
                }
                "tbl" => {
                    if let Some(t) = tables.pop() {
                        let rows = finish(t);
                        match current_cell(&mut tables) {
                            Some(cell) => {
                                for row in rows {
                                    if !cell.text.is_empty() {
                                        cell.text.push('\n');
                                    }
                                    cell.text.push_str(&row.join(" "));
                                }
                            }
                            None => out.push(Block::Table(rows)),
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn current_cell(tables: &mut [TableBuild]) -> Option<&mut Cell> {
    tables.last_mut()?.rows.last_mut()?.last_mut()
}

/// Resolve vertical merges (a continued cell repeats the text above it, e.g. one 责任单位
/// spanning several tasks) and place the cells on the table's grid (a cell spanning columns
/// leaves the ones it covers empty, bounded as a web page's are).
fn finish(t: TableBuild) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<(String, usize, usize)>> = Vec::with_capacity(t.rows.len());
    let mut prev: Vec<(usize, String)> = Vec::new();
    for row in t.rows {
        let mut cells = Vec::with_capacity(row.len());
        let mut this: Vec<(usize, String)> = Vec::new();
        for cell in row {
            let text = if cell.continues && cell.text.trim().is_empty() {
                prev.iter()
                    .find(|(c, _)| *c == cell.col)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default()
            } else {
                cell.text
            };
            this.push((cell.col, text.clone()));
            cells.push((text, 1, cell.span));
        }
        prev = this;
        rows.push(cells);
    }
    super::html::grid(rows)
}

/// Level definitions of Word's automatic numbering.
#[derive(Default)]
struct Numbering {
    /// numId → abstractNumId
    nums: HashMap<String, String>,
    /// abstractNumId → per level (start, numFmt, lvlText)
    levels: HashMap<String, HashMap<usize, (u32, String, String)>>,
    /// abstractNumId → counters per level
    counters: HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Self {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abs: Option<String> = None;
        let mut num: Option<String> = None;
        let mut lvl: Option<usize> = None;
        let mut def: (u32, String, String) = (1, String::new(), String::new());
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "abstractNum" => abs = attr(&e, "abstractNumId"),
                    "num" => num = attr(&e, "numId"),
                    "abstractNumId" => {
                        if let (Some(id), Some(a)) = (&num, attr(&e, "val")) {
                            n.nums.insert(id.clone(), a);
                        }
                    }
                    "lvl" => {
                        lvl = attr(&e, "ilvl").and_then(|v| v.parse().ok());
                        def = (1, String::new(), String::new());
                    }
                    "start" => def.0 = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(1),
                    "numFmt" => def.1 = attr(&e, "val").unwrap_or_default(),
                    "lvlText" => def.2 = attr(&e, "val").unwrap_or_default(),
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "lvl" => {
                        if let (Some(a), Some(l)) = (&abs, lvl.take()) {
                            n.levels
                                .entry(a.clone())
                                .or_default()
                                .insert(l, std::mem::take(&mut def));
                        }
                    }
                    "abstractNum" => abs = None,
                    "num" => num = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        n
    }

    /// Advance the counter of `level` and render its label (`（三）`, `2.`, `①`).
    fn next_label(&mut self, num_id: &str, level: usize) -> Option<String> {
        let abs = self.nums.get(num_id)?.clone();
        let levels = self.levels.get(&abs)?;
        let (_, fmt, text) = levels.get(&level)?;
        if fmt == "bullet" || fmt == "none" || level >= 9 {
            return None;
        }
        let counters = self.counters.entry(abs.clone()).or_insert([0; 9]);
        for (l, counter) in counters.iter_mut().enumerate().skip(level + 1) {
            *counter = levels.get(&l).map_or(0, |d| d.0.saturating_sub(1));
        }
        let start = levels.get(&level).map_or(1, |d| d.0);
        counters[level] = if counters[level] == 0 {
            start
        } else {
            counters[level] + 1
        };
        let mut label = text.clone();
        for (l, counter) in counters.iter().enumerate().take(level + 1) {
            let (fmt, value) = (
                levels.get(&l).map_or("decimal", |d| d.1.as_str()),
                (*counter).max(1),
            );
            label = label.replace(&format!("%{}", l + 1), &format_counter(value, fmt));
        }
        Some(label)
    }
}

fn format_counter(v: u32, fmt: &str) -> String {
    match fmt {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "chineseLegalSimplified"
        | "taiwaneseCounting" => chinese(v),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&v) => {
            char::from_u32(0x2460 + v - 1)
                .map(String::from)
                .unwrap_or_else(|| v.to_string())
        }
        "decimalFullWidth" | "decimalFullWidth2" => v
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 + 0xFEE0))
            .collect(),
        "upperLetter" => letters(v, b'A'),
        "lowerLetter" => letters(v, b'a'),
        _ => v.to_string(),
    }
}

fn letters(v: u32, base: u8) -> String {
    let c = base + ((v.max(1) - 1) % 26) as u8;
    (c as char).to_string()
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
pub(crate) fn chinese(v: u32) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if v == 0 || v >= 1000 {
        return v.to_string();
    }
    let (h, t, u) = (
        (v / 100) as usize,
        (v / 10 % 10) as usize,
        (v % 10) as usize,
    );
    let mut s = String::new();
    if h > 0 {
        s.push(D[h]);
        s.push('百');
        if t == 0 && u > 0 {
            s.push('零');
        }
    }
    if t > 0 {
        if !(t == 1 && h == 0) {
            s.push(D[t]);
        }
        s.push('十');
    }
    if u > 0 {
        s.push(D[u]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::chinese;

    #[test]
    fn chinese_counters() {
        assert_eq!(chinese(1), "一");
        assert_eq!(chinese(10), "十");
        assert_eq!(chinese(12), "十二");
        assert_eq!(chinese(20), "二十");
        assert_eq!(chinese(105), "一百零五");
    }

    /// A header cell over two columns (合计 over 目标值 and 单位, say) leaves the column it covers
    /// empty, so the cells after it stay under their headers; a merged 责任单位 repeats below.
    #[test]
    fn cells_spanning_columns_take_their_place_on_the_grid() {
        let cell = |text: &str, props: &str| {
            format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
        };
        let row = |cells: &[String]| format!("<w:tr>{}</w:tr>", cells.concat());
        let span = r#"<w:gridSpan w:val="2"/>"#;
        let restart = r#"<w:vMerge w:val="restart"/>"#;
        let table = [
            row(&[cell("序号", ""), cell("任务", span), cell("责任单位", "")]),
            row(&[
                cell("1", ""),
                cell("甲", ""),
                cell("40家", ""),
                cell("县经信局", restart),
            ]),
            row(&[cell("2", ""), cell("乙", span), cell("", "<w:vMerge/>")]),
        ]
        .concat();
        let bytes = qx_upload::hostile::document(&mut |w| write!(w, "<w:tbl>{table}</w:tbl>"));
        let rows = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            super::blocks(&bytes).unwrap(),
            vec![crate::input::Block::Table(vec![
                rows(&["序号", "任务", "", "责任单位"]),
                rows(&["1", "甲", "40家", "县经信局"]),
                rows(&["2", "乙", "", "县经信局"]),
            ])]
        );
    }

    #[test]
    fn a_document_part_over_the_cap_is_named_not_called_empty() {
        let cap = qx_upload::Limits::default().max_part_bytes as usize;
        let bytes = qx_upload::hostile::document(&mut |w| w.write_all(&vec![b' '; cap + 1]));
        let e = crate::input::decode(&bytes, "plan.docx").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "plan.docx: 无法读取 Word 文档 / cannot read the Word document: 正文 word/document.xml 解压后超过 {} MB 上限, 文件可能已损坏或被构造 (part too large when inflated)",
                cap >> 20
            )
        );
    }
}
