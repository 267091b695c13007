//! What the audit log's codes mean to a person: each action (`login.success`,
//! `submission.submit`, …) and each kind of record (`user`, `submission`, …) with its name in
//! both languages. One table; the audit page and its export read it, so no code reaches the
//! Chinese UI. The log keeps every code it ever wrote, so an unknown one is not an error for a
//! reader: [`AuditAction::parse`] says so, and the page shows 其他操作 with the code beside it.

use crate::label::{Labelled, Lang};

/// `(code, 中文, English)` of every action written to the log.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("login.success", "登录", "Signed in"),
    ("login.failure", "登录失败", "Failed sign-in"),
    (
        "login.locked",
        "登录被拒(账号已锁定)",
        "Sign-in refused (locked)",
    ),
    (
        "login.lockout",
        "账号因多次失败被锁定",
        "Locked after failed sign-ins",
    ),
    (
        "login.disabled",
        "登录被拒(账号已停用)",
        "Sign-in refused (disabled)",
    ),
    (
        "login.throttled",
        "登录被限流(来源地址)",
        "Sign-ins throttled (address)",
    ),
    ("logout", "退出登录", "Signed out"),
    ("user.create", "新建账号", "Account created"),
    ("user.update", "修改账号", "Account changed"),
    ("user.password", "重置密码", "Password reset"),
    ("user.lock", "锁定账号", "Account locked"),
    ("user.unlock", "解锁账号", "Account unlocked"),
    ("unit.create", "新建单位", "Unit created"),
    ("unit.update", "修改单位", "Unit changed"),
    ("unit.contact", "修改单位联系人", "Unit contact changed"),
    ("calendar.set", "设置放假/调休", "Holiday set"),
    ("calendar.delete", "删除放假/调休", "Holiday deleted"),
    (
        "calendar.seed",
        "导入年度放假安排",
        "Year's holidays loaded",
    ),
    ("plan.import", "导入方案", "Plan imported"),
    ("plan.meta", "修改方案信息", "Plan details changed"),
    ("plan.item", "修改方案条目", "Plan item changed"),
    ("plan.target", "修改目标", "Target changed"),
    ("plan.publish", "发布方案", "Plan published"),
    ("plan.delete", "删除方案草稿", "Plan draft deleted"),
    ("period.open", "开启报送期", "Period opened"),
    ("period.remind", "催报", "Reminder sent"),
    ("submission.save", "暂存报送", "Report saved"),
    ("submission.submit", "提交审核", "Report submitted"),
    ("submission.withdraw", "撤回报送", "Report withdrawn"),
    ("submission.approve", "审核通过", "Report approved"),
    ("submission.return", "退回报送", "Report returned"),
    ("submission.correct", "发起更正", "Correction started"),
    ("submission.history", "补录历史数据", "History entered"),
    ("submission.attach", "上传佐证材料", "Evidence uploaded"),
    ("submission.detach", "删除佐证材料", "Evidence deleted"),
    (
        "indicator.baseline",
        "设置指标基数",
        "Indicator baseline set",
    ),
    (
        "indicator.profile",
        "修改指标设置",
        "Indicator settings changed",
    ),
    (
        "indicator.source",
        "设置指标数据来源",
        "Indicator source set",
    ),
    ("settings.update", "修改系统设置", "Settings changed"),
    ("bulletin.publish", "印发通报", "Bulletin issued"),
    ("problem.submit", "提交企业难题", "Problem filed"),
    ("problem.accept", "受理难题", "Problem accepted"),
    ("problem.assign", "交办难题", "Problem assigned"),
    ("problem.start", "签收办理难题", "Problem taken up"),
    (
        "problem.return",
        "退回难题(非本单位职责)",
        "Problem handed back",
    ),
    (
        "problem.request_extension",
        "申请延期",
        "Extension requested",
    ),
    ("problem.decide_extension", "审批延期", "Extension decided"),
    ("problem.urge", "督办难题", "Problem urged"),
    ("problem.escalate", "难题升级", "Problem escalated"),
    ("problem.answer", "答复难题", "Problem answered"),
    ("problem.rate", "评价办理结果", "Handling rated"),
    ("problem.redo", "不满意重办", "Sent back for redo"),
    ("problem.close", "办结难题", "Problem closed"),
    ("problem.withdraw", "撤回难题", "Problem withdrawn"),
    (
        "problem.internal_note",
        "添加内部备注",
        "Internal note added",
    ),
    (
        "problem.attach",
        "上传难题附件",
        "Problem attachment uploaded",
    ),
    (
        "problem.deadlines",
        "难题期限检查",
        "Problem deadlines checked",
    ),
    (
        "problem.route",
        "修改难题分办规则",
        "Problem routing changed",
    ),
    (
        "problem.service_contact",
        "设置企服责任人",
        "Service contact set",
    ),
    ("problem.time_limits", "修改办理时限", "Time limits changed"),
    (
        "meeting.decision",
        "记录例会决定",
        "Meeting decision recorded",
    ),
    (
        "meeting.progress",
        "更新例会决定落实情况",
        "Decision progress updated",
    ),
    (
        "enterprise.import",
        "导入企业名录",
        "Enterprise registry imported",
    ),
    (
        "enterprise.facts_import",
        "导入企业年度数据",
        "Enterprise facts imported",
    ),
    ("eval.run", "运行亩均评价", "Evaluation run"),
    ("eval.status", "变更评价状态", "Evaluation status changed"),
    (
        "eval.scheme_save",
        "保存评价方案",
        "Evaluation scheme saved",
    ),
    ("eval.override", "调档", "Class changed"),
    ("eval.objection", "提出异议", "Objection raised"),
    ("eval.objection_answer", "答复异议", "Objection answered"),
    (
        "notice.date_at_events",
        "校正提醒时间",
        "Notice times corrected",
    ),
    ("notice.date_spans", "补录提醒时间", "Notice times entered"),
    ("lead.date", "补录线索时间", "Lead dates entered"),
    (
        "timeline.date_spans",
        "补录办理时间",
        "Timeline times entered",
    ),
    ("demo.seed", "生成演示数据", "Demo data created"),
    (
        "problem.date_events",
        "校正难题办理时间",
        "Problem timeline dated",
    ),
    ("project.create", "新建重大项目", "Project created"),
    ("project.update", "修改重大项目", "Project changed"),
    ("project.stage", "变更项目阶段", "Project stage moved"),
    (
        "project.plan_dates",
        "修改阶段计划日期",
        "Stage plan dates changed",
    ),
    (
        "project.settings",
        "修改项目设置",
        "Project settings changed",
    ),
    ("project.import", "导入重大项目库", "Project list imported"),
    (
        "project.problem",
        "项目问题转为企业难题",
        "Project blocker raised as a problem",
    ),
    (
        "project.dispatch",
        "填报项目调度",
        "Project monthly figures saved",
    ),
    ("lead.submit", "提交招商线索", "Lead submitted"),
    ("lead.decide", "处理招商线索", "Lead decided"),
    ("lead.convert", "线索转为项目", "Lead became a project"),
    (
        "cultivation.enter",
        "企业入库培育",
        "Entered a cultivation list",
    ),
    ("cultivation.move", "培育阶段变动", "Cultivation move"),
    (
        "cultivation.pipeline",
        "修改培育库设置",
        "Cultivation list changed",
    ),
    (
        "cultivation.candidate_floor",
        "修改小升规候选门槛",
        "Candidate floor changed",
    ),
    ("meeting.create", "安排会议", "Meeting scheduled"),
    ("meeting.step", "变更会议状态", "Meeting status changed"),
    ("meeting.agenda", "编排议程", "Agenda edited"),
    ("meeting.statement", "报送情况说明", "Statement given"),
    ("meeting.resolve", "记录议定事项", "Decision recorded"),
    ("meeting.settings", "例会设置", "Meeting settings"),
    ("supervision.step", "督办办理", "Supervision step"),
    (
        "cultivation.import",
        "读取培育名单待确认",
        "Official list read for review",
    ),
    (
        "cultivation.import_apply",
        "确认导入培育名单",
        "Official list applied",
    ),
    (
        "cultivation.import_discard",
        "放弃培育名单",
        "Official list discarded",
    ),
    (
        "cultivation.stall_days",
        "修改培育停滞提醒天数",
        "Stall reminder days changed",
    ),
    ("token.create", "发放接口令牌", "API token issued"),
    ("token.revoke", "吊销接口令牌", "API token revoked"),
    ("token.use", "使用接口令牌", "API token used"),
    ("webhook.create", "新增推送地址", "Webhook added"),
    ("webhook.update", "修改推送地址", "Webhook changed"),
    ("webhook.delete", "删除推送地址", "Webhook deleted"),
    ("webhook.resend", "重新推送", "Delivery resent"),
    (
        "assessment.scheme",
        "保存考核方案",
        "Assessment scheme saved",
    ),
    ("assessment.run", "计算考核结果", "Assessment scored"),
    (
        "assessment.step",
        "考核公示或终审",
        "Assessment published or finalised",
    ),
    (
        "assessment.manual",
        "录入考核加减分",
        "Assessment points entered",
    ),
    (
        "assessment.object",
        "提出考核异议",
        "Assessment objection filed",
    ),
    (
        "assessment.answer",
        "答复考核异议",
        "Assessment objection answered",
    ),
    (
        "assessment.adjust",
        "调整考核得分",
        "Assessment points adjusted",
    ),
    (
        "assessment.manual_delete",
        "删除考核加减分",
        "Assessment points deleted",
    ),
    (
        "assessment.manual_update",
        "修改考核加减分",
        "Assessment points edited",
    ),
];

/// `(code, 中文, English)` of every kind of record the log names.
const ENTITIES: &[(&str, &str, &str)] = &[
    ("user", "账号", "Account"),
    ("address", "来源地址", "Address"),
    ("unit", "单位", "Unit"),
    ("calendar_day", "工作日历", "Calendar day"),
    ("calendar_year", "工作日历", "Calendar year"),
    ("plan", "方案", "Plan"),
    ("plan_item", "方案条目", "Plan item"),
    ("plan_target", "方案目标", "Plan target"),
    ("report_period", "报送期", "Reporting period"),
    ("submission", "报送", "Report"),
    ("indicator", "指标", "Indicator"),
    ("setting", "设置", "Setting"),
    ("settings", "设置", "Settings"),
    ("bulletin", "通报", "Bulletin"),
    ("notice", "提醒", "Notice"),
    ("problem", "企业难题", "Problem"),
    ("problem_routes", "分办规则", "Routing"),
    ("problem_time_limits", "办理时限", "Time limits"),
    ("meeting_decision", "例会决定", "Meeting decision"),
    ("enterprise", "企业", "Enterprise"),
    ("enterprise_facts", "企业年度数据", "Enterprise facts"),
    ("eval_run", "亩均评价", "Evaluation"),
    ("eval_result", "评价结果", "Evaluation result"),
    ("eval_scheme", "评价方案", "Evaluation scheme"),
    ("eval_objection", "评价异议", "Objection"),
    ("project", "重大项目", "Project"),
    ("project_settings", "项目设置", "Project settings"),
    ("lead", "招商线索", "Lead"),
    ("cultivation_entry", "培育对象", "Cultivation entry"),
    ("cultivation_pipeline", "培育库", "Cultivation list"),
    ("meeting", "会议", "Meeting"),
    ("agenda_item", "议题", "Agenda item"),
    ("resolution", "议定事项", "Decision"),
    ("supervision", "督办事项", "Supervision item"),
    (
        "timeline",
        "项目和督办办理记录",
        "Project and supervision timelines",
    ),
    ("cultivation_import", "培育名单导入", "Official list import"),
    ("api_token", "接口令牌", "API token"),
    ("webhook_endpoint", "推送地址", "Webhook"),
    ("webhook_delivery", "推送记录", "Delivery"),
    ("assessment_scheme", "考核方案", "Assessment scheme"),
    ("assessment_run", "考核评价", "Assessment"),
    ("assessment_manual", "考核加减分", "Assessment points"),
    ("assessment_objection", "考核异议", "Assessment objection"),
];

/// An action code the table does not know (written by an older or newer program).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的审计操作 \"{0}\" (unknown audit action)")]
pub struct UnknownAction(pub String);

/// An action of the audit log, by its place in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuditAction(usize);

impl AuditAction {
    pub fn parse(code: &str) -> Result<AuditAction, UnknownAction> {
        ACTIONS
            .iter()
            .position(|(c, _, _)| *c == code)
            .map(AuditAction)
            .ok_or_else(|| UnknownAction(code.to_string()))
    }

    /// Every action, in the table's order (for a filter's choices).
    pub fn all() -> impl Iterator<Item = AuditAction> {
        (0..ACTIONS.len()).map(AuditAction)
    }

    /// The code stored in the log.
    pub fn code(self) -> &'static str {
        ACTIONS[self.0].0
    }
}

impl Labelled for AuditAction {
    fn label(&self, lang: Lang) -> &'static str {
        let (_, zh, en) = ACTIONS[self.0];
        lang.pick(zh, en)
    }
}

/// The name of a stored action code; 其他操作 for a code the table does not know.
pub fn action_label(code: &str, lang: Lang) -> &'static str {
    AuditAction::parse(code)
        .map_or_else(|_| lang.pick("其他操作", "Other action"), |a| a.label(lang))
}

/// The record id of an entry that concerns every record of its kind at once (a one-off
/// correction such as 补录提醒时间), in place of one record's id.
pub const EVERY_RECORD: &str = "all";

/// The setting that marks a database as holding the demo county (its value the seed), written
/// by `qx_demo` and named here like every audited setting.
pub const DEMO_MARKER: &str = "demo.seed";

/// The settings as the audit names them, by the key their entries carry (`setting` records;
/// the 例会 settings are written together under `meetings`). A new audited setting needs a
/// row here, or the audit shows its key.
const SETTINGS: &[(&str, &str, &str)] = &[
    (DEMO_MARKER, "演示数据", "Demo data"),
    (
        crate::monitor::YELLOW_GAP_KEY,
        "黄灯阈值(百分点)",
        "Yellow-light gap (points)",
    ),
    (
        crate::cultivation::CANDIDATE_FLOOR_KEY,
        "小升规候选营收门槛",
        "Candidate revenue floor",
    ),
    ("meetings", "例会设置", "Meeting settings"),
    ("documents", "公文版头", "Document header"),
];

/// A record id as a person reads it: 全部 for [`EVERY_RECORD`], a setting's name for its
/// key, else the id itself.
pub fn entity_id_label<'a>(entity: &str, id: &'a str, lang: Lang) -> &'a str {
    if id == EVERY_RECORD {
        return lang.pick("全部", "all");
    }
    if matches!(entity, "setting" | "settings")
        && let Some(&(_, zh, en)) = SETTINGS.iter().find(|(key, _, _)| *key == id)
    {
        return lang.pick(zh, en);
    }
    id
}

/// The name of a kind of record; 其他记录 for one the table does not know.
pub fn entity_label(code: &str, lang: Lang) -> &'static str {
    ENTITIES.iter().find(|(c, _, _)| *c == code).map_or_else(
        || lang.pick("其他记录", "Other record"),
        |&(_, zh, en)| lang.pick(zh, en),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Action;
    use crate::state::SubmissionStep;

    #[test]
    fn every_problem_step_and_report_move_has_a_name() {
        for a in Action::ALL {
            let code = format!("problem.{}", a.as_str());
            assert!(AuditAction::parse(&code).is_ok(), "{code} has no name");
        }
        for s in [
            SubmissionStep::Save,
            SubmissionStep::Submit,
            SubmissionStep::Approve,
            SubmissionStep::Return,
            SubmissionStep::Correct,
        ] {
            let code = format!("submission.{}", s.as_str());
            assert!(AuditAction::parse(&code).is_ok(), "{code} has no name");
        }
    }

    #[test]
    fn an_entry_over_every_record_names_it_in_words() {
        assert_eq!(entity_id_label("problem", EVERY_RECORD, Lang::Zh), "全部");
        assert_eq!(entity_id_label("problem", EVERY_RECORD, Lang::En), "all");
        assert_eq!(entity_id_label("problem", "42", Lang::Zh), "42");
        assert_eq!(
            entity_id_label("setting", "demo.seed", Lang::Zh),
            "演示数据"
        );
        assert_eq!(
            entity_id_label("settings", "meetings", Lang::En),
            "Meeting settings"
        );
        // Only a setting's id is a key: a record of another kind keeps its id.
        assert_eq!(entity_id_label("unit", "meetings", Lang::Zh), "meetings");
    }

    /// Every settings key the program defines is one the audit names, not one it shows raw.
    #[test]
    fn every_settings_key_has_a_name() {
        for key in [
            DEMO_MARKER,
            crate::monitor::YELLOW_GAP_KEY,
            crate::cultivation::CANDIDATE_FLOOR_KEY,
        ] {
            assert_ne!(entity_id_label("setting", key, Lang::Zh), key);
        }
    }

    #[test]
    fn codes_are_unique_and_names_are_chinese() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::all() {
            assert!(seen.insert(a.code()), "{} twice", a.code());
            assert!(
                !a.label(Lang::Zh).is_ascii(),
                "{} has no Chinese name",
                a.code()
            );
            assert_eq!(AuditAction::parse(a.code()), Ok(a));
        }
    }

    #[test]
    fn unknown_codes_read_as_other() {
        assert!(AuditAction::parse("x.y").is_err());
        assert_eq!(action_label("login.success", Lang::Zh), "登录");
        assert_eq!(action_label("x.y", Lang::Zh), "其他操作");
        assert_eq!(entity_label("submission", Lang::Zh), "报送");
        assert_eq!(entity_label("nope", Lang::En), "Other record");
    }
}
