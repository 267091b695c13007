//! 工业强县工作例会 documents: the agenda (.docx for the meeting papers, .xlsx for the office to
//! annotate), the 会议通知 and the 会议纪要, both in the GB/T 9704 layout of [`crate::docx`].
//! Plain data in, bytes out: the caller says what is on the agenda, what was decided, and how
//! dates and states read.

use crate::ReportError;
use crate::docx::{
    CHAR_3, FONT_BODY, FONT_H1, FONT_TITLE, LINE_TWIPS, SIZE_2, SIZE_3, blank, body_para, centred,
    colophon, exact, heading, page, rule, run, signature, with_font_fallbacks,
};
use docx_rs::{
    AlignmentType, Docx, Paragraph, ParagraphBorderPosition, ParagraphBorders, Tab, TabValueType,
};

/// A meeting as its documents name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDoc {
    /// The issuing office (版头, 署名, 印发机关).
    pub issuer: String,
    pub title: String,
    /// The kind's name (工作例会, 项目协调会, 专题会).
    pub kind: String,
    /// The meeting day and the day of the document, written out (2017年12月12日).
    pub held_on: String,
    pub dated: String,
    pub place: String,
    pub convenor: String,
    /// The 情况说明 deadline, written out, if any.
    pub statement_due: Option<String>,
    pub units: Vec<String>,
    /// The 纪要's serial number in its year (第N期).
    pub number: u32,
}

/// One agenda item: where it came from, its text, the responsible unit and its 情况说明.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaLine {
    pub source: String,
    pub text: String,
    pub unit: String,
    pub statement: String,
}

/// One decision (议定事项) under its agenda item (or none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLine {
    pub item: Option<String>,
    pub text: String,
    pub lead_unit: String,
    pub support_units: Vec<String>,
    /// Written out (2017年12月29日).
    pub deadline: String,
}

const HEAD: [&str; 5] = ["序号", "来源", "议题", "责任单位", "情况说明"];

fn row(i: usize, a: &AgendaLine) -> [String; 5] {
    [
        (i + 1).to_string(),
        a.source.clone(),
        a.text.clone(),
        a.unit.clone(),
        a.statement.clone(),
    ]
}

/// 一、二、… for the numbered sections (up to 99).
pub fn chinese_ordinal(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

pub(crate) fn pack(doc: Docx) -> Result<Vec<u8>, ReportError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.created_at("2000-01-01T00:00:00Z")
        .updated_at("2000-01-01T00:00:00Z")
        .build()
        .pack(&mut buf)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    with_font_fallbacks(&buf.into_inner()).map_err(|e| ReportError::Docx(e.to_string()))
}

/// 版头: the office's name in red and a red rule under it.
pub(crate) fn masthead(doc: Docx, name: &str, under: &str) -> Docx {
    doc.add_paragraph(
        Paragraph::new()
            .add_run(run(name, FONT_TITLE, SIZE_2).color("C00000"))
            .align(AlignmentType::Center)
            .line_spacing(exact(800)),
    )
    .add_paragraph(blank())
    .add_paragraph(centred(under, FONT_BODY, SIZE_3, LINE_TWIPS).set_borders(
        ParagraphBorders::with_empty().set(rule(ParagraphBorderPosition::Bottom, 12, "C00000")),
    ))
}

fn units_text(units: &[String]) -> String {
    if units.is_empty() {
        "各有关单位".into()
    } else {
        units.join("、")
    }
}

/// The 会议通知: who meets when and where, the agenda, and the 情况说明 asked for.
pub fn notice_docx(m: &MeetingDoc, agenda: &[AgendaLine]) -> Result<Vec<u8>, ReportError> {
    let mut doc = masthead(page(), &m.issuer, "");
    doc = doc
        .add_paragraph(blank())
        .add_paragraph(centred(
            &format!("关于召开{}的通知", m.title),
            FONT_TITLE,
            SIZE_2,
            700,
        ))
        .add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(
                    &format!("{}：", units_text(&m.units)),
                    FONT_BODY,
                    SIZE_3,
                ))
                .line_spacing(exact(LINE_TWIPS)),
        );
    let place = if m.place.is_empty() {
        String::new()
    } else {
        format!("在{}", m.place)
    };
    let convenor = if m.convenor.is_empty() {
        String::new()
    } else {
        format!("由{}召集，", m.convenor)
    };
    doc = doc
        .add_paragraph(body_para(&format!(
            "定于{}{}召开{}（{}），{}协调解决工业强县推进中存在的具体问题。现将有关事项通知如下：",
            m.held_on, place, m.title, m.kind, convenor
        )))
        .add_paragraph(heading("一、会议议题", FONT_H1));
    if agenda.is_empty() {
        doc = doc.add_paragraph(body_para("议题另行通知。"));
    }
    for (i, a) in agenda.iter().enumerate() {
        let unit = if a.unit.is_empty() {
            String::new()
        } else {
            format!("（责任单位：{}）", a.unit)
        };
        doc = doc.add_paragraph(body_para(&format!("{}. {}{}", i + 1, a.text, unit)));
    }
    doc = doc
        .add_paragraph(heading("二、参会单位", FONT_H1))
        .add_paragraph(body_para(&format!("{}。", units_text(&m.units))))
        .add_paragraph(heading("三、有关要求", FONT_H1));
    let due = m
        .statement_due
        .as_deref()
        .map(|d| format!("请议题责任单位于{d}前在系统中报送情况说明，"))
        .unwrap_or_default();
    doc = doc.add_paragraph(body_para(&format!(
        "{due}请参会单位主要负责人准时参加，因故不能参加的须事先请假。"
    )));
    let doc = signature(doc, &m.issuer, &m.dated);
    pack(colophon(
        doc,
        &format!("抄送：{}。", units_text(&m.units)),
        &m.issuer,
        &format!("{}印发", m.dated),
    ))
}

/// The 会议纪要: 纪要 masthead with its number, the meeting in one paragraph, then 会议议定
/// each decision with its lead and support units and deadline; 分送 in the 版记.
pub fn minutes_docx(m: &MeetingDoc, decisions: &[DecisionLine]) -> Result<Vec<u8>, ReportError> {
    let mut doc = page()
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{}纪要", m.title), FONT_TITLE, SIZE_2).color("C00000"))
                .align(AlignmentType::Center)
                .line_spacing(exact(800)),
        )
        .add_paragraph(blank())
        .add_paragraph(centred(
            &format!("第{}期", m.number),
            FONT_BODY,
            SIZE_3,
            LINE_TWIPS,
        ))
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&m.issuer, FONT_BODY, SIZE_3))
                .add_run(docx_rs::Run::new().add_tab())
                .add_run(run(&m.dated, FONT_BODY, SIZE_3))
                .add_tab(
                    Tab::new()
                        .val(TabValueType::Right)
                        .pos(crate::docx::TEXT_WIDTH - CHAR_3 as usize),
                )
                .indent(Some(CHAR_3), None, Some(CHAR_3), None)
                .line_spacing(exact(LINE_TWIPS))
                .set_borders(ParagraphBorders::with_empty().set(rule(
                    ParagraphBorderPosition::Bottom,
                    12,
                    "C00000",
                ))),
        )
        .add_paragraph(blank());
    let convenor = if m.convenor.is_empty() {
        String::new()
    } else {
        m.convenor.clone()
    };
    let place = if m.place.is_empty() {
        String::new()
    } else {
        format!("在{}", m.place)
    };
    doc = doc.add_paragraph(body_para(&format!(
        "{}，{}{}主持召开{}，{}参加会议。会议听取了有关单位情况汇报，研究协调了工业强县推进中存在的具体问题。现将会议议定事项纪要如下：",
        m.held_on,
        convenor,
        place,
        m.title,
        units_text(&m.units)
    )));
    if decisions.is_empty() {
        doc = doc.add_paragraph(body_para("本次会议无议定事项。"));
    }
    for (i, d) in decisions.iter().enumerate() {
        let head = match &d.item {
            Some(item) => format!("{}、关于{}", chinese_ordinal(i + 1), item),
            None => format!("{}、{}", chinese_ordinal(i + 1), "其他事项"),
        };
        let support = if d.support_units.is_empty() {
            String::new()
        } else {
            format!("，配合单位：{}", d.support_units.join("、"))
        };
        doc = doc
            .add_paragraph(heading(&head, FONT_H1))
            .add_paragraph(body_para(&format!(
                "{}（牵头单位：{}{}；完成时限：{}）",
                d.text, d.lead_unit, support, d.deadline
            )));
    }
    pack(colophon(
        doc,
        &format!("分送：{}。", units_text(&m.units)),
        &m.issuer,
        &format!("{}印发", m.dated),
    ))
}

/// The agenda as a Word document, titled and dated.
pub fn agenda_docx(m: &MeetingDoc, agenda: &[AgendaLine]) -> Result<Vec<u8>, ReportError> {
    use docx_rs::{Table, TableCell, TableRow};
    let cell = |text: &str, bold: bool| {
        let r = run(text, FONT_BODY, 24);
        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
    };
    let mut rows = vec![TableRow::new(HEAD.iter().map(|h| cell(h, true)).collect())];
    for (i, a) in agenda.iter().enumerate() {
        rows.push(TableRow::new(
            row(i, a).iter().map(|c| cell(c, false)).collect(),
        ));
    }
    let doc = page()
        .add_paragraph(centred(
            &format!("{}议题", m.title),
            FONT_TITLE,
            SIZE_2,
            700,
        ))
        .add_paragraph(centred(
            &format!("（{}，共{}项）", m.held_on, agenda.len()),
            crate::docx::FONT_H2,
            SIZE_3,
            LINE_TWIPS,
        ))
        .add_table(Table::new(rows));
    pack(doc)
}

/// The agenda as a workbook with one sheet, 例会议程.
pub fn agenda_xlsx(agenda: &[AgendaLine]) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("例会议程")?;
    for (c, h) in HEAD.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, col, *h, &bold)?;
        ws.set_column_width(col, if c == 2 || c == 4 { 48 } else { 14 })?;
    }
    for (i, a) in agenda.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, v) in row(i, a).iter().enumerate() {
            ws.write_string(r, u16::try_from(c).unwrap_or(0), v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> MeetingDoc {
        MeetingDoc {
            issuer: "象山县工业强县建设领导小组办公室".into(),
            title: "工业强县工作例会".into(),
            kind: "工作例会".into(),
            held_on: "2017年12月12日".into(),
            dated: "2017年12月13日".into(),
            place: "县行政中心".into(),
            convenor: "县长".into(),
            statement_due: Some("2017年12月8日".into()),
            units: vec!["县经信局".into(), "县国土资源局".into()],
            number: 23,
        }
    }

    fn item() -> AgendaLine {
        AgendaLine {
            source: "升级难题".into(),
            text: "象山海天船舶: 用地指标".into(),
            unit: "县国土资源局".into(),
            statement: "已上报省厅".into(),
        }
    }

    fn xml(bytes: Vec<u8>) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn the_workbook_has_a_header_and_one_row_per_item() {
        use calamine::{Reader, Xlsx};
        let bytes = agenda_xlsx(&[item(), item()]).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("例会议程").unwrap();
        assert_eq!(sheet.height(), 3);
        assert_eq!(sheet.get_value((0, 2)).unwrap().to_string(), "议题");
        assert_eq!(
            sheet.get_value((1, 2)).unwrap().to_string(),
            "象山海天船舶: 用地指标"
        );
        assert_eq!(sheet.get_value((2, 4)).unwrap().to_string(), "已上报省厅");
    }

    #[test]
    fn the_notice_names_the_meeting_agenda_and_statement_deadline() {
        let x = xml(notice_docx(&meeting(), &[item()]).unwrap());
        assert!(x.contains("关于召开工业强县工作例会的通知"));
        assert!(x.contains("定于2017年12月12日在县行政中心召开"));
        assert!(x.contains("1. 象山海天船舶: 用地指标（责任单位：县国土资源局）"));
        assert!(x.contains("2017年12月8日前在系统中报送情况说明"));
        assert!(x.contains("2017年12月13日印发"));
        // GB/T 9704: A4 and the 37/28/35/26 mm margins.
        assert!(x.contains(r#"w:w="11906""#) && x.contains(r#"w:top="2098""#));
    }

    #[test]
    fn the_minutes_list_each_decision_with_units_and_deadline() {
        let d = DecisionLine {
            item: Some("象山海天船舶用地指标".into()),
            text: "由县国土资源局牵头调剂指标".into(),
            lead_unit: "县国土资源局".into(),
            support_units: vec!["县经信局".into()],
            deadline: "2017年12月29日".into(),
        };
        let x = xml(minutes_docx(&meeting(), &[d]).unwrap());
        assert!(x.contains("工业强县工作例会纪要"));
        assert!(x.contains("第23期"));
        assert!(x.contains("一、关于象山海天船舶用地指标"));
        assert!(
            x.contains("（牵头单位：县国土资源局，配合单位：县经信局；完成时限：2017年12月29日）")
        );
        assert!(x.contains("分送：县经信局、县国土资源局。"));
        assert_eq!(chinese_ordinal(12), "十二");
        assert_eq!(chinese_ordinal(24), "二十四");
    }

    #[test]
    fn the_agenda_document_counts_its_items() {
        let x = xml(agenda_docx(&meeting(), &[item()]).unwrap());
        assert!(x.contains("（2017年12月12日，共1项）"));
        assert!(x.contains("象山海天船舶"));
    }
}
