//! In-app notices (站内通知): who a notice is for, what it is about, and where it leads.
//!
//! A notice names its subject (a report period, a problem, a bulletin …), never a stored
//! link: the link is made when the notice is read, and only if the reader may still open the
//! subject then. A reminder about a problem that has since been handed to another unit
//! therefore never leads its first unit to a "not found" page. Every module that tells people
//! about work (monitoring, problems, bulletins, evaluation, and later projects and meetings)
//! writes through one store function with these types.

use crate::access::{Actor, Role};
use crate::coded::coded_enum;
use serde::Serialize;

mod text;
pub use text::Text;

/// Who a notice is for. A unit's or an enterprise's notice reaches every user of it; each user
/// marks it read for themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// One person.
    User(i64),
    /// Every user of one responsible unit (责任单位).
    Unit(i64),
    /// Every user of one enterprise.
    Enterprise(i64),
    /// The office (办公室, administrators).
    Office,
    /// County leaders.
    Leaders,
    /// The office and the leaders together.
    County,
}

impl Audience {
    /// The two stored columns: `audience` and `audience_id`.
    pub fn to_parts(self) -> (&'static str, Option<i64>) {
        match self {
            Audience::User(id) => ("user", Some(id)),
            Audience::Unit(id) => ("unit", Some(id)),
            Audience::Enterprise(id) => ("enterprise", Some(id)),
            Audience::Office => ("office", None),
            Audience::Leaders => ("leaders", None),
            Audience::County => ("county", None),
        }
    }

    /// Reads the stored columns back; a value this version does not know is an error.
    pub fn from_parts(audience: &str, id: Option<i64>) -> Result<Self, NoticeError> {
        let bad = || NoticeError(format!("audience {audience:?} {id:?}"));
        Ok(match (audience, id) {
            ("user", Some(id)) => Audience::User(id),
            ("unit", Some(id)) => Audience::Unit(id),
            ("enterprise", Some(id)) => Audience::Enterprise(id),
            ("office", None) => Audience::Office,
            ("leaders", None) => Audience::Leaders,
            ("county", None) => Audience::County,
            _ => return Err(bad()),
        })
    }

    /// Whether `actor` is among those the notice is for.
    pub fn includes(self, actor: &Actor) -> bool {
        match self {
            Audience::User(id) => actor.user_id == id,
            Audience::Unit(id) => actor.role == Role::Unit && actor.unit_id == Some(id),
            Audience::Enterprise(id) => {
                actor.role == Role::Enterprise && actor.enterprise_id == Some(id)
            }
            Audience::Office => actor.role == Role::Admin,
            Audience::Leaders => actor.role == Role::Leader,
            Audience::County => matches!(actor.role, Role::Admin | Role::Leader),
        }
    }

    /// The audiences an actor's inbox gathers, as the stored column pairs (at most three).
    pub fn of_actor(actor: &Actor) -> Vec<(&'static str, Option<i64>)> {
        let mut all = vec![Audience::User(actor.user_id).to_parts()];
        match actor.role {
            Role::Admin => {
                all.push(Audience::Office.to_parts());
                all.push(Audience::County.to_parts());
            }
            Role::Leader => {
                all.push(Audience::Leaders.to_parts());
                all.push(Audience::County.to_parts());
            }
            Role::Unit => all.extend(actor.unit_id.map(|id| Audience::Unit(id).to_parts())),
            Role::Enterprise => all.extend(
                actor
                    .enterprise_id
                    .map(|id| Audience::Enterprise(id).to_parts()),
            ),
        }
        all
    }
}

/// What a notice is about. The page it leads to is derived from this when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// A month's report of the reader's unit (月度报送).
    ReportPeriod(i64),
    /// One submission, as the office reviews it.
    Submission(i64),
    /// An enterprise problem (企业难题).
    Problem(i64),
    /// An issued bulletin (快报/通报).
    Bulletin(i64),
    /// An objection to an evaluation result (公示异议).
    EvalObjection(i64),
    /// A plan (工作推进方案).
    Plan(i64),
    /// A major project (重大项目).
    Project(i64),
    /// An investment lead (招商线索).
    Lead(i64),
    /// A meeting (工作例会).
    Meeting(i64),
    /// A 督办 item.
    Supervision(i64),
    /// An entry of the 企业培育库.
    CultivationEntry(i64),
    /// An assessment run (考核评价), as the office reviews it.
    AssessmentRun(i64),
    /// One unit's result in an assessment run (its breakdown).
    AssessmentResult(i64),
    /// Nothing to open (a general announcement).
    None,
}

impl Subject {
    /// The two stored columns: `subject_type` and `subject_id`.
    pub fn to_parts(self) -> (&'static str, Option<i64>) {
        match self {
            Subject::ReportPeriod(id) => ("report_period", Some(id)),
            Subject::Submission(id) => ("submission", Some(id)),
            Subject::Problem(id) => ("problem", Some(id)),
            Subject::Bulletin(id) => ("bulletin", Some(id)),
            Subject::EvalObjection(id) => ("eval_objection", Some(id)),
            Subject::Plan(id) => ("plan", Some(id)),
            Subject::Project(id) => ("project", Some(id)),
            Subject::Lead(id) => ("lead", Some(id)),
            Subject::Meeting(id) => ("meeting", Some(id)),
            Subject::Supervision(id) => ("supervision", Some(id)),
            Subject::CultivationEntry(id) => ("cultivation_entry", Some(id)),
            Subject::AssessmentRun(id) => ("assessment_run", Some(id)),
            Subject::AssessmentResult(id) => ("assessment_result", Some(id)),
            Subject::None => ("none", None),
        }
    }

    pub fn from_parts(kind: &str, id: Option<i64>) -> Result<Self, NoticeError> {
        Ok(match (kind, id) {
            ("report_period", Some(id)) => Subject::ReportPeriod(id),
            ("submission", Some(id)) => Subject::Submission(id),
            ("problem", Some(id)) => Subject::Problem(id),
            ("bulletin", Some(id)) => Subject::Bulletin(id),
            ("eval_objection", Some(id)) => Subject::EvalObjection(id),
            ("plan", Some(id)) => Subject::Plan(id),
            ("project", Some(id)) => Subject::Project(id),
            ("lead", Some(id)) => Subject::Lead(id),
            ("meeting", Some(id)) => Subject::Meeting(id),
            ("supervision", Some(id)) => Subject::Supervision(id),
            ("cultivation_entry", Some(id)) => Subject::CultivationEntry(id),
            ("assessment_run", Some(id)) => Subject::AssessmentRun(id),
            ("assessment_result", Some(id)) => Subject::AssessmentResult(id),
            ("none", None) => Subject::None,
            _ => return Err(NoticeError(format!("subject {kind:?} {id:?}"))),
        })
    }

    /// The page that shows the subject, for a reader allowed to open it.
    pub fn path(self) -> Option<String> {
        match self {
            Subject::ReportPeriod(id) => Some(format!("/report/{id}")),
            Subject::Submission(id) => Some(format!("/monitor/submissions/{id}/review")),
            Subject::Problem(id) => Some(format!("/problems/{id}")),
            Subject::Bulletin(id) => Some(format!("/bulletins/{id}")),
            Subject::EvalObjection(id) => Some(format!("/enterprises/objections/{id}")),
            Subject::Plan(id) => Some(format!("/plans/{id}")),
            Subject::Project(id) => Some(format!("/projects/{id}")),
            Subject::Lead(id) => Some(format!("/leads/{id}")),
            Subject::Meeting(id) => Some(format!("/meetings/{id}")),
            Subject::Supervision(id) => Some(format!("/supervision/{id}")),
            Subject::CultivationEntry(id) => Some(format!("/cultivation/entries/{id}")),
            Subject::AssessmentRun(id) => Some(format!("/assessment/{id}")),
            Subject::AssessmentResult(id) => Some(format!("/assessment/results/{id}")),
            Subject::None => None,
        }
    }
}

coded_enum! {
    /// The catalogue of events people are told about. The code is stored and sent to
    /// webhooks; it is namespaced by module so that one word ("returned") can mean one
    /// thing for reports and another for problems.
    #[derive(PartialOrd, Ord, Serialize)]
    NoticeKind {
        ReportRemind = "report.remind", "催报", "Reminder";
        ReportSubmitted = "report.submitted", "待审核", "To review";
        ReportReturned = "report.returned", "已退回", "Returned";
        ReportApproved = "report.approved", "已通过", "Approved";
        ReportWithdrawn = "report.withdrawn", "已撤回", "Withdrawn";
        ProblemSubmitted = "problem.submitted", "新难题", "New problem";
        ProblemAssigned = "problem.assigned", "交办", "Assigned";
        ProblemReturned = "problem.returned", "退回", "Handed back";
        ProblemAnswered = "problem.answered", "已答复", "Answered";
        ProblemClosed = "problem.closed", "办结", "Closed";
        ProblemRedo = "problem.redo", "重办", "To redo";
        ProblemExtension = "problem.extension", "延期申请", "Extension";
        ProblemUrged = "problem.urged", "督办", "Urged";
        ProblemEscalated = "problem.escalated", "升级", "Escalated";
        ProblemNear = "problem.near", "临近期限", "Due soon";
        ProblemOverdue = "problem.overdue", "已超期", "Overdue";
        ProblemDecision = "problem.decision", "例会决定", "Meeting decision";
        BulletinIssued = "bulletin.issued", "通报", "Bulletin";
        ObjectionFiled = "evaluation.objection", "异议", "Objection";
        ObjectionAnswered = "evaluation.objection_answered", "异议答复", "Objection answered";
        ProjectStage = "project.stage", "项目阶段变更", "Project stage moved";
        ProjectHalted = "project.halted", "项目中止", "Project halted";
        ProjectAlert = "project.alert", "项目预警", "Project alert";
        LeadAssigned = "lead.assigned", "招商线索交办", "Lead assigned";
        LeadSubmitted = "lead.submitted", "新招商线索", "New lead";
        MeetingNotified = "meeting.notified", "会议通知", "Meeting notice";
        MeetingStatement = "meeting.statement", "报送情况说明", "Statement requested";
        MinutesIssued = "meeting.minutes", "会议纪要", "Minutes issued";
        SupervisionAssigned = "supervision.assigned", "督办交办", "Supervision assigned";
        SupervisionFedBack = "supervision.fed_back", "督办反馈", "Supervision reported back";
        SupervisionReturned = "supervision.returned", "督办退回", "Supervision returned";
        SupervisionUrged = "supervision.urged", "督办催办", "Supervision urged";
        SupervisionClosed = "supervision.closed", "督办销号", "Supervision closed";
        SupervisionBlue = "supervision.blue", "督办临近期限", "Supervision due soon";
        SupervisionYellow = "supervision.yellow", "督办反馈滞后", "Supervision feedback behind";
        SupervisionOverdue = "supervision.overdue", "督办逾期", "Supervision overdue";
        MeetingStatementDue = "meeting.statement_due", "情况说明催报", "Statement due";
        CultivationStalled = "cultivation.stalled", "培育停滞", "Cultivation stalled";
        CultivationExpiring = "cultivation.expiring", "资格将到期", "Certificate expiring";
        AssessmentObjection = "assessment.objection", "考核异议", "Assessment objection";
        AssessmentObjectionAnswered = "assessment.objection_answered", "考核异议答复", "Assessment objection answered";
        AssessmentPublished = "assessment.published", "考核结果公示", "Assessment results published";
        AssessmentFinalised = "assessment.finalised", "考核结果终审", "Assessment results final";
    }
    unknown(code) => NoticeError { NoticeError(format!("kind {code:?}")) }
}

impl NoticeKind {
    pub fn parse(s: &str) -> Result<Self, NoticeError> {
        Self::try_from(s.to_string())
    }
}

/// A stored notice this version cannot read (written by a newer version, or damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable notice: {0}")]
pub struct NoticeError(pub String);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{Labelled, Lang};

    fn actor(role: Role, unit: Option<i64>, enterprise: Option<i64>) -> Actor {
        Actor {
            user_id: 7,
            username: "u".into(),
            role,
            unit_id: unit,
            enterprise_id: enterprise,
            ip: String::new(),
        }
    }

    #[test]
    fn parts_round_trip_and_unknown_values_are_errors() {
        for a in [
            Audience::User(1),
            Audience::Unit(2),
            Audience::Enterprise(3),
            Audience::Office,
            Audience::Leaders,
            Audience::County,
        ] {
            let (k, id) = a.to_parts();
            assert_eq!(Audience::from_parts(k, id), Ok(a));
        }
        assert!(Audience::from_parts("unit", None).is_err());
        assert!(Audience::from_parts("office", Some(1)).is_err());
        assert!(Audience::from_parts("everyone", None).is_err());
        for s in [Subject::Problem(9), Subject::ReportPeriod(4), Subject::None] {
            let (k, id) = s.to_parts();
            assert_eq!(Subject::from_parts(k, id), Ok(s));
        }
        assert!(Subject::from_parts("problem", None).is_err());
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Ok(*k));
        }
        assert!(NoticeKind::parse("returned").is_err());
    }

    #[test]
    fn codes_and_labels_are_unique() {
        let codes: std::collections::BTreeSet<_> =
            NoticeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(codes.len(), NoticeKind::ALL.len());
        let labels: std::collections::BTreeSet<_> =
            NoticeKind::ALL.iter().map(|k| k.label(Lang::Zh)).collect();
        assert_eq!(labels.len(), NoticeKind::ALL.len());
    }

    #[test]
    fn an_inbox_gathers_the_actors_own_audiences_only() {
        let unit = actor(Role::Unit, Some(5), None);
        assert!(Audience::Unit(5).includes(&unit));
        assert!(!Audience::Unit(6).includes(&unit));
        assert!(Audience::User(7).includes(&unit));
        assert!(!Audience::County.includes(&unit));
        assert_eq!(
            Audience::of_actor(&unit),
            vec![("user", Some(7)), ("unit", Some(5))]
        );
        let leader = actor(Role::Leader, None, None);
        assert!(Audience::County.includes(&leader));
        assert!(!Audience::Office.includes(&leader));
        let firm = actor(Role::Enterprise, None, Some(3));
        assert!(Audience::Enterprise(3).includes(&firm));
        assert_eq!(Audience::of_actor(&firm).len(), 2);
        // An audience the actor is in is always among the ones its inbox gathers.
        for a in [&unit, &leader, &firm] {
            for aud in [
                Audience::Unit(5),
                Audience::Enterprise(3),
                Audience::Office,
                Audience::Leaders,
                Audience::County,
                Audience::User(7),
            ] {
                assert_eq!(
                    aud.includes(a),
                    Audience::of_actor(a).contains(&aud.to_parts()),
                    "{aud:?} for {:?}",
                    a.role
                );
            }
        }
    }
}
