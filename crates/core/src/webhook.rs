//! Outgoing webhooks: the catalogue of events an endpoint subscribes to, the message formats,
//! a delivery's state and its retry schedule.
//!
//! Every in-app notice ([`NoticeKind`]) maps to one event ([`Event::of_notice`]); the map is an
//! exhaustive match, so a new kind of notice cannot be added without deciding which event it is.

use crate::coded::stored_state;
use crate::notice::NoticeKind;

stored_state! {
    /// What an endpoint can subscribe to. The code is sent as `event` in every message.
    Event("推送事件", "webhook event") {
        ReportSubmitted = "report.submitted", "报送待审核", "Report submitted";
        ReportReturned = "report.returned", "报送被退回", "Report returned";
        ReportApproved = "report.approved", "报送审核通过", "Report approved";
        ReportWithdrawn = "report.withdrawn", "报送撤回", "Report withdrawn";
        ReportLate = "report.late", "逾期未报(催报)", "Report late (reminder)";
        ProblemCreated = "problem.created", "新企业难题", "Problem filed";
        ProblemHandling = "problem.handling", "难题交办、退回、重办", "Problem assigned, handed back or redone";
        ProblemAnswered = "problem.answered", "难题已答复", "Problem answered";
        ProblemClosed = "problem.closed", "难题办结", "Problem closed";
        ProblemEscalated = "problem.escalated", "难题升级、督办、例会决定", "Problem escalated, urged or decided";
        ProblemNear = "problem.near", "难题临近期限", "Problem due soon";
        ProblemOverdue = "problem.overdue", "难题超期", "Problem overdue";
        ProblemExtension = "problem.extension", "难题延期申请", "Problem extension asked";
        BulletinIssued = "bulletin.issued", "通报印发", "Bulletin issued";
        Objection = "evaluation.objection", "亩均评价异议及答复", "Evaluation objection or answer";
        ProjectStage = "project.stage", "项目阶段变更、中止", "Project stage moved or halted";
        ProjectAlert = "project.alert", "项目预警", "Project alert";
        Lead = "lead", "招商线索提交、交办", "Lead submitted or assigned";
        Meeting = "meeting", "会议通知、情况说明、纪要", "Meeting notice, statement or minutes";
        SupervisionAssigned = "supervision.assigned", "督办交办", "Supervision assigned";
        SupervisionFedBack = "supervision.fed_back", "督办反馈", "Supervision reported back";
        SupervisionReturned = "supervision.returned", "督办退回", "Supervision returned";
        SupervisionUrged = "supervision.urged", "督办催办(逾期)", "Supervision urged (overdue)";
        SupervisionClosed = "supervision.closed", "督办销号", "Supervision closed";
        SupervisionAttention = "supervision.attention", "督办临近期限、反馈滞后(蓝、黄)", "Supervision due soon or behind (blue, yellow)";
        SupervisionOverdue = "supervision.overdue", "督办逾期(红)", "Supervision overdue (red)";
        CultivationReminder = "cultivation.reminder", "企业培育停滞、资格到期提醒", "Cultivation stalled or certificate expiring";
        AssessmentObjection = "assessment.objection", "考核异议及答复", "Assessment objection or answer";
        AssessmentResult = "assessment.result", "考核结果公示、终审", "Assessment results published or final";
    }
}

impl Event {
    /// The event a notice raises.
    pub fn of_notice(kind: NoticeKind) -> Event {
        use NoticeKind as K;
        match kind {
            K::ReportRemind => Event::ReportLate,
            K::ReportSubmitted => Event::ReportSubmitted,
            K::ReportReturned => Event::ReportReturned,
            K::ReportApproved => Event::ReportApproved,
            K::ReportWithdrawn => Event::ReportWithdrawn,
            K::ProblemSubmitted => Event::ProblemCreated,
            K::ProblemAssigned | K::ProblemReturned | K::ProblemRedo => Event::ProblemHandling,
            K::ProblemAnswered => Event::ProblemAnswered,
            K::ProblemClosed => Event::ProblemClosed,
            K::ProblemUrged | K::ProblemEscalated | K::ProblemDecision => Event::ProblemEscalated,
            K::ProblemExtension => Event::ProblemExtension,
            K::ProblemNear => Event::ProblemNear,
            K::ProblemOverdue => Event::ProblemOverdue,
            K::BulletinIssued => Event::BulletinIssued,
            K::ObjectionFiled | K::ObjectionAnswered => Event::Objection,
            K::ProjectStage | K::ProjectHalted => Event::ProjectStage,
            K::ProjectAlert => Event::ProjectAlert,
            K::LeadAssigned | K::LeadSubmitted => Event::Lead,
            K::MeetingNotified
            | K::MeetingStatement
            | K::MeetingStatementDue
            | K::MinutesIssued => Event::Meeting,
            K::SupervisionAssigned => Event::SupervisionAssigned,
            K::SupervisionFedBack => Event::SupervisionFedBack,
            K::SupervisionReturned => Event::SupervisionReturned,
            K::SupervisionUrged => Event::SupervisionUrged,
            K::SupervisionClosed => Event::SupervisionClosed,
            K::SupervisionBlue | K::SupervisionYellow => Event::SupervisionAttention,
            K::SupervisionOverdue => Event::SupervisionOverdue,
            K::CultivationStalled | K::CultivationExpiring => Event::CultivationReminder,
            K::AssessmentObjection | K::AssessmentObjectionAnswered => Event::AssessmentObjection,
            K::AssessmentPublished | K::AssessmentFinalised => Event::AssessmentResult,
        }
    }
}

stored_state! {
    /// How an endpoint wants its messages.
    Format("推送格式", "webhook format") {
        Json = "json", "JSON(通用)", "JSON (generic)";
        DingTalk = "dingtalk", "钉钉/浙政钉机器人(markdown)", "DingTalk robot (markdown)";
    }
}

stored_state! {
    /// Where one delivery (one event to one endpoint) stands.
    DeliveryStatus("推送状态", "delivery status") {
        Pending = "pending", "待发送", "Pending";
        Delivered = "delivered", "已送达", "Delivered";
        Failed = "failed", "已放弃", "Given up";
    }
}

/// Seconds to wait after failed attempt number `attempts` (1-based) before the next one:
/// 1 min, 5 min, 30 min, 2 h, then every 6 h. `None` once the delivery is older than
/// `give_up_after` seconds (a day by default): it is then marked failed and kept in the log,
/// where 重新发送 can still send it.
pub fn next_retry(attempts: u32, age_secs: i64, give_up_after: i64) -> Option<i64> {
    const STEPS: [i64; 4] = [60, 300, 1800, 7200];
    let wait = STEPS
        .get(attempts.saturating_sub(1) as usize)
        .copied()
        .unwrap_or(6 * 3600);
    (age_secs + wait <= give_up_after).then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_raises_an_event_and_codes_round_trip() {
        for k in NoticeKind::ALL {
            let e = Event::of_notice(*k);
            assert_eq!(Event::parse(e.as_str()), Ok(e));
        }
        assert!(Event::parse("problem.notice").is_err());
        assert!(Format::parse("xml").is_err());
    }

    #[test]
    fn retries_back_off_and_stop_after_the_limit() {
        let day = 24 * 3600;
        assert_eq!(next_retry(1, 0, day), Some(60));
        assert_eq!(next_retry(2, 60, day), Some(300));
        assert_eq!(next_retry(3, 360, day), Some(1800));
        assert_eq!(next_retry(4, 2160, day), Some(7200));
        assert_eq!(next_retry(9, 9360, day), Some(6 * 3600));
        assert_eq!(next_retry(9, day - 100, day), None);
        // An hour of failures is four attempts, far from giving up.
        assert!(next_retry(4, 3600, day).is_some());
    }
}
