//! Free-text fields and their length limits, each defined once; and text as typed on a Chinese
//! keyboard made plain ([`halfwidth`]).
//!
//! The store method that writes a field checks it with its [`TextField`], so a form, the JSON
//! API and the CLI all meet the same limit; the `maxlength` in a form is only a courtesy.

/// A free-text field: its name in messages, the most characters it holds, and whether it
/// may be left empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField {
    pub label: &'static str,
    pub max_chars: usize,
    pub required: bool,
}

impl TextField {
    const fn required(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            max_chars,
            required: true,
        }
    }

    const fn optional(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            max_chars,
            required: false,
        }
    }

    /// The value trimmed, or a message naming the field and the limit.
    pub fn check<'a>(&self, value: &'a str) -> Result<&'a str, String> {
        let v = value.trim();
        if self.required && v.is_empty() {
            return Err(format!("{}: 不能为空 (required)", self.label));
        }
        let count = v.chars().count();
        if count > self.max_chars {
            return Err(format!(
                "{}: 不超过{}字, 实际为{count}字 (at most {} characters)",
                self.label, self.max_chars, self.max_chars
            ));
        }
        Ok(v)
    }
}

/// A unit's liaison (联络员).
pub const UNIT_CONTACT: TextField = TextField::optional("联络员", 50);
/// A unit's liaison phone.
pub const UNIT_PHONE: TextField = TextField::optional("联系电话", 30);
/// A user's name as shown (姓名).
pub const USER_NAME: TextField = TextField::required("姓名", 50);
/// A user's phone.
pub const USER_PHONE: TextField = TextField::optional("电话", 30);
/// A problem's subject.
pub const PROBLEM_TITLE: TextField = TextField::required("标题", 100);
/// A problem's description.
pub const PROBLEM_DESCRIPTION: TextField = TextField::required("问题描述", 5000);
/// The enterprise's contact for a problem.
pub const PROBLEM_CONTACT_NAME: TextField = TextField::optional("联系人", 50);
/// The contact's phone for a problem.
pub const PROBLEM_CONTACT_PHONE: TextField = TextField::optional("联系电话", 30);
/// A note on a handling step (受理, 交办, 延期审批, 督办, 办结).
pub const STEP_NOTE: TextField = TextField::optional("说明", 500);

/// Why a unit has no figure for an indicator this month (本月无数据).
pub const NO_FIGURE_REASON: TextField = TextField::required("本月无数据的原因", 200);
/// Why a unit returns a problem.
pub const RETURN_REASON: TextField = TextField::required("退回理由", 500);
/// Why a unit asks for more time.
pub const EXTENSION_REASON: TextField = TextField::required("延期理由", 500);
/// Why the office escalates (optional).
pub const ESCALATION_REASON: TextField = TextField::optional("升级理由", 500);
/// Why an unsatisfied enterprise's problem is handled again.
pub const REDO_REASON: TextField = TextField::required("重办理由", 500);
/// The enterprise's comment with its rating.
pub const RATING_COMMENT: TextField = TextField::optional("评价意见", 500);
/// A unit's answer to a problem.
pub const ANSWER: TextField = TextField::required("答复内容", 5000);
/// A decision of the 例会 (regular meeting).
pub const MEETING_DECISION: TextField = TextField::required("会议决定", 2000);
/// A report on how a meeting decision is carried out.
pub const DECISION_PROGRESS: TextField = TextField::required("落实情况", 2000);
/// A meeting's title.
pub const MEETING_TITLE: TextField = TextField::required("会议名称", 100);
/// Where a meeting is held, who convenes it.
pub const MEETING_PLACE: TextField = TextField::optional("会议地点", 100);
/// Who convenes a meeting.
pub const MEETING_CONVENOR: TextField = TextField::optional("召集人", 100);
/// An agenda item's text (议题).
pub const AGENDA_TEXT: TextField = TextField::required("议题", 2000);
/// A unit's 情况说明 on an agenda item.
pub const AGENDA_STATEMENT: TextField = TextField::required("情况说明", 2000);
/// A note with a 督办 step (progress, feedback, the reason for returning it).
pub const SUPERVISION_NOTE: TextField = TextField::optional("办理说明", 2000);
/// Why the office returns a 督办 item.
pub const SUPERVISION_RETURN_REASON: TextField = TextField::required("退回理由", 500);
/// 发文机关 of the county's documents (版头 and 署名).
pub const DOC_ISSUER: TextField = TextField::required("发文机关", 40);
/// 发文机关代字, the 文号's first part (象工强办〔2017〕3号).
pub const DOC_PREFIX: TextField = TextField::required("发文机关代字", 12);
/// 主送机关.
pub const DOC_RECIPIENTS: TextField = TextField::required("主送机关", 300);
/// 抄送机关.
pub const DOC_COPY_TO: TextField = TextField::optional("抄送机关", 300);

/// 企业培育库: a pipeline's name.
pub const PIPELINE_NAME: TextField = TextField::required("名称", 50);
/// 企业培育库: a pipeline's entry criteria, a stage's policy.
pub const PIPELINE_TEXT: TextField = TextField::optional("说明", 1000);
/// 企业培育库: a stage's name.
pub const STAGE_NAME: TextField = TextField::required("阶段名称", 50);
/// 企业培育库: the evidence of a move (文件号, 名单, 说明).
pub const MOVE_EVIDENCE: TextField = TextField::optional("依据", 500);
/// 企业培育库: an entry's name, 注册号, certificate number, board, stock code.
pub const ENTRY_FIELD: TextField = TextField::optional("登记信息", 100);

/// Full-width ASCII forms (U+FF01–U+FF5E: `１２`, `％`, `／`, `．`) to their ASCII twins, and the
/// minus sign U+2212 to `-`: what a Chinese keyboard types in place of digits and signs.
pub fn to_halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{2212}' => '-',
        _ => c,
    }
}

/// `s` trimmed with every character through [`to_halfwidth`] ("１９９９" → "1999").
pub fn halfwidth(s: &str) -> String {
    s.trim().chars().map(to_halfwidth).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes_and_name_the_field() {
        assert_eq!(
            UNIT_CONTACT
                .check(&"王".repeat(50))
                .unwrap()
                .chars()
                .count(),
            50
        );
        let err = UNIT_CONTACT.check(&"王".repeat(51)).unwrap_err();
        assert_eq!(
            err,
            "联络员: 不超过50字, 实际为51字 (at most 50 characters)"
        );
        assert_eq!(
            UNIT_PHONE.check("  0574-65123456 ").unwrap(),
            "0574-65123456"
        );
        assert_eq!(UNIT_PHONE.check("").unwrap(), "");
    }

    #[test]
    fn required_fields_refuse_blank_values() {
        assert_eq!(
            PROBLEM_TITLE.check("  ").unwrap_err(),
            "标题: 不能为空 (required)"
        );
        assert!(USER_NAME.check("\t").is_err());
        assert!(STEP_NOTE.check("").is_ok());
    }

    #[test]
    fn full_width_digits_and_signs_are_made_ascii() {
        assert_eq!(halfwidth(" １９９９ "), "1999");
        assert_eq!(halfwidth("８％"), "8%");
        assert_eq!(halfwidth("－１２．５"), "-12.5");
        assert_eq!(halfwidth("\u{2212}3"), "-3");
        assert_eq!(halfwidth("象山２０１７年"), "象山2017年");
    }
}
