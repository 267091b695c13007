//! 重大项目 (major projects) and 招商线索 (investment leads): stages, capital kinds, the 亿元以上
//! rule, a project's light and the funnel alerts.
//!
//! A project moves 在谈 → 签约 → 注册 → 开工 (the plan's 动建) → 投产, one stage at a time;
//! [`Stage::check_move`] is the order rule: a move that skips or goes back is refused with a
//! message unless the office overrides it with a reason. 中止 (with a reason) is possible from
//! any open stage and ends the project's place in the counts. The light reuses the indicators'
//! 序时进度 rule ([`crate::monitor::assess`]); the funnel alerts wait a configurable number of days.

use serde::Serialize;
use time::Date;

use crate::coded::stored_state;
use crate::indicator::IndicatorKind;
use crate::monitor::{Light, Thresholds};
use crate::period::Period;

stored_state! {
    /// Where a project stands.
    Stage("项目阶段", "project stage") {
        Negotiating = "negotiating", "在谈", "Negotiating";
        Signed = "signed", "签约", "Signed";
        Registered = "registered", "注册", "Registered";
        Started = "started", "开工", "Construction started";
        Producing = "producing", "投产", "In production";
        Halted = "halted", "中止", "Halted";
    }
}

stored_state! {
    /// Where the money comes from (the plan counts 利用内资 and 实际利用外资 apart).
    CapitalKind("资金来源", "capital kind") {
        Domestic = "domestic", "内资", "Domestic";
        Foreign = "foreign", "外资", "Foreign";
        ZhejiangReturn = "zhejiang_return", "浙商回归", "Zhejiang merchants returning";
    }
}

stored_state! {
    /// How the project came about: a new investment brought in, or an existing firm's expansion.
    Source("项目来源", "project source") {
        Investment = "investment", "招商引资", "Investment attraction";
        Expansion = "expansion", "技改扩建", "Upgrade or expansion";
    }
}

stored_state! {
    /// A 招商线索 on its way through the office.
    LeadStatus("招商线索", "lead") {
        Submitted = "submitted", "待处理", "Awaiting the office";
        Accepted = "accepted", "已采纳", "Accepted";
        Rejected = "rejected", "未采纳", "Not accepted";
        Converted = "converted", "已转为项目", "Became a project";
    }
}

stored_state! {
    /// What one entry of a project's timeline records.
    EventKind("项目动态", "project event") {
        Create = "create", "录入项目", "Project entered";
        Update = "update", "修改项目信息", "Details changed";
        Move = "move", "阶段推进", "Stage moved";
        Override = "override", "强制变更阶段", "Stage moved by override";
        Halt = "halt", "中止项目", "Project halted";
        Decision = "decision", "例会决定", "Meeting decision";
        Problem = "problem", "转为企业难题", "Raised as an enterprise problem";
    }
}

/// Why a lead cannot take a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("招商线索当前为「{}」, 不能{} (a lead that is {} cannot be {})", .from.label_zh(), .step_zh, .from.label_en(), .step_en)]
pub struct LeadStepError {
    pub from: LeadStatus,
    pub step_zh: &'static str,
    pub step_en: &'static str,
}

impl LeadStatus {
    pub fn label_zh(self) -> &'static str {
        crate::label::Labelled::label(&self, crate::label::Lang::Zh)
    }

    pub fn label_en(self) -> &'static str {
        crate::label::Labelled::label(&self, crate::label::Lang::En)
    }

    /// The office accepts or rejects a lead; it may change its mind until the lead became a
    /// project.
    pub fn decide(self, accept: bool) -> Result<LeadStatus, LeadStepError> {
        match self {
            LeadStatus::Converted => Err(LeadStepError {
                from: self,
                step_zh: "再处理",
                step_en: "decided again",
            }),
            _ if accept => Ok(LeadStatus::Accepted),
            _ => Ok(LeadStatus::Rejected),
        }
    }

    /// Only an accepted lead becomes a project (at 在谈).
    pub fn convert(self) -> Result<LeadStatus, LeadStepError> {
        match self {
            LeadStatus::Accepted => Ok(LeadStatus::Converted),
            _ => Err(LeadStepError {
                from: self,
                step_zh: "转为项目(须先采纳)",
                step_en: "made a project (accept it first)",
            }),
        }
    }
}

/// The stages a project passes through in order (中止 is not one of them).
pub const PIPELINE: [Stage; 5] = [
    Stage::Negotiating,
    Stage::Signed,
    Stage::Registered,
    Stage::Started,
    Stage::Producing,
];

/// 亿元以上: 计划总投资 ≥ 10,000 万元; `以上` includes the threshold (`conventions.md`).
pub const MAJOR_THRESHOLD_WAN: f64 = 10_000.0;

/// Whether a project of this 计划总投资 (万元) is 亿元以上.
pub fn is_major(total_investment_wan: f64) -> bool {
    total_investment_wan >= MAJOR_THRESHOLD_WAN
}

/// Why a stage move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("项目已{}, 不能再变更阶段 (the project is {} and can no longer move)", .0.label_zh(), .0.label_en())]
    Final(Stage),
    #[error("项目当前为「{}」, 不能直接改为「{}」: 阶段须依次推进, 如确需调整请由办公室填写理由后强制变更 (a project at {} cannot move to {} out of order unless the office overrides with a reason)",
        .from.label_zh(), .to.label_zh(), .from.label_en(), .to.label_en())]
    OutOfOrder { from: Stage, to: Stage },
    #[error("项目已处于「{}」阶段 (the project is already at {})", .0.label_zh(), .0.label_en())]
    Same(Stage),
    #[error("中止项目须填写理由 (halting a project needs a reason)")]
    HaltWithoutReason,
}

impl Stage {
    pub fn label_zh(self) -> &'static str {
        crate::label::Labelled::label(&self, crate::label::Lang::Zh)
    }

    pub fn label_en(self) -> &'static str {
        crate::label::Labelled::label(&self, crate::label::Lang::En)
    }

    /// The stage's place in [`PIPELINE`]; `None` for 中止.
    pub fn rank(self) -> Option<usize> {
        PIPELINE.iter().position(|s| *s == self)
    }

    /// The stage that follows in order; `None` after 投产 and for 中止.
    pub fn next(self) -> Option<Stage> {
        self.rank().and_then(|r| PIPELINE.get(r + 1).copied())
    }

    /// A project at 投产 or 中止 moves no more.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Producing | Stage::Halted)
    }

    /// Whether the project has reached `stage` (a halted project has reached none; its counts
    /// end on the date it was halted, which the store knows).
    pub fn reached(self, stage: Stage) -> bool {
        matches!((self.rank(), stage.rank()), (Some(a), Some(b)) if a >= b)
    }

    /// The order rule. The next stage is always allowed; 中止 needs a reason; any other move
    /// (skipping a stage, going back) needs the office's override, which must carry a reason.
    /// `override_reason` is the office's reason (blank is no override).
    pub fn check_move(self, to: Stage, override_reason: Option<&str>) -> Result<(), MoveError> {
        let reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
        if self.is_final() {
            return Err(MoveError::Final(self));
        }
        if to == self {
            return Err(MoveError::Same(self));
        }
        if to == Stage::Halted {
            return reason.map(|_| ()).ok_or(MoveError::HaltWithoutReason);
        }
        if self.next() == Some(to) || reason.is_some() {
            Ok(())
        } else {
            Err(MoveError::OutOfOrder { from: self, to })
        }
    }

    /// The stages a project at this stage may move to without an override (for the move form).
    pub fn moves(self) -> Vec<Stage> {
        if self.is_final() {
            return Vec::new();
        }
        self.next().into_iter().chain([Stage::Halted]).collect()
    }
}

/// 签而未注 / 注而未开 / 开而未投: a project that has stayed at one stage too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelAlert {
    SignedNotRegistered,
    RegisteredNotStarted,
    StartedNotProducing,
}

impl FunnelAlert {
    pub const ALL: [FunnelAlert; 3] = [
        FunnelAlert::SignedNotRegistered,
        FunnelAlert::RegisteredNotStarted,
        FunnelAlert::StartedNotProducing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunnelAlert::SignedNotRegistered => "signed_not_registered",
            FunnelAlert::RegisteredNotStarted => "registered_not_started",
            FunnelAlert::StartedNotProducing => "started_not_producing",
        }
    }

    /// The stage a project waits at for this alert.
    pub fn stage(self) -> Stage {
        match self {
            FunnelAlert::SignedNotRegistered => Stage::Signed,
            FunnelAlert::RegisteredNotStarted => Stage::Registered,
            FunnelAlert::StartedNotProducing => Stage::Started,
        }
    }

    pub fn of_stage(stage: Stage) -> Option<FunnelAlert> {
        Self::ALL.into_iter().find(|a| a.stage() == stage)
    }
}

impl crate::coded::Coded for FunnelAlert {
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn of_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == code)
    }
}

impl crate::label::Labelled for FunnelAlert {
    fn label(&self, lang: crate::label::Lang) -> &'static str {
        match self {
            FunnelAlert::SignedNotRegistered => lang.pick("签而未注", "Signed, not registered"),
            FunnelAlert::RegisteredNotStarted => lang.pick("注而未开", "Registered, not started"),
            FunnelAlert::StartedNotProducing => lang.pick("开而未投", "Started, not producing"),
        }
    }
}

/// How many days a project may wait at a stage before its funnel alert is raised (a setting of
/// the office; these are the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AlertDays {
    pub signed_not_registered: i64,
    pub registered_not_started: i64,
    pub started_not_producing: i64,
}

impl Default for AlertDays {
    fn default() -> Self {
        AlertDays {
            signed_not_registered: 90,
            registered_not_started: 180,
            started_not_producing: 365,
        }
    }
}

/// What a project is judged by, both settings of the office: the 亮灯 thresholds (the
/// indicators' own, so a project and an indicator the same points behind 序时进度 show the
/// same colour) and the days after which each funnel alert is raised.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Judging {
    pub thresholds: Thresholds,
    pub alert_days: AlertDays,
}

impl AlertDays {
    pub fn days(&self, alert: FunnelAlert) -> i64 {
        match alert {
            FunnelAlert::SignedNotRegistered => self.signed_not_registered,
            FunnelAlert::RegisteredNotStarted => self.registered_not_started,
            FunnelAlert::StartedNotProducing => self.started_not_producing,
        }
    }
}

/// The funnel alert a project raises on `today`: it has been at `stage` since `since` for more
/// than the configured days.
pub fn funnel_alert(
    stage: Stage,
    since: Date,
    today: Date,
    days: &AlertDays,
) -> Option<FunnelAlert> {
    let alert = FunnelAlert::of_stage(stage)?;
    ((today - since).whole_days() > days.days(alert)).then_some(alert)
}

/// A project's 亮灯 for the year at `period`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProjectLight {
    /// Investment completed this year ÷ the year's planned investment (`None` without a plan).
    pub completion: Option<f64>,
    /// Investment against 序时进度, as an indicator of kind 金额 is judged.
    pub investment: Light,
    /// The next stage's planned date has passed without it being reached.
    pub overdue: bool,
    /// The colour shown: the investment light, made red by an overdue stage.
    pub light: Light,
}

/// The light of a project: `completed_wan` (invested this year up to `period`) against
/// `annual_plan_wan` pro rata by 序时进度 (the same rule as an indicator of kind 金额), and
/// whether the next stage is overdue against its planned date on `today`.
pub fn light(
    completed_wan: Option<f64>,
    annual_plan_wan: Option<f64>,
    period: &Period,
    next_stage_planned: Option<Date>,
    today: Date,
    thresholds: Thresholds,
) -> ProjectLight {
    let share =
        rust_decimal::prelude::ToPrimitive::to_f64(&period.time_elapsed_share()).unwrap_or(1.0);
    let assessment = match annual_plan_wan.filter(|p| *p > 0.0) {
        Some(plan) => crate::monitor::assess(
            IndicatorKind::Amount,
            Some(completed_wan.unwrap_or(0.0)),
            plan,
            share,
            thresholds,
        ),
        None => crate::monitor::assess(IndicatorKind::Amount, None, 0.0, share, thresholds),
    };
    let overdue = next_stage_planned.is_some_and(|d| d < today);
    let light = if overdue {
        Light::Red
    } else {
        assessment.light
    };
    ProjectLight {
        completion: assessment.completion,
        investment: assessment.light,
        overdue,
        light,
    }
}

/// The period a project's 亮灯 is judged at on `today` (the 序时进度 month): investment is
/// reported for the month just ended (the monthly 调度), so a project of the current year is
/// judged at the end of the previous month (January at its own), a past year at its December
/// and a future year at its January. `None` only for a year out of range.
pub fn judged_period(year: i64, today: Date) -> Option<Period> {
    let year = i32::try_from(year).unwrap_or(today.year());
    let month = match year.cmp(&today.year()) {
        std::cmp::Ordering::Less => 12,
        std::cmp::Ordering::Equal => u8::from(today.month()).saturating_sub(1).max(1),
        std::cmp::Ordering::Greater => 1,
    };
    Period::new_month(year, month)
        .or_else(|_| Period::month_containing(today))
        .ok()
}

/// The 序时进度 share (time elapsed ÷ the year, 0‥1) a project of `year` is held to on
/// `today`: the share of [`judged_period`], 1 when there is none.
pub fn light_share(year: i64, today: Date) -> f64 {
    judged_period(year, today)
        .and_then(|p| rust_decimal::prelude::ToPrimitive::to_f64(&p.time_elapsed_share()))
        .unwrap_or(1.0)
}

/// A project's 亮灯 on `today`, the one rule every module uses: [`light`] at
/// [`judged_period`] with the office's `thresholds` (grey when there is no period).
pub fn light_on(
    year: i64,
    completed_wan: Option<f64>,
    annual_plan_wan: Option<f64>,
    next_stage_planned: Option<Date>,
    today: Date,
    thresholds: Thresholds,
) -> ProjectLight {
    match judged_period(year, today) {
        Some(period) => light(
            completed_wan,
            annual_plan_wan,
            &period,
            next_stage_planned,
            today,
            thresholds,
        ),
        None => ProjectLight {
            completion: None,
            investment: Light::Grey,
            overdue: false,
            light: Light::Grey,
        },
    }
}

pub mod funnel;

/// The free-text fields of a project and a lead, each with its limit.
pub mod fields {
    use crate::text::TextField;

    const fn required(label: &'static str, max_chars: usize) -> TextField {
        TextField {
            label,
            max_chars,
            required: true,
        }
    }
    const fn optional(label: &'static str, max_chars: usize) -> TextField {
        TextField {
            label,
            max_chars,
            required: false,
        }
    }

    pub const NAME: TextField = required("项目名称", 100);
    pub const INVESTOR: TextField = required("投资方", 100);
    pub const INDUSTRY: TextField = optional("行业", 50);
    pub const CONTENT: TextField = optional("建设内容", 2000);
    pub const CONTACT: TextField = optional("联系人", 50);
    pub const EVIDENCE: TextField = optional("佐证说明", 500);
    pub const REASON: TextField = optional("理由", 500);
    pub const LEAD_CONTACT: TextField = required("联系方式", 100);
    pub const FOUND_BY: TextField = required("线索提供人", 50);
    pub const LEAD_NOTE: TextField = optional("线索说明", 1000);
    pub const REWARD: TextField = optional("奖励意见", 200);
    pub const PROGRESS: TextField = optional("形象进度", 500);
    pub const BLOCKERS: TextField = optional("存在问题", 1000);
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_next_stage_is_allowed_and_skipping_is_refused_without_an_override() {
        for pair in PIPELINE.windows(2) {
            assert_eq!(pair[0].check_move(pair[1], None), Ok(()));
        }
        let err = Stage::Started
            .check_move(Stage::Negotiating, None)
            .unwrap_err();
        assert!(err.to_string().contains("不能直接改为「在谈」"), "{err}");
        assert_eq!(
            Stage::Signed.check_move(Stage::Producing, None),
            Err(MoveError::OutOfOrder {
                from: Stage::Signed,
                to: Stage::Producing
            })
        );
        assert_eq!(
            Stage::Signed.check_move(Stage::Producing, Some("  ")),
            Err(MoveError::OutOfOrder {
                from: Stage::Signed,
                to: Stage::Producing
            }),
            "a blank reason is no override"
        );
        assert_eq!(
            Stage::Signed.check_move(Stage::Producing, Some("补录")),
            Ok(())
        );
    }

    #[test]
    fn halting_needs_a_reason_and_final_stages_never_move() {
        assert_eq!(
            Stage::Signed.check_move(Stage::Halted, None),
            Err(MoveError::HaltWithoutReason)
        );
        assert_eq!(
            Stage::Signed.check_move(Stage::Halted, Some("投资方撤资")),
            Ok(())
        );
        for s in [Stage::Producing, Stage::Halted] {
            assert_eq!(
                s.check_move(Stage::Negotiating, Some("x")),
                Err(MoveError::Final(s))
            );
            assert!(s.moves().is_empty());
        }
        assert_eq!(
            Stage::Started.check_move(Stage::Started, Some("x")),
            Err(MoveError::Same(Stage::Started))
        );
        assert_eq!(
            Stage::Negotiating.moves(),
            vec![Stage::Signed, Stage::Halted]
        );
    }

    #[test]
    fn reached_follows_the_pipeline_and_halted_reaches_nothing() {
        assert!(Stage::Started.reached(Stage::Signed));
        assert!(Stage::Started.reached(Stage::Started));
        assert!(!Stage::Started.reached(Stage::Producing));
        assert!(!Stage::Halted.reached(Stage::Negotiating));
    }

    #[test]
    fn leads_convert_only_once_accepted() {
        assert_eq!(LeadStatus::Submitted.decide(true), Ok(LeadStatus::Accepted));
        assert_eq!(LeadStatus::Accepted.decide(false), Ok(LeadStatus::Rejected));
        assert!(LeadStatus::Submitted.convert().is_err());
        assert!(LeadStatus::Rejected.convert().is_err());
        assert_eq!(LeadStatus::Accepted.convert(), Ok(LeadStatus::Converted));
        let err = LeadStatus::Converted.decide(true).unwrap_err();
        assert!(err.to_string().contains("已转为项目"), "{err}");
    }

    #[test]
    fn major_includes_the_threshold() {
        assert!(is_major(10_000.0));
        assert!(!is_major(9_999.99));
        assert!(is_major(250_000.0));
    }

    #[test]
    fn stored_codes_decode_or_fail() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Ok(*s));
        }
        assert!(Stage::parse("dreaming").is_err());
        assert!(CapitalKind::parse("x").is_err());
        assert_eq!(Source::parse("expansion"), Ok(Source::Expansion));
        assert_eq!(LeadStatus::parse("converted"), Ok(LeadStatus::Converted));
    }

    #[test]
    fn funnel_alerts_wait_the_configured_days() {
        let days = AlertDays {
            signed_not_registered: 30,
            ..AlertDays::default()
        };
        let signed = date!(2017 - 09 - 01);
        assert_eq!(
            funnel_alert(Stage::Signed, signed, date!(2017 - 10 - 01), &days),
            None,
            "30 days is not more than 30"
        );
        assert_eq!(
            funnel_alert(Stage::Signed, signed, date!(2017 - 10 - 02), &days),
            Some(FunnelAlert::SignedNotRegistered)
        );
        assert_eq!(
            funnel_alert(Stage::Negotiating, signed, date!(2019 - 01 - 01), &days),
            None
        );
        assert_eq!(
            funnel_alert(
                Stage::Started,
                date!(2016 - 01 - 01),
                date!(2017 - 12 - 05),
                &days
            ),
            Some(FunnelAlert::StartedNotProducing)
        );
    }

    #[test]
    fn a_project_is_judged_at_the_month_just_ended() {
        let today = date!(2017 - 12 - 05);
        let now = judged_period(2017, today).unwrap();
        assert_eq!(now, Period::new_month(2017, 11).unwrap());
        assert_eq!(
            judged_period(2016, today).unwrap(),
            Period::new_month(2016, 12).unwrap()
        );
        assert_eq!(
            judged_period(2018, today).unwrap(),
            Period::new_month(2018, 1).unwrap()
        );
        let january = date!(2017 - 01 - 10);
        assert_eq!(
            judged_period(2017, january).unwrap(),
            Period::new_month(2017, 1).unwrap()
        );
        assert!((light_share(2016, today) - 1.0).abs() < 1e-9);
        assert!((light_share(2017, today) - 11.0 / 12.0).abs() < 0.01);
        let red = light_on(
            2017,
            Some(100.0),
            Some(1000.0),
            None,
            today,
            Thresholds::default(),
        );
        assert_eq!(red.light, Light::Red);
        // The office's thresholds decide: 75% against 序时进度 91.7% is red at the default
        // 10-point gap and yellow at 20.
        let behind = |gap: f64| {
            let t = Thresholds {
                yellow_gap_points: gap,
            };
            light_on(2017, Some(750.0), Some(1000.0), None, today, t).light
        };
        assert_eq!(behind(10.0), Light::Red);
        assert_eq!(behind(20.0), Light::Yellow);
        let by_hand = light(
            Some(100.0),
            Some(1000.0),
            &now,
            None,
            today,
            Thresholds::default(),
        );
        assert_eq!(red, by_hand);
    }

    #[test]
    fn the_light_is_the_amount_rule_and_an_overdue_stage_is_red() {
        let june: Period = "2017-06".parse().unwrap();
        let today = date!(2017 - 07 - 10);
        let on_track = light(
            Some(600.0),
            Some(1_000.0),
            &june,
            None,
            today,
            Thresholds::default(),
        );
        assert_eq!(on_track.light, Light::Green);
        assert_eq!(on_track.completion, Some(0.6));
        let behind = light(
            Some(450.0),
            Some(1_000.0),
            &june,
            None,
            today,
            Thresholds::default(),
        );
        assert_eq!(behind.light, Light::Yellow);
        let far = light(
            Some(100.0),
            Some(1_000.0),
            &june,
            None,
            today,
            Thresholds::default(),
        );
        assert_eq!(far.light, Light::Red);
        let nothing_planned = light(None, None, &june, None, today, Thresholds::default());
        assert_eq!(nothing_planned.light, Light::Grey);
        let overdue = light(
            Some(900.0),
            Some(1_000.0),
            &june,
            Some(date!(2017 - 07 - 01)),
            today,
            Thresholds::default(),
        );
        assert!(overdue.overdue);
        assert_eq!(overdue.investment, Light::Green);
        assert_eq!(overdue.light, Light::Red);
    }
}
