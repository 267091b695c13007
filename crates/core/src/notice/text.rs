//! What a notice says, kept as its kind of sentence and the facts in it, so each reader reads
//! it in their own language. The Chinese sentence is also stored beside it (`notices.message`)
//! for webhooks and for notices written before this type, which are shown as stored.
//!
//! Names (a project's, a unit's, a firm's) and what people typed (a reason, a note) are shown
//! as they were written; dates stay ISO dates; periods, stages and states are named in the
//! reader's language.

use crate::coded::by_code;
use crate::label::{Labelled, Lang, say};
use crate::meeting::Colour;
use crate::period::Period;
use crate::problem::{Status, Tier};
use crate::project::{FunnelAlert, Stage};
use serde::{Deserialize, Serialize};

/// One notice's sentence. Stored as JSON (`notices.body`); a variant's name and fields are
/// the stored form, so rename none of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Text {
    // 月度报送: `period` is a period code ("2017-06").
    ReportDue {
        period: String,
        due: String,
    },
    ReportSubmitted {
        unit: String,
        period: String,
    },
    ReportApproved {
        period: String,
    },
    ReportReturned {
        period: String,
        comment: String,
    },
    ReportWithdrawn {
        unit: String,
        period: String,
    },
    // 企业难题
    ProblemSubmitted {
        id: i64,
        title: String,
        enterprise: String,
    },
    /// 临近期限 or (with `overdue`) 已超期.
    ProblemDeadline {
        id: i64,
        #[serde(with = "by_code")]
        status: Status,
        overdue: bool,
        due: String,
    },
    /// 交办: to the lead unit (主办) or a supporting one (协办).
    ProblemAssigned {
        id: i64,
        lead: bool,
    },
    ProblemReturned {
        id: i64,
        reason: String,
    },
    ProblemExtensionAsked {
        id: i64,
        days: i64,
    },
    /// The office's answer to an extension request, with its note.
    ProblemExtensionDecided {
        id: i64,
        approved: bool,
        days: i64,
        note: String,
    },
    ProblemUrged {
        id: i64,
        note: String,
    },
    /// 升级 to the next tier, with the reason.
    ProblemEscalated {
        id: i64,
        #[serde(with = "by_code")]
        tier: Tier,
        reason: String,
    },
    ProblemAnswered {
        id: i64,
    },
    ProblemRedo {
        id: i64,
        reason: String,
    },
    ProblemClosed {
        id: i64,
    },
    /// What the office's "新难题, 待受理" becomes when the firm withdraws it.
    ProblemWithdrawn {
        id: i64,
    },
    // 重大项目与招商
    ProjectAssigned {
        project: String,
    },
    /// Investment far behind the year's schedule: `pct` of the annual plan done.
    ProjectBehind {
        project: String,
        pct: f64,
    },
    /// A planned stage date passed; `stage` is the stage's code (empty when unknown).
    ProjectOverdue {
        project: String,
        stage: String,
        on: String,
    },
    ProjectFunnel {
        project: String,
        #[serde(with = "by_code")]
        alert: FunnelAlert,
        #[serde(with = "by_code")]
        stage: Stage,
        since: String,
        days: i64,
    },
    ProjectHalted {
        project: String,
        reason: String,
    },
    ProjectStage {
        project: String,
        #[serde(with = "by_code")]
        from: Stage,
        #[serde(with = "by_code")]
        to: Stage,
        on: String,
    },
    LeadNew {
        investor: String,
        found_by: String,
    },
    LeadAssigned {
        investor: String,
    },
    // 考核评价: `period` is the run's period code.
    AssessmentObjection {
        unit: String,
        period: String,
        item: String,
    },
    /// An objection answered: upheld (with the item's points before and after, when changed)
    /// or not.
    AssessmentAnswered {
        period: String,
        upheld: bool,
        points: Option<(f64, f64)>,
    },
    AssessmentPublished {
        period: String,
        until: String,
    },
    AssessmentFinalised {
        period: String,
    },
    // 工作例会与督办: `text` and `topic` are excerpts of what was written.
    MeetingNotified {
        title: String,
        held_on: String,
        place: String,
        statement_due: Option<String>,
    },
    MinutesIssued {
        title: String,
        held_on: String,
    },
    StatementAsked {
        title: String,
        held_on: String,
        topic: String,
        due: Option<String>,
    },
    StatementDue {
        title: String,
        held_on: String,
        topic: String,
        overdue: bool,
        due: String,
    },
    ResolutionLead {
        title: String,
        held_on: String,
        deadline: String,
        feedback_due: String,
        text: String,
    },
    ResolutionSupport {
        title: String,
        held_on: String,
        text: String,
    },
    SupervisionColour {
        text: String,
        #[serde(with = "by_code")]
        colour: Colour,
        deadline: String,
        feedback_due: String,
        unit: String,
    },
    SupervisionFedBack {
        unit: String,
        text: String,
    },
    SupervisionReturned {
        text: String,
        note: String,
    },
    SupervisionUrged {
        text: String,
        deadline: String,
    },
    SupervisionClosed {
        text: String,
    },
    // 企业培育
    CultivationStalled {
        firm: String,
        pipeline: String,
        since: String,
        days: i64,
    },
    CultivationExpiring {
        firm: String,
        pipeline: String,
        end: String,
        left: i64,
    },
}

/// A period code as the reader names it ("2017年6月" / "2017-06"); a code that does not read
/// is shown as it is.
fn period(code: &str, lang: Lang) -> String {
    code.parse::<Period>()
        .map_or_else(|_| code.to_string(), |p| p.label(lang))
}

impl Text {
    /// The sentence in `lang` (an empty note at its end leaves no trailing space or stop).
    pub fn render(&self, lang: Lang) -> String {
        let mut s = self.sentence(lang);
        s.truncate(s.trim_end().len());
        s
    }

    fn sentence(&self, l: Lang) -> String {
        match self {
            Text::ReportDue { period: p, due } => {
                let p = period(p, l);
                say!(
                    l,
                    "请于 {due} 前报送 {p} 工作推进情况",
                    "Please report progress for {p} by {due}"
                )
            }
            Text::ReportSubmitted { unit, period: p } => {
                let p = period(p, l);
                say!(
                    l,
                    "{unit} 报送 {p} 工作推进情况, 待审核",
                    "{unit} reported progress for {p}; awaiting review"
                )
            }
            Text::ReportApproved { period: p } => {
                let p = period(p, l);
                say!(l, "{p} 报送已审核通过", "Report for {p} approved")
            }
            Text::ReportReturned { period: p, comment } => {
                let p = period(p, l);
                say!(
                    l,
                    "{p} 报送被退回: {comment}",
                    "Report for {p} returned: {comment}"
                )
            }
            Text::ReportWithdrawn { unit, period: p } => {
                let p = period(p, l);
                say!(
                    l,
                    "{unit} 撤回了 {p} 的报送",
                    "{unit} withdrew its report for {p}"
                )
            }
            Text::ProblemSubmitted {
                id,
                title,
                enterprise,
            } => say!(
                l,
                "新难题 #{id}「{title}」({enterprise}) 待受理",
                "New problem #{id} “{title}” ({enterprise}) awaits acceptance"
            ),
            Text::ProblemDeadline {
                id,
                status,
                overdue,
                due,
            } => {
                let status = status.label(l);
                if *overdue {
                    say!(
                        l,
                        "难题 #{id}「{status}」已超期 (期限 {due})",
                        "Problem #{id} ({status}) is overdue (due {due})"
                    )
                } else {
                    say!(
                        l,
                        "难题 #{id}「{status}」临近期限 (期限 {due})",
                        "Problem #{id} ({status}) is near its deadline (due {due})"
                    )
                }
            }
            Text::ProblemAssigned { id, lead: true } => say!(
                l,
                "难题 #{id} 交办贵单位主办, 请按时答复",
                "Problem #{id} assigned to your unit to lead; please answer on time"
            ),
            Text::ProblemAssigned { id, lead: false } => say!(
                l,
                "难题 #{id} 交办贵单位协办",
                "Problem #{id} assigned to your unit to support"
            ),
            Text::ProblemReturned { id, reason } => say!(
                l,
                "难题 #{id} 被承办单位退回: {reason}",
                "Problem #{id} was returned by the handling unit: {reason}"
            ),
            Text::ProblemExtensionAsked { id, days } => say!(
                l,
                "难题 #{id} 申请延期{days}个工作日",
                "Problem #{id}: an extension of {days} working days is requested"
            ),
            Text::ProblemExtensionDecided {
                id,
                approved,
                days,
                note,
            } => {
                let (zh, en) = match approved {
                    true => ("同意", "approved"),
                    false => ("不同意", "refused"),
                };
                let note_en = match note.as_str() {
                    "" => String::new(),
                    note => format!(": {note}"),
                };
                say!(
                    l,
                    "难题 #{id}: {zh}延期{days}个工作日 {note}",
                    "Problem #{id}: an extension of {days} working days is {en}{note_en}"
                )
            }
            Text::ProblemUrged { id, note } => say!(
                l,
                "难题 #{id} 被督办: {note}",
                "Problem #{id} was urged: {note}"
            ),
            Text::ProblemEscalated { id, tier, reason } => {
                let tier = tier.label(l);
                let reason = match l {
                    Lang::En if reason == crate::problem::AUTO_ESCALATION_REASON => {
                        "no answer by the deadline, raised automatically"
                    }
                    _ => reason,
                };
                say!(
                    l,
                    "难题 #{id} 升级至{tier}: {reason}",
                    "Problem #{id} escalated to {tier}: {reason}"
                )
            }
            Text::ProblemAnswered { id } => say!(
                l,
                "难题 #{id} 已答复, 请评价",
                "Problem #{id} has been answered; please rate the answer"
            ),
            Text::ProblemRedo { id, reason } => say!(
                l,
                "难题 #{id} 企业不满意, 重新办理: {reason}",
                "Problem #{id}: the enterprise is not satisfied; handle it again: {reason}"
            ),
            Text::ProblemClosed { id } => say!(l, "难题 #{id} 已办结", "Problem #{id} is closed"),
            Text::ProblemWithdrawn { id } => say!(
                l,
                "难题 #{id} 已由企业撤回, 无需受理",
                "Problem #{id} was withdrawn by the enterprise; nothing to accept"
            ),
            Text::ProjectAssigned { project } => say!(
                l,
                "重大项目「{project}」已录入, 由本单位负责推进",
                "Major project “{project}” registered; your unit is responsible for it"
            ),
            Text::ProjectBehind { project, pct } => say!(
                l,
                "重大项目「{project}」本年投资严重滞后于序时进度 (已完成年度计划的{pct:.1}%), 请加快推进",
                "Major project “{project}”: this year's investment is far behind schedule ({pct:.1}% of the annual plan done); please speed up"
            ),
            Text::ProjectOverdue { project, stage, on } => {
                let stage = Stage::from_code(stage).map_or("", |s| s.label(l));
                say!(
                    l,
                    "重大项目「{project}」计划于 {on} {stage}, 至今未完成, 已逾期",
                    "Major project “{project}”: “{stage}” was planned for {on} and is not done: overdue"
                )
            }
            Text::ProjectFunnel {
                project,
                alert,
                stage,
                since,
                days,
            } => {
                let (alert, stage) = (alert.label(l), stage.label(l));
                say!(
                    l,
                    "重大项目「{project}」{alert}: 自 {since} {stage}至今已超过{days}天",
                    "Major project “{project}”, {alert}: at “{stage}” since {since}, more than {days} days"
                )
            }
            Text::ProjectHalted { project, reason } => say!(
                l,
                "重大项目「{project}」已中止: {reason}",
                "Major project “{project}” was halted: {reason}"
            ),
            Text::ProjectStage {
                project,
                from,
                to,
                on,
            } => {
                let (from, to) = (from.label(l), to.label(l));
                say!(
                    l,
                    "重大项目「{project}」由「{from}」推进至「{to}」({on})",
                    "Major project “{project}” moved from “{from}” to “{to}” ({on})"
                )
            }
            Text::LeadNew { investor, found_by } => say!(
                l,
                "新招商线索「{investor}」(提供人: {found_by}) 待处理",
                "New investment lead “{investor}” (from {found_by}) awaits handling"
            ),
            Text::LeadAssigned { investor } => say!(
                l,
                "招商线索「{investor}」已交由本单位跟进",
                "Investment lead “{investor}” handed to your unit to follow up"
            ),
            Text::AssessmentObjection {
                unit,
                period: p,
                item,
            } => {
                let p = period(p, l);
                say!(
                    l,
                    "{unit}对{p}考核“{item}”提出异议, 请在公示期内答复",
                    "{unit} objects to “{item}” in the {p} assessment; please answer within the publicity period"
                )
            }
            Text::AssessmentAnswered {
                period: p,
                upheld,
                points,
            } => {
                let p = period(p, l);
                let outcome = match (upheld, points) {
                    (true, Some((b, a))) => say!(
                        l,
                        "予以采纳, 该项得分由 {b:.2} 调整为 {a:.2}",
                        "upheld, the item's points changed from {b:.2} to {a:.2}"
                    ),
                    (true, None) => say!(l, "予以采纳", "upheld"),
                    (false, _) => say!(l, "不予采纳", "not upheld"),
                };
                say!(
                    l,
                    "{p}考核异议已答复: {outcome}",
                    "Objection to the {p} assessment answered: {outcome}"
                )
            }
            Text::AssessmentPublished { period: p, until } => {
                let p = period(p, l);
                say!(
                    l,
                    "{p}考核初步结果公示至 {until}, 请核对本单位得分, 如有异议请在公示期内提出",
                    "Preliminary {p} assessment results are public until {until}; please check your unit's points and object within that time if needed"
                )
            }
            Text::AssessmentFinalised { period: p } => {
                let p = period(p, l);
                say!(
                    l,
                    "{p}考核结果已终审",
                    "The {p} assessment results are final"
                )
            }
            Text::MeetingNotified {
                title,
                held_on,
                place,
                statement_due,
            } => {
                let place = match place.as_str() {
                    "" => String::new(),
                    place => say!(l, "(地点: {place})", " (place: {place})"),
                };
                let due = match statement_due {
                    None => String::new(),
                    Some(d) => say!(
                        l,
                        "; 涉及议题的单位请于 {d} 前报送情况说明",
                        ". Units with agenda items: send your statements by {d}"
                    ),
                };
                say!(
                    l,
                    "{title} 定于 {held_on} 召开{place}, 请准时参加{due}",
                    "{title} will be held on {held_on}{place}; please attend on time{due}"
                )
            }
            Text::MinutesIssued { title, held_on } => say!(
                l,
                "{title} ({held_on}) 会议纪要已印发",
                "Minutes of {title} ({held_on}) issued"
            ),
            Text::StatementAsked {
                title,
                held_on,
                topic,
                due,
            } => {
                let due = match due {
                    None => String::new(),
                    Some(d) => say!(l, "于 {d} 前", " by {d}"),
                };
                say!(
                    l,
                    "{title} ({held_on}) 议题「{topic}」请贵单位{due}报送情况说明",
                    "{title} ({held_on}): please send your unit's statement on “{topic}”{due}"
                )
            }
            Text::StatementDue {
                title,
                held_on,
                topic,
                overdue,
                due,
            } => {
                let when = match overdue {
                    true => say!(l, "已逾期", "is overdue"),
                    false => say!(l, "即将到期", "is due soon"),
                };
                say!(
                    l,
                    "{title} ({held_on}) 议题「{topic}」的情况说明{when}, 请于 {due} 前报送",
                    "{title} ({held_on}): the statement on “{topic}” {when}; please send it by {due}"
                )
            }
            Text::ResolutionLead {
                title,
                held_on,
                deadline,
                feedback_due,
                text,
            } => say!(
                l,
                "{title} ({held_on}) 议定事项交贵单位牵头落实, {deadline} 前办结, {feedback_due} 前反馈: {text}",
                "{title} ({held_on}): your unit leads a decision, to finish by {deadline} and report back by {feedback_due}: {text}"
            ),
            Text::ResolutionSupport {
                title,
                held_on,
                text,
            } => say!(
                l,
                "{title} ({held_on}) 议定事项请贵单位配合落实: {text}",
                "{title} ({held_on}): please help carry out a decision: {text}"
            ),
            Text::SupervisionColour {
                text,
                colour,
                deadline,
                feedback_due,
                unit,
            } => {
                let colour = colour.label(l);
                say!(
                    l,
                    "督办事项「{text}」{colour}: 办理期限 {deadline}, 反馈期限 {feedback_due} ({unit})",
                    "Supervised item “{text}”, {colour}: due {deadline}, feedback due {feedback_due} ({unit})"
                )
            }
            Text::SupervisionFedBack { unit, text } => say!(
                l,
                "{unit} 反馈了督办事项「{text}」, 请复核",
                "{unit} reported back on supervised item “{text}”; please review"
            ),
            Text::SupervisionReturned { text, note } => say!(
                l,
                "督办事项「{text}」被退回: {note}",
                "Supervised item “{text}” was returned: {note}"
            ),
            Text::SupervisionUrged { text, deadline } => say!(
                l,
                "请抓紧办理督办事项「{text}」(期限 {deadline})",
                "Please hurry with supervised item “{text}” (due {deadline})"
            ),
            Text::SupervisionClosed { text } => say!(
                l,
                "督办事项「{text}」已销号",
                "Supervised item “{text}” closed"
            ),
            Text::CultivationStalled {
                firm,
                pipeline,
                since,
                days,
            } => say!(
                l,
                "{firm} 在「{pipeline}」中自 {since} 起已超过{days}天未变动, 请跟进培育",
                "{firm} has not moved in “{pipeline}” since {since} (more than {days} days); please follow up"
            ),
            Text::CultivationExpiring {
                firm,
                pipeline,
                end,
                left,
            } => say!(
                l,
                "{firm} 的「{pipeline}」资格将于 {end} 到期 (还有{left}天), 请提醒企业及时复审",
                "{firm}'s “{pipeline}” status expires on {end} ({left} days left); remind the firm to renew in time"
            ),
        }
    }

    /// The stored form (`notices.body`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a notice text is plain data")
    }

    /// Reads the stored form back; `None` for a body this version cannot read (the stored
    /// Chinese sentence is shown instead).
    pub fn from_json(body: &str) -> Option<Text> {
        serde_json::from_str(body).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_in_each_language_and_survives_storage() {
        let t = Text::ProjectStage {
            project: "年产10万吨项目".into(),
            from: Stage::Signed,
            to: Stage::Started,
            on: "2017-06-01".into(),
        };
        assert_eq!(
            t.render(Lang::Zh),
            "重大项目「年产10万吨项目」由「签约」推进至「开工」(2017-06-01)"
        );
        let en = t.render(Lang::En);
        assert!(
            en.starts_with("Major project “年产10万吨项目” moved from"),
            "{en}"
        );
        assert!(!en.contains("已签约"), "{en}");
        assert_eq!(Text::from_json(&t.to_json()), Some(t));
        assert_eq!(Text::from_json(r#"{"t":"no_such_kind"}"#), None);
        assert_eq!(
            Text::from_json(
                r#"{"t":"project_stage","project":"x","from":"nope","to":"started","on":""}"#
            ),
            None
        );
    }

    #[test]
    fn periods_are_named_in_the_readers_language() {
        let t = Text::ReportDue {
            period: "2017-06".into(),
            due: "2017-07-10".into(),
        };
        assert_eq!(
            t.render(Lang::Zh),
            "请于 2017-07-10 前报送 2017年6月 工作推进情况"
        );
        assert_eq!(
            t.render(Lang::En),
            "Please report progress for 2017-06 by 2017-07-10"
        );
        let auto = Text::ProblemEscalated {
            id: 226,
            tier: Tier::Department,
            reason: crate::problem::AUTO_ESCALATION_REASON.into(),
        };
        assert_eq!(
            auto.render(Lang::Zh),
            "难题 #226 升级至县级部门: 答复超期自动升级"
        );
        assert_eq!(
            auto.render(Lang::En),
            "Problem #226 escalated to County department: no answer by the deadline, raised automatically"
        );
        let bare = Text::ProblemExtensionDecided {
            id: 9,
            approved: false,
            days: 5,
            note: String::new(),
        };
        assert_eq!(bare.render(Lang::Zh), "难题 #9: 不同意延期5个工作日");
        assert_eq!(
            bare.render(Lang::En),
            "Problem #9: an extension of 5 working days is refused"
        );
        let with_note = Text::ProblemExtensionDecided {
            id: 9,
            approved: true,
            days: 5,
            note: "材料不全".into(),
        };
        assert_eq!(
            with_note.render(Lang::Zh),
            "难题 #9: 同意延期5个工作日 材料不全"
        );
        assert_eq!(
            with_note.render(Lang::En),
            "Problem #9: an extension of 5 working days is approved: 材料不全"
        );
        let odd = Text::AssessmentFinalised {
            period: "上半年".into(),
        };
        assert_eq!(odd.render(Lang::Zh), "上半年考核结果已终审");
    }

    #[test]
    fn no_english_sentence_carries_chinese_of_its_own() {
        // Every variant with plain ASCII facts: any CJK left in the English is the template's.
        let all = [
            Text::ReportDue {
                period: "2017-06".into(),
                due: "d".into(),
            },
            Text::ReportSubmitted {
                unit: "u".into(),
                period: "2017-06".into(),
            },
            Text::ReportApproved {
                period: "2017-06".into(),
            },
            Text::ReportReturned {
                period: "2017-06".into(),
                comment: "c".into(),
            },
            Text::ReportWithdrawn {
                unit: "u".into(),
                period: "2017-06".into(),
            },
            Text::ProblemSubmitted {
                id: 1,
                title: "t".into(),
                enterprise: "e".into(),
            },
            Text::ProblemDeadline {
                id: 1,
                status: Status::Assigned,
                overdue: true,
                due: "d".into(),
            },
            Text::ProblemDeadline {
                id: 1,
                status: Status::InProgress,
                overdue: false,
                due: "d".into(),
            },
            Text::ProblemAssigned { id: 1, lead: true },
            Text::ProblemAssigned { id: 1, lead: false },
            Text::ProblemReturned {
                id: 1,
                reason: "r".into(),
            },
            Text::ProblemExtensionAsked { id: 1, days: 5 },
            Text::ProblemExtensionDecided {
                id: 1,
                approved: true,
                days: 5,
                note: "n".into(),
            },
            Text::ProblemExtensionDecided {
                id: 1,
                approved: false,
                days: 5,
                note: String::new(),
            },
            Text::ProblemUrged {
                id: 1,
                note: "n".into(),
            },
            Text::ProblemEscalated {
                id: 1,
                tier: Tier::Department,
                reason: "r".into(),
            },
            Text::ProblemAnswered { id: 1 },
            Text::ProblemRedo {
                id: 1,
                reason: "r".into(),
            },
            Text::ProblemClosed { id: 1 },
            Text::ProblemWithdrawn { id: 1 },
            Text::ProjectAssigned {
                project: "p".into(),
            },
            Text::ProjectBehind {
                project: "p".into(),
                pct: 12.34,
            },
            Text::ProjectOverdue {
                project: "p".into(),
                stage: "started".into(),
                on: "d".into(),
            },
            Text::ProjectOverdue {
                project: "p".into(),
                stage: String::new(),
                on: "d".into(),
            },
            Text::ProjectFunnel {
                project: "p".into(),
                alert: FunnelAlert::SignedNotRegistered,
                stage: Stage::Signed,
                since: "d".into(),
                days: 60,
            },
            Text::ProjectHalted {
                project: "p".into(),
                reason: "r".into(),
            },
            Text::ProjectStage {
                project: "p".into(),
                from: Stage::Signed,
                to: Stage::Registered,
                on: "d".into(),
            },
            Text::LeadNew {
                investor: "i".into(),
                found_by: "f".into(),
            },
            Text::LeadAssigned {
                investor: "i".into(),
            },
            Text::AssessmentObjection {
                unit: "u".into(),
                period: "2017Q3".into(),
                item: "i".into(),
            },
            Text::AssessmentAnswered {
                period: "2017".into(),
                upheld: true,
                points: Some((1.0, 2.0)),
            },
            Text::AssessmentAnswered {
                period: "2017".into(),
                upheld: true,
                points: None,
            },
            Text::AssessmentAnswered {
                period: "2017".into(),
                upheld: false,
                points: None,
            },
            Text::AssessmentPublished {
                period: "2017".into(),
                until: "d".into(),
            },
            Text::AssessmentFinalised {
                period: "2017".into(),
            },
            Text::MeetingNotified {
                title: "m".into(),
                held_on: "d".into(),
                place: "p".into(),
                statement_due: Some("d".into()),
            },
            Text::MinutesIssued {
                title: "m".into(),
                held_on: "d".into(),
            },
            Text::StatementAsked {
                title: "m".into(),
                held_on: "d".into(),
                topic: "t".into(),
                due: Some("d".into()),
            },
            Text::StatementDue {
                title: "m".into(),
                held_on: "d".into(),
                topic: "t".into(),
                overdue: true,
                due: "d".into(),
            },
            Text::ResolutionLead {
                title: "m".into(),
                held_on: "d".into(),
                deadline: "d".into(),
                feedback_due: "d".into(),
                text: "t".into(),
            },
            Text::ResolutionSupport {
                title: "m".into(),
                held_on: "d".into(),
                text: "t".into(),
            },
            Text::SupervisionColour {
                text: "t".into(),
                colour: Colour::Red,
                deadline: "d".into(),
                feedback_due: "d".into(),
                unit: "u".into(),
            },
            Text::SupervisionFedBack {
                unit: "u".into(),
                text: "t".into(),
            },
            Text::SupervisionReturned {
                text: "t".into(),
                note: "n".into(),
            },
            Text::SupervisionUrged {
                text: "t".into(),
                deadline: "d".into(),
            },
            Text::SupervisionClosed { text: "t".into() },
            Text::CultivationStalled {
                firm: "f".into(),
                pipeline: "p".into(),
                since: "d".into(),
                days: 90,
            },
            Text::CultivationExpiring {
                firm: "f".into(),
                pipeline: "p".into(),
                end: "d".into(),
                left: 30,
            },
        ];
        for t in &all {
            let en = t.render(Lang::En);
            assert!(
                en.is_ascii() || !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{t:?}: {en}"
            );
            assert!(
                t.render(Lang::Zh)
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{t:?}"
            );
            assert_eq!(Text::from_json(&t.to_json()).as_ref(), Some(t));
        }
    }
}
