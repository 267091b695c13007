//! 考核结果通报: an assessment run's ranking as a 公文 in the GB/T 9704 layout of [`crate::docx`]
//! (发文机关标志 and 文号 over a red rule, title, 主送, the body with one ranking table per class,
//! the tie rule, 落款 and the 版记 with 抄送 and 印发). A preliminary run is a 公示 of 初步结果, its
//! title says so and the body says until when objections are taken. Plain data in, bytes out.

use crate::ReportError;
use crate::docx::{
    FONT_BODY, FONT_H1, FONT_TITLE, LINE_TWIPS, SIZE_2, SIZE_3, blank, body_para, caption, centred,
    colophon, exact, heading, run, signature, table,
};
use crate::meeting::{chinese_ordinal, masthead, pack};
use crate::text::{Cell, Table};
use docx_rs::Paragraph;

/// One unit's line in a class's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankLine {
    pub place: Option<i64>,
    pub unit: String,
    pub score: Option<f64>,
    /// Places gained (+) or lost (−) since the previous period.
    pub change: Option<i64>,
    /// The 一票否决 condition met, if any.
    pub vetoed: Option<String>,
}

/// A class's ranking under its scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassRanking {
    /// The scheme's name (镇乡(街道)综合排名 …).
    pub name: String,
    pub lines: Vec<RankLine>,
}

/// A run as its 通报 names it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultDoc {
    /// 发文机关 (版头, 落款, 印发机关).
    pub issuer: String,
    /// 发文字号 (象工强办〔2018〕3号).
    pub doc_number: String,
    /// 主送机关.
    pub recipients: String,
    /// 抄送机关.
    pub copy_to: String,
    /// The period written out (2017年, 2017年第三季度).
    pub period: String,
    /// 成文日期 written out (2018年1月20日).
    pub dated: String,
    /// `Some(last day of 公示, written out)` for a preliminary result in 公示; `None` once final.
    pub publicity_until: Option<String>,
    /// Whether the result is final (终审); otherwise it is marked 初步.
    pub is_final: bool,
    /// How ties are broken, as a sentence (得分相同的，…).
    pub tie_rule: String,
    pub classes: Vec<ClassRanking>,
}

impl ResultDoc {
    /// The title: 考核结果 once final, 考核初步结果 (with 公示 while in 公示) before.
    pub fn title(&self) -> String {
        match (self.is_final, &self.publicity_until) {
            (true, _) => format!("关于{}工业强县考核结果的通报", self.period),
            (false, Some(_)) => format!("关于{}工业强县考核初步结果的公示", self.period),
            (false, None) => format!("关于{}工业强县考核初步结果的通报", self.period),
        }
    }

    /// The file name's stem (考核结果-2017, 考核初步结果-2017Q3).
    pub fn file_stem(&self, period_code: &str) -> String {
        if self.is_final {
            format!("考核结果-{period_code}")
        } else {
            format!("考核初步结果-{period_code}")
        }
    }
}

const HEAD: [&str; 5] = ["名次", "单位", "综合得分", "较上期", "备注"];

fn change_text(c: Option<i64>) -> String {
    match c {
        Some(c) if c > 0 => format!("↑{c}"),
        Some(c) if c < 0 => format!("↓{}", -c),
        Some(_) => "—".into(),
        None => String::new(),
    }
}

fn cell(text: String, numeric: bool) -> Cell {
    Cell {
        text,
        status: None,
        numeric,
    }
}

/// A ranking's caption from its scheme's name, which may already say 考核 or 排名
/// ("2017年度涉企部门考核" → "2017年度涉企部门考核排名", "镇乡(街道)综合排名" as it is).
fn ranking_caption(name: &str) -> String {
    let name = name.trim();
    if name.ends_with("排名") {
        name.to_string()
    } else if name.ends_with("考核") {
        format!("{name}排名")
    } else {
        format!("{name}考核排名")
    }
}

/// A class's ranking as a table.
pub fn ranking_table(c: &ClassRanking) -> Table {
    Table {
        caption: ranking_caption(&c.name),
        header: HEAD.iter().map(|h| h.to_string()).collect(),
        widths: vec![8, 34, 14, 12, 32],
        rows: c
            .lines
            .iter()
            .map(|l| {
                vec![
                    cell(l.place.map(|p| p.to_string()).unwrap_or_default(), true),
                    cell(l.unit.clone(), false),
                    cell(l.score.map(|s| format!("{s:.1}")).unwrap_or_default(), true),
                    cell(change_text(l.change), false),
                    cell(
                        l.vetoed
                            .as_deref()
                            .map(|v| format!("一票否决：{v}"))
                            .unwrap_or_default(),
                        false,
                    ),
                ]
            })
            .collect(),
        total: None,
    }
}

/// The 考核结果通报 (or the 公示 of 初步结果) as .docx bytes.
pub fn result_docx(d: &ResultDoc) -> Result<Vec<u8>, ReportError> {
    let mut doc = masthead(crate::docx::page(), &d.issuer, &d.doc_number)
        .add_paragraph(blank())
        .add_paragraph(centred(&d.title(), FONT_TITLE, SIZE_2, 700))
        .add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(
                    &format!("{}：", d.recipients.trim_end_matches(['：', ':'])),
                    FONT_BODY,
                    SIZE_3,
                ))
                .line_spacing(exact(LINE_TWIPS)),
        );
    let what = if d.is_final {
        "考核结果"
    } else {
        "初步结果"
    };
    doc = doc.add_paragraph(body_para(&format!(
        "根据县工业强县考核办法，按照差异化考核的要求，{}对各镇乡（街道）、开发区（园区）和县级有关部门{}工业强县工作进行了考核。现将{what}{}如下：",
        d.issuer,
        d.period,
        if d.publicity_until.is_some() && !d.is_final {
            "公示"
        } else {
            "通报"
        }
    )));
    if d.classes.is_empty() {
        doc = doc.add_paragraph(body_para("本期无参加考核的单位。"));
    }
    for (i, c) in d.classes.iter().enumerate() {
        // A unit with nothing to score is not ranked (not last with 0): a 备注 line instead.
        let (ranked, unranked): (Vec<RankLine>, Vec<RankLine>) =
            c.lines.iter().cloned().partition(|l| l.score.is_some());
        let t = ranking_table(&ClassRanking {
            name: c.name.clone(),
            lines: ranked,
        });
        doc = doc
            .add_paragraph(heading(
                &format!("{}、{}", chinese_ordinal(i + 1), c.name),
                FONT_H1,
            ))
            .add_paragraph(caption(&t.caption))
            .add_table(table(&t));
        if !unranked.is_empty() {
            let names: Vec<&str> = unranked.iter().map(|l| l.unit.as_str()).collect();
            doc = doc.add_paragraph(body_para(&format!(
                "备注：{}本期无考核内容，不参加本期排名。",
                names.join("、")
            )));
        }
        doc = doc.add_paragraph(blank());
    }
    doc = doc.add_paragraph(body_para(&format!(
        "{}。",
        d.tie_rule.trim_end_matches('。')
    )));
    doc = match (&d.publicity_until, d.is_final) {
        (Some(until), false) => doc.add_paragraph(body_para(&format!(
            "公示期至{until}。各单位对本单位考核结果有异议的，请于公示期内通过系统就具体考核项目提出，并附理由和依据材料。"
        ))),
        (_, false) => doc.add_paragraph(body_para("以上为初步结果，以终审结果为准。")),
        (_, true) => doc.add_paragraph(body_para(
            "希望受表扬的单位再接再厉，排名靠后的单位认真查找差距，切实抓好整改落实，确保全年工业强县各项目标任务圆满完成。",
        )),
    };
    let doc = signature(doc, &d.issuer, &d.dated);
    pack(colophon(
        doc,
        &format!("抄送：{}。", d.copy_to.trim_end_matches('。')),
        &d.issuer,
        &format!("{}印发", d.dated),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(is_final: bool, until: Option<&str>) -> ResultDoc {
        ResultDoc {
            issuer: "象山县工业强县领导小组办公室".into(),
            doc_number: "象工强办〔2018〕2号".into(),
            recipients: "各镇乡政府、街道办事处".into(),
            copy_to: "县委办、县政府办".into(),
            period: "2017年".into(),
            dated: "2018年1月20日".into(),
            publicity_until: until.map(str::to_string),
            is_final,
            tie_rule: "得分相同的，按平均提前报送天数排列".into(),
            classes: vec![ClassRanking {
                name: "镇乡(街道)综合排名".into(),
                lines: vec![
                    RankLine {
                        place: Some(1),
                        unit: "石浦镇".into(),
                        score: Some(96.26),
                        change: Some(2),
                        vetoed: None,
                    },
                    RankLine {
                        place: Some(2),
                        unit: "丹西街道".into(),
                        score: Some(80.0),
                        change: Some(-1),
                        vetoed: Some("发生较大安全生产事故".into()),
                    },
                ],
            }],
        }
    }

    /// The text of `word/document.xml`.
    fn body(bytes: &[u8]) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn a_final_result_is_a_bulletin_with_the_ranking_per_class() {
        let xml = body(&result_docx(&doc(true, None)).unwrap());
        for want in [
            "象山县工业强县领导小组办公室",
            "象工强办〔2018〕2号",
            "关于2017年工业强县考核结果的通报",
            "各镇乡政府、街道办事处：",
            "一、镇乡(街道)综合排名",
            "石浦镇",
            "96.3",
            "↑2",
            "↓1",
            "一票否决：发生较大安全生产事故",
            "得分相同的，按平均提前报送天数排列。",
            "抄送：县委办、县政府办。",
            "2018年1月20日印发",
        ] {
            assert!(xml.contains(want), "missing {want}");
        }
        assert!(!xml.contains("初步"));
    }

    #[test]
    fn a_unit_with_nothing_to_score_is_a_note_not_the_last_place() {
        let mut d = doc(true, None);
        d.classes[0].lines.push(RankLine {
            place: None,
            unit: "东陈乡".into(),
            score: None,
            change: None,
            vetoed: None,
        });
        let xml = body(&result_docx(&d).unwrap());
        assert!(xml.contains("备注：东陈乡本期无考核内容，不参加本期排名。"));
        assert_eq!(xml.matches("东陈乡").count(), 1, "not a row of the table");
        assert!(!body(&result_docx(&doc(true, None)).unwrap()).contains("备注："));
    }

    #[test]
    fn a_preliminary_result_says_so_and_until_when_objections_are_taken() {
        let d = doc(false, Some("2018年1月26日"));
        assert_eq!(d.title(), "关于2017年工业强县考核初步结果的公示");
        assert_eq!(d.file_stem("2017"), "考核初步结果-2017");
        let xml = body(&result_docx(&d).unwrap());
        assert!(xml.contains("公示期至2018年1月26日"));
        let unpublished = doc(false, None);
        assert_eq!(unpublished.title(), "关于2017年工业强县考核初步结果的通报");
        assert!(body(&result_docx(&unpublished).unwrap()).contains("以终审结果为准"));
    }

    #[test]
    fn a_ranking_caption_does_not_repeat_what_the_scheme_name_says() {
        assert_eq!(
            ranking_caption("2017年度涉企部门考核"),
            "2017年度涉企部门考核排名"
        );
        assert_eq!(ranking_caption("镇乡(街道)综合排名"), "镇乡(街道)综合排名");
        assert_eq!(ranking_caption("县级部门"), "县级部门考核排名");
    }
}
