//! One test document per input format and layout, each asserting concrete output.

use crate::common;

use common::{fixture, units};
use qx_plan::{
    Change, Comparator, ParsedPlan, PlanError, UnitDirectory, WarningKind, parse_bytes, parse_file,
};
use std::io::Write;

fn item<'a>(plan: &'a ParsedPlan, number: &str) -> &'a qx_plan::Item {
    plan.items
        .iter()
        .find(|i| i.number == number)
        .unwrap_or_else(|| panic!("no item {number}"))
}

fn numbers(plan: &ParsedPlan) -> Vec<&str> {
    plan.items.iter().map(|i| i.number.as_str()).collect()
}

#[test]
fn full_width_plan_with_lead_and_support_units() {
    let plan = parse_file(&fixture("fullwidth-lead-support.txt"), &units()).expect("parses");
    assert_eq!(
        plan.title.as_deref(),
        Some("宁海县2018年工业经济发展工作要点")
    );
    assert_eq!(plan.year, Some(2018));
    assert_eq!(
        numbers(&plan),
        [
            "一",
            "二",
            "二.(一)",
            "二.(一).1",
            "二.(一).2",
            "二.(二)",
            "二.(二).1",
            "三"
        ]
    );
    let i = item(&plan, "二.(一).1");
    assert_eq!(i.heading.as_deref(), Some("实施智能制造工程"));
    assert_eq!(i.lead_units, ["县经信局"]);
    assert_eq!(i.support_units, ["县科技局", "县财政局"]);
    let i = item(&plan, "二.(一).2");
    assert_eq!(
        i.lead_units,
        ["县经信局"],
        "alias 县经济和信息化局 resolves"
    );
    assert_eq!(i.support_units, ["各镇乡街道", "县林业局"]);
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.kind == WarningKind::UnknownUnit && w.message.contains("县林业局"))
    );

    let t: Vec<_> = plan
        .targets
        .iter()
        .map(|t| (t.value, t.max, t.unit.as_str(), t.comparator))
        .collect();
    assert_eq!(
        t,
        [
            (7.5, None, "%", Comparator::AtLeast),
            (40.0, None, "家", Comparator::AtLeast),
            (3.0, None, "%", Comparator::AtLeast),
            (8.0, Some(10.0), "个", Comparator::AtLeast),
            (120.0, None, "亿元", Comparator::AtLeast),
        ]
    );
    assert_eq!(plan.targets[0].change, Some(Change::Increase));
    assert_eq!(plan.targets[2].change, Some(Change::Decrease));
    assert!(
        plan.targets
            .iter()
            .all(|t| t.section.as_deref() == Some("一"))
    );
    let ti: Vec<_> = plan
        .task_indicators
        .iter()
        .map(|t| (t.section.as_deref(), t.value, t.unit.as_str()))
        .collect();
    assert_eq!(
        ti,
        [
            (Some("二.(一).1"), 60.0, "个"),
            (Some("二.(二).1"), 50.0, "天")
        ]
    );
    assert_eq!(plan.task_indicators[1].comparator, Comparator::AtMost);
    // Source spans point at the phrase in the original line.
    let t = &plan.targets[1];
    let line: Vec<char> = plan.lines[t.source.line - 1].chars().collect();
    assert_eq!(
        line[t.source.start..t.source.end]
            .iter()
            .collect::<String>(),
        "新增规上企业四十家"
    );
}

#[test]
fn gbk_notice_wrapping_articles() {
    let bytes = std::fs::read(fixture("notice-articles.gbk.txt")).expect("fixture");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture really is GBK"
    );
    let plan = parse_bytes(&bytes, "notice-articles.gbk.txt", &units()).expect("parses");
    assert_eq!(plan.source_format, "text/gb18030");
    assert_eq!(
        plan.title.as_deref(),
        Some("宁海县工业强县建设考核办法"),
        "the plan's title, not the notice's"
    );
    assert_eq!(plan.doc_number.as_deref(), Some("宁政办发[2018]21号"));
    assert_eq!(plan.issuer.as_deref(), Some("宁海县人民政府办公室"));
    assert_eq!(plan.date.as_deref(), Some("2018-03-02"));
    assert_eq!(plan.year, Some(2018));
    assert_eq!(
        numbers(&plan),
        [
            "第一章",
            "第一章.第一条",
            "第一章.第二条",
            "第二章",
            "第二章.第三条",
            "第二章.第三条.(一)",
            "第二章.第三条.(二)",
            "第二章.第四条",
            "第三章",
            "第三章.第五条"
        ]
    );
    // 责任单位排在首位的为牵头单位: the first unit listed leads.
    let i = item(&plan, "第二章.第三条.(一)");
    assert_eq!(i.units, ["县发改局", "县经信局"]);
    assert_eq!(i.lead_units, ["县发改局"]);
    assert_eq!(i.support_units, ["县经信局"]);
    // No goal section: quantities of items without units are the targets.
    assert_eq!(plan.targets.len(), 1);
    assert_eq!(plan.targets[0].section.as_deref(), Some("第二章.第四条"));
    assert_eq!(
        (plan.targets[0].value, plan.targets[0].unit.as_str()),
        (10.0, "%")
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.kind == WarningKind::UnreadableNumber && w.message.contains("增长两位数"))
    );
}

#[test]
fn saved_html_page_without_its_chrome() {
    let mut dir = units();
    dir.add("区经信局", ["奉化区经济和信息化局"]);
    dir.add("区财政局", Vec::<String>::new());
    let plan = parse_file(&fixture("chrome-page.html"), &dir).expect("parses");
    assert_eq!(plan.source_format, "html");
    assert_eq!(
        plan.title.as_deref(),
        Some("奉化区2019年制造业高质量发展行动方案")
    );
    assert_eq!(plan.doc_number.as_deref(), Some("奉经信〔2019〕8号"));
    assert_eq!(plan.issuer.as_deref(), Some("奉化区经济和信息化局"));
    assert_eq!(
        plan.date.as_deref(),
        Some("2019-03-15"),
        "成文日期, not the 发布日期"
    );
    assert_eq!(
        numbers(&plan),
        ["一", "一.(一)", "一.(二)", "二", "二.1", "二.2", "三"]
    );
    let last = item(&plan, "三");
    assert_eq!(
        last.text, "加强要素保障，<重点>项目优先。",
        "entities decoded, footer not appended"
    );
    assert!(
        !plan.lines.iter().any(|l| l.contains("假条目")),
        "scripts are dropped"
    );
    let row = item(&plan, "二.1");
    assert_eq!(row.lead_units, ["区经信局"]);
    assert_eq!(row.support_units, ["区财政局"]);
    let names: Vec<_> = plan.targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["规上工业总产值", "规上工业总产值增速", "新增“小升规”企业"]
    );
    assert_eq!(plan.task_indicators.len(), 2);
}

/// Build a .docx in memory: a notice-less plan with typed numbering, Word automatic
/// numbering and a task table whose 责任单位 cell spans two rows.
fn sample_docx() -> Vec<u8> {
    fn p(text: &str) -> String {
        format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
    }
    fn auto(text: &str, level: u8) -> String {
        format!(
            "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"3\"/></w:numPr></w:pPr>\
             <w:r><w:t>{text}</w:t></w:r></w:p>"
        )
    }
    fn cell(text: &str, merge: Option<&str>) -> String {
        let merge = match merge {
            Some("restart") => "<w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>".to_owned(),
            Some(_) => "<w:tcPr><w:vMerge/></w:tcPr>".to_owned(),
            None => String::new(),
        };
        format!(
            "<w:tc>{merge}{}</w:tc>",
            if text.is_empty() {
                "<w:p/>".to_owned()
            } else {
                p(text)
            }
        )
    }
    let row = |cells: Vec<String>| format!("<w:tr>{}</w:tr>", cells.concat());
    let body = [
        p("北仑区2020年工业强区工作计划"),
        p("仑经信〔2020〕12号"),
        auto("工作目标", 0),
        p("（一）全区规上工业增加值增长6%，新增规上工业企业&quot;小升规&quot;60家。"),
        auto("重点任务", 0),
        "<w:tbl>".to_owned(),
        row(vec![
            cell("序号", None),
            cell("工作任务", None),
            cell("责任单位", None),
        ]),
        row(vec![
            cell("1", None),
            cell("实施技改项目200项", None),
            cell("县经信局、县财政局", Some("restart")),
        ]),
        row(vec![
            cell("2", None),
            cell("新增高新技术企业30家", None),
            cell("", Some("continue")),
        ]),
        "</w:tbl>".to_owned(),
        auto("保障措施", 0),
        p("加强组织领导。"),
        p("北仑区经济和信息化局"),
        p("2020年3月5日"),
    ]
    .concat();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let numbering = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
        <w:abstractNum w:abstractNumId=\"7\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/>\
        <w:lvlText w:val=\"%1、\"/></w:lvl></w:abstractNum><w:num w:numId=\"3\"><w:abstractNumId w:val=\"7\"/></w:num></w:numbering>";
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, content) in [
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"),
            ("word/document.xml", document.as_str()),
            ("word/numbering.xml", numbering),
        ] {
            zip.start_file(name, opts).expect("zip entry");
            zip.write_all(content.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    buf.into_inner()
}

#[test]
fn docx_with_auto_numbering_and_a_task_table() {
    let plan = parse_bytes(&sample_docx(), "plan.docx", &units()).expect("parses");
    assert_eq!(plan.source_format, "docx");
    assert_eq!(plan.title.as_deref(), Some("北仑区2020年工业强区工作计划"));
    assert_eq!(plan.doc_number.as_deref(), Some("仑经信〔2020〕12号"));
    assert_eq!(plan.issuer.as_deref(), Some("北仑区经济和信息化局"));
    assert_eq!(plan.date.as_deref(), Some("2020-03-05"));
    assert_eq!(
        numbers(&plan),
        ["一", "一.(一)", "二", "二.1", "二.2", "三"]
    );
    assert_eq!(item(&plan, "二").heading.as_deref(), Some("重点任务"));
    // The merged 责任单位 cell applies to both rows.
    assert_eq!(item(&plan, "二.1").units, ["县经信局", "县财政局"]);
    assert_eq!(item(&plan, "二.2").units, ["县经信局", "县财政局"]);
    let t: Vec<_> = plan
        .targets
        .iter()
        .map(|t| (t.value, t.unit.as_str()))
        .collect();
    assert_eq!(t, [(6.0, "%"), (60.0, "家")]);
    let ti: Vec<_> = plan
        .task_indicators
        .iter()
        .map(|t| (t.section.as_deref(), t.value))
        .collect();
    assert_eq!(ti, [(Some("二.1"), 200.0), (Some("二.2"), 30.0)]);
    assert_eq!(
        item(&plan, "三").text,
        "加强组织领导。",
        "signature and date are not item text"
    );
}

/// A 任务分解表 as counties send it, saved by Word from a table with a 目标值 and a 完成时限
/// column, a category merged over two rows and a 责任单位 cell of two lines with a 牵头 mark.
#[test]
fn a_task_tables_targets_and_deadlines() {
    // Made with `soffice --headless --infilter="HTML (StarWriter)" --convert-to docx` from
    // task-table-targets.source.html.
    let plan = parse_file(&fixture("task-table-targets.docx"), &units()).expect("parses");
    assert_eq!(numbers(&plan), ["1", "2", "3", "4", "5"]);
    let i = item(&plan, "1");
    assert_eq!(
        (i.lead_units.as_slice(), i.support_units.as_slice()),
        (&["县经信局".to_owned()][..], &["各镇乡街道".to_owned()][..])
    );
    assert_eq!(item(&plan, "3").lead_units, ["县发改局"]);
    // Each row is its own item: its category a note of its own, not the text of the row above.
    let texts: Vec<(&str, Option<&str>)> = plan
        .items
        .iter()
        .map(|i| (i.text.as_str(), i.heading.as_deref()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "新增规上工业企业40家（责任单位：县经信局（牵头）、各乡镇）（类别：产业培育）（完成时限：12月底）",
                None
            ),
            (
                "培育专精特新企业，新增省级专精特新企业8家（责任单位：县经信局）（类别：产业培育）（完成时限：12月底）",
                None
            ),
            (
                "实施亿元以上产业项目30个（责任单位：县发改局（牵头）、县经信局）（类别：项目建设）（完成时限：全年）",
                None
            ),
            (
                "完成工业投资50亿元（责任单位：县经信局）（类别：项目建设）（完成时限：全年）",
                None
            ),
            (
                "单位工业增加值能耗下降3%（责任单位：县发改局）（类别：要素保障）（完成时限：年底）",
                None
            ),
        ]
    );
    // The 目标值 cell completes the task: each row has its indicator.
    let ti: Vec<_> = plan
        .task_indicators
        .iter()
        .map(|t| (t.section.as_deref().unwrap_or(""), t.value, t.unit.as_str()))
        .collect();
    assert_eq!(
        ti,
        [
            ("1", 40.0, "家"),
            ("2", 8.0, "家"),
            ("3", 30.0, "个"),
            ("4", 50.0, "亿元"),
            ("5", 3.0, "%")
        ]
    );
    // The 完成时限 cell is the item's deadline.
    let deadlines: Vec<_> = plan.items.iter().map(|i| i.deadline.as_deref()).collect();
    assert_eq!(
        deadlines,
        [
            Some("12月底"),
            Some("12月底"),
            Some("全年"),
            Some("全年"),
            Some("年底")
        ]
    );
    // …which stays out of the `plan parse` JSON.
    let v = serde_json::to_value(&plan).expect("json");
    assert!(v["items"][0].get("deadline").is_none());

    // The same table on a web page (its rowspan cells) reads as the Word file does.
    let page = parse_file(&fixture("task-table-targets.source.html"), &units()).expect("html");
    let shape = |p: &ParsedPlan| {
        p.items
            .iter()
            .map(|i| {
                (
                    i.number.clone(),
                    i.text.clone(),
                    i.units.clone(),
                    i.deadline.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(&page), shape(&plan));
    assert_eq!(page.task_indicators.len(), 5);
}

/// An annex that is a 重点任务分解表 is part of the plan: it heads a section of its own and each
/// row is an item with its units, deadline and targets. An annex that only names a file (the
/// seed's `附件:…doc`) still ends the body.
#[test]
fn an_annexed_task_table_is_a_section_of_the_plan() {
    let plan = parse_file(&fixture("annex-task-table.txt"), &units()).expect("parses");
    assert_eq!(
        numbers(&plan),
        [
            "一",
            "二",
            "二.(一)",
            "二.(二)",
            "三",
            "附件",
            "附件.1",
            "附件.2",
            "附件.3"
        ]
    );
    assert_eq!(
        plan.title.as_deref(),
        Some("安吉县2024年制造业高质量发展实施方案")
    );
    assert_eq!(
        item(&plan, "附件").heading.as_deref(),
        Some("重点任务分解表")
    );
    assert_eq!(
        item(&plan, "三").text,
        "加强组织领导，县财政局等相关单位按职责做好保障。",
        "the annex line is not the text of the chapter before it"
    );
    let (all, lead, support) = units_of(&plan, "附件.3");
    assert_eq!(all, ["县发改局", "县经信局", "县国土资源局"]);
    assert_eq!(lead, ["县发改局"]);
    assert_eq!(support, ["县经信局", "县国土资源局"]);
    assert_eq!(
        item(&plan, "附件.2").deadline.as_deref(),
        Some("2024年12月")
    );
    let annexed: Vec<_> = plan
        .task_indicators
        .iter()
        .filter(|t| t.section.as_deref().is_some_and(|s| s.starts_with("附件")))
        .map(|t| (t.section.as_deref().unwrap_or(""), t.value, t.unit.as_str()))
        .collect();
    assert_eq!(
        annexed,
        [
            ("附件.1", 3.0, "家"),
            ("附件.2", 60.0, "家"),
            ("附件.3", 50.0, "个"),
            ("附件.3", 80.0, "亿元")
        ]
    );
    assert!(
        plan.warnings.is_empty(),
        "nothing left unplaced: {:?}",
        plan.warnings
    );

    // The same document whose annex only names its file ends at the annex, as before.
    let text = std::fs::read_to_string(fixture("annex-task-table.txt")).expect("fixture");
    let named_only: String = text
        .lines()
        .take_while(|l| !l.starts_with("序号"))
        .map(|l| format!("{l}\n"))
        .collect();
    let plan = qx_plan::parse_text(&named_only, &units());
    assert_eq!(numbers(&plan), ["一", "二", "二.(一)", "二.(二)", "三"]);
}

/// 责任单位 spanning 牵头单位 | 配合单位 in a header over two rows, as a Word file (gridSpan and
/// vMerge; made by LibreOffice from the web page kept beside it), as that web page, and as
/// the PDF LibreOffice prints from the Word file (cells read by the table's rules).
#[test]
fn a_task_table_whose_header_spans_two_rows() {
    for file in [
        "two-row-header.docx",
        "two-row-header.source.html",
        "two-row-header.pdf",
    ] {
        let plan = parse_file(&fixture(file), &units()).expect(file);
        assert_eq!(numbers(&plan), ["1", "2"], "{file}");
        let (_, lead, support) = units_of(&plan, "1");
        assert_eq!(lead, ["县经信局"], "{file}");
        assert_eq!(support, ["县统计局", "县税务局"], "{file}");
        let (_, lead, support) = units_of(&plan, "2");
        assert_eq!(
            (lead, support),
            (&["县发改局".to_owned()][..], &["县经信局".to_owned()][..])
        );
        assert_eq!(
            item(&plan, "2").text,
            "完成工业投资60亿元（牵头单位：县发改局；配合单位：县经信局）（完成时限：全年）"
        );
        assert_eq!(
            item(&plan, "1").deadline.as_deref(),
            Some("12月底"),
            "{file}"
        );
    }
}

/// What a task table's row becomes: number, text, lead and support units, deadline.
type ItemRow = (String, String, Vec<String>, Vec<String>, Option<String>);

fn item_rows(p: &ParsedPlan) -> Vec<ItemRow> {
    p.items
        .iter()
        .map(|i| {
            (
                i.number.clone(),
                i.text.clone(),
                i.lead_units.clone(),
                i.support_units.clone(),
                i.deadline.clone(),
            )
        })
        .collect()
}

/// The fixture `name`.pdf, printed from `name`.source.html, gives `count` items and the items
/// of the page.
fn assert_pdf_reads_as_its_page(name: &str, count: usize, dir: &UnitDirectory) {
    let pdf = parse_file(&fixture(&format!("{name}.pdf")), dir).expect(name);
    let page = parse_file(&fixture(&format!("{name}.source.html")), dir).expect(name);
    assert_eq!(pdf.items.len(), count, "{name}: {:#?}", pdf.lines);
    assert_eq!(item_rows(&pdf), item_rows(&page), "{name}");
}

/// 宁海县's table, ruled or not: row 3's three units, and the office under the table.
fn assert_ninghai_row_3_and_issuer(pdf: &ParsedPlan) {
    assert_eq!(
        item(pdf, "3").units,
        ["县经信局", "县自然资源局", "县供电公司"]
    );
    assert_eq!(
        pdf.issuer.as_deref(),
        Some("宁海县工业强县建设领导小组办公室")
    );
}

/// A 任务分解表 printed to PDF with its rules (LibreOffice from the page kept beside it): cells
/// wrap over several lines, and the short ones (序号, 完成时限) stand in the middle of their
/// row, so lines of text cross rows. The cells are read between the table's rules and give
/// the plan the web page gives; a table over three pages, its header printed again on each,
/// is one table; cells merged over rows stand in each row they cover.
#[test]
fn a_ruled_task_table_in_a_pdf_reads_by_its_cells() {
    let dir = units();
    for (name, count) in [
        ("ruled-task-table", 3),
        ("ruled-table-pages", 24),
        ("ruled-merged-cells", 5),
    ] {
        assert_pdf_reads_as_its_page(name, count, &dir);
    }
    let pdf = parse_file(&fixture("ruled-task-table.pdf"), &dir).expect("parses");
    assert_eq!(
        item(&pdf, "3").text,
        "推进亩均效益综合评价，实施差别化用地、用电、用水政策，倒逼低效企业整治提升\
         （责任单位：县经信局、县自然资源局、县供电公司）（完成时限：2019年10月底）"
    );
    assert_ninghai_row_3_and_issuer(&pdf);
    // Cells merged over rows (类别, 责任单位, 完成时限) give their text to each row they cover,
    // wherever in their height it is printed.
    let merged = parse_file(&fixture("ruled-merged-cells.pdf"), &dir).expect("parses");
    assert_eq!(item(&merged, "2").units, ["县经信局", "县统计局"]);
    assert_eq!(item(&merged, "4").deadline.as_deref(), Some("2018年11月底"));
    assert!(item(&merged, "1").text.contains("（类别：产业培育）"));
}

/// The same task tables printed without rules, as a 任务分解表 laid out with spaces or an
/// invisible table is: each cell's lines wrap and the 序号 stands in the middle of its row
/// (`unruled-task-table`, with category rows across the table), or the table runs over three
/// pages with its header again and a row broken by the page (`unruled-table-pages`), or
/// without its header overleaf (`unruled-table-overleaf`: the columns go on), or with its
/// 责任单位 over 牵头单位 and 配合单位 and the other header cells centred between the two rows
/// (`unruled-two-row-header`). Each gives the items of the page it was printed from.
#[test]
fn a_task_table_without_rules_in_a_pdf_reads_by_its_columns() {
    let dir = units();
    for (name, count) in [
        ("unruled-task-table", 6),
        ("unruled-table-pages", 24),
        ("unruled-table-overleaf", 24),
        ("unruled-two-row-header", 3),
    ] {
        assert_pdf_reads_as_its_page(name, count, &dir);
    }
    let pdf = parse_file(&fixture("unruled-task-table.pdf"), &dir).expect("parses");
    assert_ninghai_row_3_and_issuer(&pdf);
    assert!(item(&pdf, "5").text.starts_with(
        "新认定高新技术企业15家，科技型中小企业60家，规上工业企业研发经费支出占主营业务收入比重达到1.8%（责任单位：县科技局）（类别：创新驱动）"
    ));
    let pages = parse_file(&fixture("unruled-table-pages.pdf"), &dir).expect("parses");
    assert!(
        item(&pages, "16")
            .text
            .starts_with("推进18个重点技改项目建设，完成技改投资48亿元以上（责任单位：县经信局）"),
        "{}",
        item(&pages, "16").text
    );
}

#[test]
fn refusals_are_errors_naming_the_file() {
    let dir = units();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "empty.txt"),
        (b"\n \r\n\t".to_vec(), "blank.txt"),
        (vec![0u8, 159, 146, 150, 0, 1, 2, 3, 4, 5], "binary.bin"),
        (b"\x81\x20\x81\x20\xff\xff".to_vec(), "mixed.txt"),
        (b"%PDF-1.7 ...".to_vec(), "plan.pdf"),
        (b"PK\x03\x04broken".to_vec(), "broken.docx"),
    ];
    for (bytes, name) in cases {
        let err = parse_bytes(&bytes, name, &dir).expect_err(name);
        let msg = err.to_string();
        assert!(msg.contains(name), "{msg}");
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "Chinese in {msg}"
        );
    }
    let big = vec![b'a'; (qx_plan::MAX_INPUT_BYTES + 1) as usize];
    assert!(matches!(
        parse_bytes(&big, "big.txt", &dir),
        Err(PlanError::TooLarge { .. })
    ));
    let missing =
        parse_file(std::path::Path::new("/nonexistent/plan.txt"), &dir).expect_err("missing");
    assert!(missing.to_string().contains("/nonexistent/plan.txt"));
}

#[test]
fn json_has_the_contract_shape() {
    let plan = parse_file(&fixture("fullwidth-lead-support.txt"), &units()).expect("parses");
    let v = serde_json::to_value(&plan).expect("json");
    for key in [
        "title",
        "doc_number",
        "issuer",
        "date",
        "year",
        "items",
        "targets",
        "task_indicators",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let t = &v["targets"][1];
    assert_eq!(
        t["value"],
        serde_json::json!(40),
        "integers print without .0"
    );
    assert_eq!(t["comparator"], ">=");
    assert_eq!(v["targets"][3]["max"], serde_json::json!(10));
    let outline = plan.to_outline();
    assert!(outline.contains("二.(一).1") || outline.contains("1 实施智能制造工程"));
    assert!(outline.contains("牵头 lead: 县经信局"));
}

fn units_of<'a>(plan: &'a ParsedPlan, number: &str) -> (&'a [String], &'a [String], &'a [String]) {
    let i = item(plan, number);
    (&i.units, &i.lead_units, &i.support_units)
}

#[test]
fn responsibility_spellings_and_a_flattened_task_table() {
    let plan = parse_file(&fixture("spellings-and-flat-table.txt"), &units()).expect("parses");
    assert_eq!(
        numbers(&plan),
        [
            "一",
            "二",
            "二.(一)",
            "二.(一).1",
            "二.(一).2",
            "二.(二)",
            "二.(二).1",
            "二.(二).2",
            "三",
            "三.1",
            "三.2",
            "三.3",
            "四"
        ]
    );
    // [责任单位:…,列第一位的为牵头单位]: the note is the item's own, not a unit.
    let (all, lead, support) = units_of(&plan, "二.(一).1");
    assert_eq!(
        (all, lead, support),
        (
            &["县科技局".to_owned(), "县经信局".to_owned()][..],
            &["县科技局".to_owned()][..],
            &["县经信局".to_owned()][..]
        )
    );
    let (_, lead, support) = units_of(&plan, "二.(一).2");
    assert_eq!(lead, ["县经信局"]);
    assert_eq!(support, ["县财政局", "县发改局"]);
    // (…按职责分工负责): both units, neither leads.
    let (all, lead, _) = units_of(&plan, "二.(二).1");
    assert_eq!(all, ["县财政局", "县经信局"]);
    assert!(lead.is_empty());
    // Units named after the paragraph's last full stop.
    assert_eq!(units_of(&plan, "二.(二).2").0, ["县经信局", "县市场监管局"]);
    // The flattened table: one item a row, its unit from the trailing 责任单位 cell, and the
    // note of 二.(一).1 does not make the first unit of other items lead.
    assert_eq!(units_of(&plan, "三.1").0, ["县经信局"]);
    let (all, lead, _) = units_of(&plan, "三.2");
    assert_eq!(all, ["县经信局", "县统计局"]);
    assert!(lead.is_empty());
    assert_eq!(units_of(&plan, "三.3").0, ["县发改局"]);
    let row: Vec<_> = plan
        .task_indicators
        .iter()
        .filter(|t| t.section.as_deref() == Some("三.1"))
        .map(|t| (t.value, t.unit.as_str()))
        .collect();
    assert_eq!(row, [(6.0, "%"), (10.0, "%")]);
    // Numbers inside sentences stay there.
    let goals: Vec<_> = plan
        .targets
        .iter()
        .map(|t| (t.value, t.unit.as_str()))
        .collect();
    assert_eq!(goals[..3], [(12.0, "%"), (1.5, "个百分点"), (300.0, "家")]);
    assert!(
        !plan
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::UnknownUnit),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn the_same_plan_without_line_breaks_gives_the_same_tree() {
    let text = std::fs::read_to_string(fixture("spellings-and-flat-table.txt")).expect("fixture");
    // The narrative part: a flattened table needs its lines, so it stays out.
    let narrative: String = text
        .lines()
        .take_while(|l| !l.starts_with("三、"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = units();
    let with_breaks = qx_plan::parse_text(&narrative, &dir);
    let joined: String = narrative.lines().collect();
    let run_on = qx_plan::parse_text(&joined, &dir);
    let shape = |p: &ParsedPlan| -> Vec<String> {
        p.items
            .iter()
            .map(|i| {
                format!(
                    "{} {:?} {:?} {:?}",
                    i.number, i.units, i.lead_units, i.support_units
                )
            })
            .chain(
                p.targets
                    .iter()
                    .chain(&p.task_indicators)
                    .map(|t| format!("{:?} {} {} {}", t.section, t.value, t.unit, t.text)),
            )
            .collect()
    };
    assert_eq!(with_breaks.items.len(), 8);
    assert_eq!(shape(&run_on), shape(&with_breaks));
    assert_eq!(run_on.title, with_breaks.title);

    // A whole notice run together: its title, number, signature and date, then the plan,
    // whose first heading follows its title without a stop ("…工作要点一、工作目标规上…"),
    // and whose third follows a unit list without one ("…县发改局三、保障措施").
    let text = std::fs::read_to_string(fixture("other-county-spellings.txt")).expect("fixture");
    let with_breaks = qx_plan::parse_text(&text, &dir);
    let run_on = qx_plan::parse_text(&text.lines().collect::<String>(), &dir);
    assert_eq!(with_breaks.items.len(), 9);
    assert_eq!(shape(&run_on), shape(&with_breaks));
    let meta = |p: &ParsedPlan| {
        (
            p.title.clone(),
            p.doc_number.clone(),
            p.date.clone(),
            p.year,
        )
    };
    assert_eq!(meta(&run_on), meta(&with_breaks));
    let names = |p: &ParsedPlan| p.targets.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&run_on), names(&with_breaks));
}

/// A one-page PDF written with lopdf: `content` is the page's (already encoded) content
/// stream, `filter` its /Filter, `image` adds a picture XObject (a scan has only that).
fn pdf(content: Vec<u8>, filter: Option<&str>, image: bool, pages: usize) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier",
    });
    let picture = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0u8],
    ));
    let mut resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    if image {
        resources.set("XObject", dictionary! { "Im1" => picture });
    }
    let resources = doc.add_object(resources);
    let mut dict = dictionary! {};
    if let Some(f) = filter {
        dict.set("Filter", Object::Name(f.as_bytes().to_vec()));
    }
    let contents = doc.add_object(Stream::new(dict, content).with_compression(false));
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf written");
    out
}

#[test]
fn pdf_with_a_text_layer_lines_and_a_simple_table() {
    let mut dir = units();
    dir.add("县发改局", Vec::<String>::new());
    // Made with `soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf` from
    // pdf-text-layer.source.html: a CJK TrueType subset with a ToUnicode map, one run per
    // word, a table with a 序号 | 工作任务 | 责任单位 header, a line wrapped at the margin.
    let plan = parse_file(&fixture("pdf-text-layer.pdf"), &dir).expect("parses");
    assert_eq!(plan.source_format, "pdf");
    assert_eq!(
        plan.title.as_deref(),
        Some("奉贤县2021年工业稳增长工作要点")
    );
    assert_eq!(
        numbers(&plan),
        ["一", "二", "二.(一)", "二.(二)", "三", "三.1", "三.2", "四"]
    );
    // The wrapped line is joined: its units are whole.
    assert_eq!(item(&plan, "二.(二)").lead_units, ["县科技局"]);
    assert_eq!(item(&plan, "二.(二)").support_units, ["县经信局"]);
    // Table rows: one item each, with the unit of their 责任单位 cell.
    assert_eq!(item(&plan, "三.1").units, ["县经信局"]);
    assert_eq!(item(&plan, "三.2").units, ["县招商局"]);
    let goals: Vec<_> = plan
        .targets
        .iter()
        .map(|t| (t.value, t.unit.as_str()))
        .collect();
    assert_eq!(
        goals,
        [(7.0, "%"), (25.0, "家"), (12.0, "%"), (28.0, "万元")]
    );
}

/// A plan of four pages with "— N —" in every footer, whose paragraphs go on overleaf: the
/// PDF gives the same plan as its text, with no page number in any item and no paragraph
/// broken at a page's end.
#[test]
fn pdf_page_numbers_and_paragraphs_across_pages() {
    let dir = units();
    // Made with `soffice --headless --convert-to pdf` from pdf-page-break.source.fodt, whose
    // paragraphs are pdf-page-break.source.txt.
    let pdf = parse_file(&fixture("pdf-page-break.pdf"), &dir).expect("parses");
    let text = std::fs::read_to_string(fixture("pdf-page-break.source.txt")).expect("source");
    let typed = qx_plan::parse_text(&text, &dir);
    let items = |p: &ParsedPlan| {
        p.items
            .iter()
            .map(|i| (i.number.clone(), i.text.clone(), i.lead_units.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pdf.items.len(), 27);
    assert_eq!(items(&pdf), items(&typed));
    assert!(
        pdf.lines.iter().all(|l| !l.contains('—')),
        "{:?}",
        pdf.lines
    );
    let quantities = |p: &ParsedPlan| {
        p.targets
            .iter()
            .chain(&p.task_indicators)
            .map(|t| (t.section.clone(), t.value))
            .collect::<Vec<_>>()
    };
    assert_eq!(quantities(&pdf), quantities(&typed));
    assert!(pdf.review.unplaced.is_empty(), "{:?}", pdf.review.unplaced);
}

#[test]
fn a_scanned_pdf_is_refused_with_its_reason() {
    let scan = pdf(b"q 595 0 0 842 0 0 cm /Im1 Do Q".to_vec(), None, true, 1);
    let err = parse_bytes(&scan, "扫描件.pdf", &units()).expect_err("no text layer");
    assert!(matches!(err, PlanError::ScannedPdf { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("扫描件.pdf") && msg.contains("此PDF为扫描件, 无文字层"),
        "{msg}"
    );
    // The same page with text is read.
    let text = pdf(
        b"BT /F1 12 Tf 72 700 Td (2023 plan) Tj ET".to_vec(),
        None,
        true,
        1,
    );
    let plan = parse_bytes(&text, "text.pdf", &units()).expect("text layer");
    assert_eq!(plan.lines, ["2023 plan"]);
}

/// A zlib stream that inflates to `mib` MiB of zeros from a few kilobytes: one deflate block
/// for 1 MiB of zeros, repeated (its back-references only see zeros either way).
fn flate_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut head = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut head, FlushCompress::Sync)
        .expect("compress");
    let mut block = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut block, FlushCompress::Sync)
        .expect("compress");
    let mut out = head;
    for _ in 1..mib {
        out.extend_from_slice(&block);
    }
    out
}

#[test]
fn hostile_pdfs_are_errors_naming_the_file() {
    let dir = units();
    // 4 GiB of zeros in a content stream of a few MB.
    let bomb = pdf(flate_bomb(4096), Some("FlateDecode"), false, 1);
    assert!(bomb.len() < 8 * 1024 * 1024, "{}", bomb.len());
    let err = parse_bytes(&bomb, "bomb.pdf", &dir).expect_err("bounded");
    assert!(matches!(err, PlanError::PdfLimit { .. }), "{err}");
    assert!(err.to_string().contains("bomb.pdf"), "{err}");
    // The same stream shared by many pages: the budget is for the whole document.
    let shared = pdf(flate_bomb(20), Some("FlateDecode"), false, 5);
    let err = parse_bytes(&shared, "shared.pdf", &dir).expect_err("bounded in all");
    assert!(matches!(err, PlanError::PdfLimit { .. }), "{err}");
    let many = pdf(b"BT ET".to_vec(), None, false, qx_plan::MAX_PDF_PAGES + 1);
    let err = parse_bytes(&many, "pages.pdf", &dir).expect_err("too many pages");
    assert!(err.to_string().contains("pages.pdf"), "{err}");
    assert!(err.to_string().contains("页"), "{err}");
    // Content that nests without end reads as no text, not a stack overflow.
    let nested = pdf(
        [b"BT ".to_vec(), vec![b'['; 200_000]].concat(),
        None,
        false,
        1,
    );
    let err = parse_bytes(&nested, "nested.pdf", &dir).expect_err("no text");
    assert!(matches!(err, PlanError::ScannedPdf { .. }), "{err}");
    let broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog".to_vec();
    let err = parse_bytes(&broken, "broken.pdf", &dir).expect_err("not a pdf");
    assert!(err.to_string().contains("broken.pdf"), "{err}");
}

#[test]
fn legacy_word_is_converted_when_libreoffice_is_here() {
    let bytes = std::fs::read(fixture("legacy-word.doc")).expect("fixture");
    let has_soffice = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("soffice").is_file()));
    match parse_bytes(&bytes, "计划.doc", &units()) {
        Ok(plan) => {
            assert!(has_soffice);
            assert_eq!(plan.source_format, "doc");
            assert_eq!(
                plan.title.as_deref(),
                Some("慈溪县2022年制造业提质工作计划")
            );
            assert_eq!(numbers(&plan), ["一", "二", "二.1", "二.2"]);
            assert_eq!(item(&plan, "二.2").support_units, ["县科技局", "县财政局"]);
        }
        Err(err) => {
            assert!(!has_soffice, "{err}");
            assert!(err.to_string().contains("另存为"), "{err}");
        }
    }
}

/// A plan with no year in its title, date or document number is filed under the current
/// year by the import; the review says so, so the office checks the year before publishing.
#[test]
fn review_asks_for_the_year_when_the_document_gives_none() {
    let body = "\
一、工作目标
新增规上企业20家。
二、重点任务
1.推进技改。（责任单位：县经信局）
";
    let dir = units();
    let without = qx_plan::parse_text(&format!("工业强县工作方案\n{body}"), &dir);
    assert_eq!(without.year, None);
    assert!(
        without
            .review
            .reasons
            .iter()
            .any(|r| r.contains("未找到方案年度")),
        "{:?}",
        without.review
    );
    let with = qx_plan::parse_text(&format!("临海县2020年工业强县工作方案\n{body}"), &dir);
    assert_eq!(with.year, Some(2020));
    assert!(
        !with.review.reasons.iter().any(|r| r.contains("年度")),
        "{:?}",
        with.review
    );
    assert_eq!(with.review.confidence - without.review.confidence, 5);
}

#[test]
fn review_names_the_lines_it_could_not_place() {
    let text = "\
临海县2020年工业强县工作方案
一、工作目标
新增规上企业20家。
二、重点任务
1.推进技改。（责任单位：县经信局）
3.推进招商。（责任单位：县招商局）
4.加强服务，责任单位由县政府另行明确。
3 规上工业增加值增长6% 经信局
临海县工业强县建设领导小组办公室
2020年3月1日
以上事项请各地抓好落实。
";
    let dir = units();
    let plan = qx_plan::parse_text(text, &dir);
    let lines: Vec<usize> = plan.review.unplaced.iter().map(|u| u.line).collect();
    // 6: numbering jumps; 7: a unit note without a unit; 8: a table row without its header;
    // 11: text after the signature and date.
    assert_eq!(lines, [6, 7, 8, 11], "{:#?}", plan.review.unplaced);
    assert_eq!(plan.review.unplaced[3].text, "以上事项请各地抓好落实。");
    assert!(plan.review.unplaced[1].reason.contains("责任单位"));
    assert!(plan.review.confidence < 85, "{:?}", plan.review);
    assert_eq!(plan.review.level(), "medium");
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.kind == WarningKind::UnplacedLine && w.line == Some(11))
    );
    // The JSON stays within the contract: no review fields.
    let v = serde_json::to_value(&plan).expect("json");
    assert!(v.get("review").is_none() && v.get("confidence").is_none());
    // Parsing the stored lines again gives the same review.
    let again = qx_plan::parse_extracted(&plan.lines.join("\n"), &plan.source_format, &dir);
    assert_eq!(again.review, plan.review);

    let clean = parse_file(&fixture("fullwidth-lead-support.txt"), &dir).expect("parses");
    assert!(clean.review.unplaced.is_empty(), "{:?}", clean.review);
}

/// Spellings met in other counties' plans (a fixture written for this test): 由…牵头/负责,
/// a unit marked （牵头） in a list or after the last full stop, a rate named before its
/// comparator, a stretch figure and a fall with its level in another unit.
#[test]
fn other_counties_spellings_of_units_and_targets() {
    let plan = parse_file(&fixture("other-county-spellings.txt"), &units()).expect("parses");
    assert_eq!(
        plan.title.as_deref(),
        Some("临江县2021年制造业高质量发展工作要点")
    );
    let roles = |n: &str| {
        let i = item(&plan, n);
        (i.lead_units.clone(), i.support_units.clone())
    };
    let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        roles("二.(一)"),
        (v(&["县金融办"]), v(&["县经信局", "县财政局"]))
    );
    assert_eq!(roles("二.(二)"), (v(&["县经信局"]), v(&[])));
    assert_eq!(
        roles("二.(三)"),
        (v(&["县发改局"]), v(&["县经信局", "县自然资源局"]))
    );
    assert_eq!(
        roles("二.(四)"),
        (v(&["县商务局"]), v(&["县经信局", "县发改局"]))
    );
    // The one unit the registry lacks is named; nothing else is.
    let unknown: Vec<_> = plan
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::UnknownUnit)
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        unknown.len() == 1 && unknown[0].contains("县自然资源局"),
        "{unknown:?}"
    );
    // "各责任单位要…报送" addresses every unit: not a unit note left unread.
    assert!(
        plan.review.unplaced.is_empty(),
        "{:?}",
        plan.review.unplaced
    );

    let t: Vec<_> = plan
        .targets
        .iter()
        .map(|t| (t.name.as_str(), t.value, t.unit.as_str(), t.comparator))
        .collect();
    assert_eq!(
        t,
        [
            ("规上工业增加值增速", 8.0, "%", Comparator::AtLeast),
            ("规上工业增加值增速", 9.0, "%", Comparator::AtLeast),
            ("单位工业增加值能耗降幅", 3.0, "%", Comparator::AtLeast),
            (
                "单位工业增加值能耗",
                0.45,
                "吨标准煤/万元",
                Comparator::AtMost
            ),
            ("新增规上工业企业", 50.0, "家", Comparator::AtLeast),
        ]
    );
}

/// The text outline says "—" where a task has no unit of a role, and reads the units of a
/// title's bracket, a 责任单位 list beside a 配合 list, and a note's deadline field apart.
#[test]
fn the_outline_of_units_as_counties_write_them() {
    let text = "某县2020年工作方案\n\n一、工作任务\n1. 推进技术改造（县经信局牵头）\n全年完成技改项目50个。\n2. 培育企业。新增企业10家。（责任单位：县经信局，配合单位：县财政局；完成时限：2020年10月）\n";
    let plan = qx_plan::parse_text(text, &units());
    let (units_1, lead_1, support_1) = units_of(&plan, "一.1");
    assert_eq!(units_1, ["县经信局"]);
    assert_eq!(lead_1, ["县经信局"]);
    assert!(support_1.is_empty(), "{support_1:?}");
    let (units_2, lead_2, support_2) = units_of(&plan, "一.2");
    assert_eq!(units_2.len(), 2, "{units_2:?}");
    assert_eq!(lead_2, ["县经信局"]);
    assert_eq!(support_2, ["县财政局"]);
    let outline = plan.to_outline();
    assert!(
        outline.contains("牵头 lead: 县经信局 | 配合 support: —"),
        "{outline}"
    );
    assert!(
        outline.contains("牵头 lead: 县经信局 | 配合 support: 县财政局"),
        "{outline}"
    );
}
