//! The 工业强县工作例会 agenda as documents: the problems escalated to the meeting, one row each,
//! as .docx (for the meeting papers) and .xlsx (for the office to annotate). Plain data in, bytes
//! out: the caller decides which problems are on the agenda and how their states read.

use crate::ReportError;

/// One problem on the agenda, as its row reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub enterprise: String,
    pub title: String,
    pub description: String,
    /// The category's label (用地, 融资, …).
    pub category: String,
    pub lead_unit: String,
    /// ISO date.
    pub submitted_on: String,
    pub escalations: i64,
    /// 办理情况: the answer so far, or the state and the reason it was handed back.
    pub progress: String,
}

const HEAD: [&str; 8] = [
    "序号",
    "企业",
    "难题",
    "类别",
    "主办单位",
    "提交日期",
    "升级次数",
    "办理情况",
];

fn row(i: usize, p: &AgendaItem) -> [String; 8] {
    [
        (i + 1).to_string(),
        p.enterprise.clone(),
        format!("{}: {}", p.title, p.description),
        p.category.clone(),
        p.lead_unit.clone(),
        p.submitted_on.clone(),
        p.escalations.to_string(),
        p.progress.clone(),
    ]
}

/// The agenda as a Word document, titled and dated `today` (ISO).
pub fn agenda_docx(agenda: &[AgendaItem], today: &str) -> Result<Vec<u8>, ReportError> {
    use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};
    let run = |text: &str, font: &str, half_points: usize| {
        Run::new()
            .add_text(text)
            .fonts(RunFonts::new().east_asia(font))
            .size(half_points)
    };
    let cell = |text: &str, bold: bool| {
        let r = run(text, "仿宋_GB2312", 24);
        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
    };
    let mut rows = vec![TableRow::new(HEAD.iter().map(|h| cell(h, true)).collect())];
    for (i, p) in agenda.iter().enumerate() {
        rows.push(TableRow::new(
            row(i, p).iter().map(|c| cell(c, false)).collect(),
        ));
    }
    let doc = Docx::new()
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            "工业强县工作例会议题",
            "方正小标宋简体",
            44,
        )))
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &format!("(升级至例会的企业难题, {} 件, {today} 导出)", agenda.len()),
            "楷体_GB2312",
            32,
        )))
        .add_table(Table::new(rows));
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

/// The agenda as a workbook with one sheet, 例会议程.
pub fn agenda_xlsx(agenda: &[AgendaItem]) -> Result<Vec<u8>, ReportError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("例会议程")?;
    for (c, h) in HEAD.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, col, *h, &bold)?;
        ws.set_column_width(col, if c == 2 || c == 7 { 48 } else { 14 })?;
    }
    for (i, p) in agenda.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, v) in row(i, p).iter().enumerate() {
            ws.write_string(r, u16::try_from(c).unwrap_or(0), v)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> AgendaItem {
        AgendaItem {
            enterprise: "象山海天船舶".into(),
            title: "用地指标".into(),
            description: "扩建需要20亩".into(),
            category: "用地".into(),
            lead_unit: "县国土资源局".into(),
            submitted_on: "2019-03-01".into(),
            escalations: 2,
            progress: "办理中 · ".into(),
        }
    }

    #[test]
    fn the_workbook_has_a_header_and_one_row_per_problem() {
        use calamine::{Reader, Xlsx};
        let bytes = agenda_xlsx(&[item(), item()]).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range("例会议程").unwrap();
        assert_eq!(sheet.height(), 3);
        assert_eq!(sheet.get_value((0, 2)).unwrap().to_string(), "难题");
        assert_eq!(
            sheet.get_value((1, 2)).unwrap().to_string(),
            "用地指标: 扩建需要20亩"
        );
        assert_eq!(sheet.get_value((2, 0)).unwrap().to_string(), "2");
    }

    #[test]
    fn the_document_names_the_count_and_the_day() {
        let bytes = agenda_docx(&[item()], "2019-03-13").unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("1 件, 2019-03-13 导出"));
        assert!(xml.contains("象山海天船舶"));
    }
}
