//! 公文版头: how every document the county issues through the system — 月度快报 and 季度通报,
//! 考核结果, 会议通知 and 会议纪要 — names its issuer, numbers itself and addresses its
//! readers. One setting of the office; 象山县's own are the defaults.

use crate::text::{DOC_COPY_TO, DOC_ISSUER, DOC_PREFIX, DOC_RECIPIENTS};
use serde::Serialize;

/// The parts of a document the office sets once for all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentHeader {
    /// 发文机关: the red 版头 and the 署名.
    pub issuer: String,
    /// 发文机关代字: a 文号 reads `{doc_prefix}〔2017〕3号`.
    pub doc_prefix: String,
    /// 主送机关.
    pub recipients: String,
    /// 抄送机关 (may be empty: the 版记 then has no 抄送 line).
    pub copy_to: String,
}

impl Default for DocumentHeader {
    fn default() -> Self {
        DocumentHeader {
            issuer: "象山县工业强县建设领导小组办公室".into(),
            doc_prefix: "象工强办".into(),
            recipients:
                "各镇乡政府、街道办事处，县直及海经区有关单位（职能部门）、驻象垂直管理有关单位"
                    .into(),
            copy_to: "县委办、县人大办、县政府办、县政协办，县工业强县领导小组成员单位".into(),
        }
    }
}

impl DocumentHeader {
    /// The header as typed, trimmed, or the first message naming a field (`发文机关: 不能为空
    /// …`). A 代字 holds no figures or 〔〕, which the 文号 adds.
    pub fn checked(&self) -> Result<DocumentHeader, String> {
        let doc_prefix = DOC_PREFIX.check(&self.doc_prefix)?;
        if let Some(c) = doc_prefix
            .chars()
            .find(|c| c.is_numeric() || "〔〕[]()（）".contains(*c))
        {
            return Err(format!(
                "{}: 不应含有「{c}」, 年份和序号由系统加上 (the year and number are added)",
                DOC_PREFIX.label
            ));
        }
        Ok(DocumentHeader {
            issuer: DOC_ISSUER.check(&self.issuer)?.to_string(),
            doc_prefix: doc_prefix.to_string(),
            recipients: DOC_RECIPIENTS.check(&self.recipients)?.to_string(),
            copy_to: DOC_COPY_TO.check(&self.copy_to)?.to_string(),
        })
    }

    /// 发文字号: `kind` after the 代字 (考 for 考核结果, empty for 通报), the year in 〔〕,
    /// then `number` (a figure, or 预览 on a draft).
    pub fn doc_number(&self, kind: &str, year: i32, number: &str) -> String {
        format!("{}{kind}〔{year}〕{number}号", self.doc_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_reads_as_a_document_number() {
        let h = DocumentHeader::default();
        assert_eq!(h.doc_number("", 2017, "3"), "象工强办〔2017〕3号");
        assert_eq!(h.doc_number("考", 2017, "12"), "象工强办考〔2017〕12号");
    }

    #[test]
    fn a_checked_header_is_trimmed_and_each_bad_field_is_named() {
        let typed = DocumentHeader {
            issuer: "  宁海县工业强县建设领导小组办公室 ".into(),
            doc_prefix: " 宁工强办".into(),
            recipients: "各乡镇人民政府、街道办事处".into(),
            copy_to: String::new(),
        };
        let h = typed.checked().unwrap();
        assert_eq!(h.issuer, "宁海县工业强县建设领导小组办公室");
        assert_eq!(h.doc_prefix, "宁工强办");
        assert_eq!(h.copy_to, "");
        let bad = |f: fn(&mut DocumentHeader)| {
            let mut h = typed.clone();
            f(&mut h);
            h.checked().unwrap_err()
        };
        assert!(bad(|h| h.issuer = " ".into()).starts_with("发文机关: 不能为空"));
        assert!(
            bad(|h| h.doc_prefix = "宁工强办〔2017〕".into())
                .starts_with("发文机关代字: 不应含有「〔」")
        );
        assert!(
            bad(|h| h.doc_prefix = "宁工强办2".into()).starts_with("发文机关代字: 不应含有「2」")
        );
        assert!(bad(|h| h.recipients = String::new()).starts_with("主送机关: 不能为空"));
        assert!(bad(|h| h.copy_to = "抄".repeat(301)).starts_with("抄送机关: 不超过300字"));
    }
}
