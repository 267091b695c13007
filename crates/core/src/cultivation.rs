//! 企业培育库: cultivation pipelines as data. A pipeline (小升规, 个转企, 上市, 专精特新 …) has
//! ordered stages, entry criteria in words and optionally a rule over an enterprise's facts
//! (`revenue_wan >= 2000`), a responsible unit and an optional validity in years. An entry is one
//! enterprise (or, for 个转企, one 个体工商户) on one pipeline: its current stage, its dated moves
//! and its exit. [`EntryStatus::apply`] is the whole table of moves.
//!
//! Stages that count toward the plan carry a [`Milestone`]: the indicators 新增规上企业, 个转企 …
//! count the entries that reached that stage, by the date they reached it, whatever the office
//! later renames the stage to.

use crate::coded::{coded_enum, stored_state};
use crate::label::{Labelled, Lang};
use crate::state::UnknownState;
use time::Date;

stored_state! {
    /// Whether an entry is on its pipeline.
    EntryStatus ("培育状态", "cultivation status") {
        Active = "active", "在库", "On the list";
        Exited = "exited", "已出库", "Left the list";
    }
}

stored_state! {
    /// What one move of an entry did.
    MoveKind ("培育变动", "cultivation move") {
        Enter = "enter", "入库", "Entered";
        Advance = "advance", "晋级", "Moved up";
        StepBack = "back", "退回上一阶段", "Moved back";
        Exit = "exit", "出库", "Left";
        Reenter = "reenter", "重新入库", "Entered again";
    }
}

stored_state! {
    /// A stage that counts toward a plan indicator when an entry reaches it.
    Milestone ("培育节点", "cultivation milestone") {
        AboveScale = "above_scale", "纳入规上统计", "Counted above scale";
        Converted = "converted", "个体户转为企业", "Converted to a firm";
        HighTech = "high_tech", "认定高新技术企业", "Certified high-tech";
        TechSme = "tech_sme", "评价为科技型中小企业", "Rated tech SME";
        Champion = "champion", "入库单项冠军培育", "Single-product champion";
        Listed = "listed", "上市", "Listed";
        ChampionModel = "champion_model", "单项冠军示范", "Champion model firm";
        Startup = "startup", "创新型初创企业", "Innovative start-up";
        EngineeringCentre = "engineering_centre", "认定工程(技术)中心", "Engineering centre";
    }
}

stored_state! {
    /// Where an official list read for review is (培育名单导入): the office applies it or
    /// leaves it, once.
    ImportStatus ("名单导入", "list import") {
        Pending = "pending", "待确认", "Awaiting review";
        Applied = "applied", "已导入", "Applied";
        Discarded = "discarded", "已放弃", "Discarded";
    }
}

coded_enum! {
    /// The fact columns a pipeline's rule may read (yearly facts, in 万元 or persons).
    #[derive(serde::Serialize)]
    FactColumn {
        Revenue = "revenue_wan", "主营业务收入(万元)", "Revenue (10k yuan)";
        Tax = "tax_wan", "税收(万元)", "Tax (10k yuan)";
        AddedValue = "added_value_wan", "工业增加值(万元)", "Added value (10k yuan)";
        Rd = "rd_wan", "研发经费(万元)", "R&D spending (10k yuan)";
        Employees = "employees", "从业人数", "Employees";
    }
    unknown(code) => UnknownState {
        UnknownState { what_zh: "指标列", what_en: "fact column", code }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("{0}")]
    Refused(String),
}

impl EntryStatus {
    /// The whole table: an entry on its list moves up, back or leaves; one that left may only
    /// enter again. `current` and `to` are stage positions (0-based) on a pipeline of `stages`.
    pub fn apply(
        self,
        kind: MoveKind,
        current: usize,
        to: Option<usize>,
        stages: usize,
    ) -> Result<EntryStatus, MoveError> {
        let refuse = |m: &str| Err(MoveError::Refused(m.to_string()));
        let in_range = |t: Option<usize>| t.filter(|t| *t < stages);
        match (self, kind) {
            (EntryStatus::Active, MoveKind::Advance) => match in_range(to) {
                Some(t) if t > current => Ok(EntryStatus::Active),
                Some(_) => refuse("晋级: 只能进入后面的阶段"),
                None => refuse("晋级: 请选择目标阶段"),
            },
            (EntryStatus::Active, MoveKind::StepBack) => match in_range(to) {
                Some(t) if t < current => Ok(EntryStatus::Active),
                Some(_) => refuse("退回: 只能回到前面的阶段"),
                None => refuse("退回: 请选择目标阶段"),
            },
            (EntryStatus::Active, MoveKind::Exit) => Ok(EntryStatus::Exited),
            (EntryStatus::Exited, MoveKind::Reenter) => match in_range(to) {
                Some(_) => Ok(EntryStatus::Active),
                None => refuse("重新入库: 请选择阶段"),
            },
            (EntryStatus::Active, MoveKind::Enter | MoveKind::Reenter) => refuse("该企业已在库中"),
            (EntryStatus::Exited, _) => refuse("该企业已出库, 只能重新入库"),
        }
    }

    /// The moves a person may choose in this state (the move form's options).
    pub fn moves(self) -> &'static [MoveKind] {
        match self {
            EntryStatus::Active => &[MoveKind::Advance, MoveKind::StepBack, MoveKind::Exit],
            EntryStatus::Exited => &[MoveKind::Reenter],
        }
    }
}

/// A rule over an enterprise's facts: `column comparator value`, e.g. 主营业务收入 ≥ 2000.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FactRule {
    pub column: FactColumn,
    /// `true`: at least `value`; `false`: below `value`.
    pub at_least: bool,
    pub value: f64,
}

impl FactColumn {
    /// The names a person may write for the column besides its code: its label with and
    /// without the unit, the short names county staff use, and the English label.
    fn names(self) -> &'static [&'static str] {
        match self {
            FactColumn::Revenue => &["主营业务收入", "营业收入", "营收", "revenue"],
            FactColumn::Tax => &["税收", "实缴税金", "税金", "tax"],
            FactColumn::AddedValue => &["工业增加值", "增加值", "added value"],
            FactColumn::Rd => &["研发经费", "研发投入", "r&d spending", "r&d"],
            FactColumn::Employees => &["从业人数", "职工人数", "员工人数", "人数", "employees"],
        }
    }

    /// The column a person's word names: the code, a label (with or without its unit, in
    /// either language) or a short name; case and spaces aside.
    pub fn named(word: &str) -> Option<FactColumn> {
        let fold = |s: &str| s.to_lowercase().replace(' ', "");
        let word = fold(word);
        let bare = |s: &str| fold(s.split('(').next().unwrap_or(s));
        FactColumn::ALL.iter().copied().find(|c| {
            word == c.as_str()
                || [c.label(Lang::Zh), c.label(Lang::En)]
                    .iter()
                    .any(|l| word == fold(l) || word == bare(l))
                || c.names().iter().any(|n| word == fold(n))
        })
    }
}

/// The comparisons a rule may be written with, longest first ("不低于" before "低于").
const AT_LEAST: &[&str] = &[">=", "≥", "≧", "不低于", "不少于", "达到"];
const BELOW: &[&str] = &["<", "低于", "少于", "不足", "不到"];

impl FactRule {
    /// Reads `主营业务收入 >= 2000` as county staff write it: the column by code
    /// (`revenue_wan`), label or short name; `>=`, `≥`, `不低于` or `<`, `低于`; full-width
    /// digits and signs, and a trailing 万元 or 人. A message in Chinese otherwise.
    pub fn parse(s: &str) -> Result<FactRule, String> {
        let typed = s.trim();
        let s = crate::text::halfwidth(typed);
        let ops = AT_LEAST.iter().map(|op| (op, true));
        let ops = ops.chain(BELOW.iter().map(|op| (op, false)));
        let (at, op_len, at_least) = ops
            .filter_map(|(op, least)| s.find(op).map(|at| (at, op.len(), least)))
            .min_by_key(|&(at, len, _)| (at, usize::MAX - len))
            .ok_or_else(|| {
                format!("\"{typed}\": 应写成 \"指标 >= 数值\", 例如 主营业务收入 >= 2000")
            })?;
        let column = s[..at].trim();
        let column = FactColumn::named(column).ok_or_else(|| {
            let known: Vec<&str> = FactColumn::ALL.iter().map(|c| c.names()[0]).collect();
            format!(
                "\"{typed}\": 未知的指标 \"{column}\", 可用: {}",
                known.join("、")
            )
        })?;
        let value = s[at + op_len..].trim();
        let number = value
            .trim_end_matches(['万', '元', '人'])
            .trim()
            .replace(',', "");
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("\"{typed}\": \"{value}\" 不是数值"))?;
        Ok(FactRule {
            column,
            at_least,
            value,
        })
    }

    /// Whether a figure meets the rule; no figure meets nothing.
    pub fn holds(&self, figure: Option<f64>) -> bool {
        match figure {
            Some(v) if self.at_least => v >= self.value,
            Some(v) => v < self.value,
            None => false,
        }
    }

    /// The rule by code, as stored (what [`FactRule::parse`] reads back).
    pub fn text(&self) -> String {
        let op = if self.at_least { ">=" } else { "<" };
        format!("{} {op} {}", self.column.as_str(), self.value)
    }

    /// The rule as a person writes it in `lang` ("主营业务收入 >= 2000"), which
    /// [`FactRule::parse`] also reads back.
    pub fn written(&self, lang: Lang) -> String {
        let op = if self.at_least { ">=" } else { "<" };
        let name = match lang {
            Lang::Zh => self.column.names()[0],
            Lang::En => self.column.label(Lang::En),
        };
        format!("{name} {op} {}", self.value)
    }
}

/// What the latest revenue says about a firm outside the 规上 list.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Candidacy {
    /// Between the floor and the line: `distance` 万元 still to go.
    Approaching { distance: f64 },
    /// At or above the line: to be confirmed by a person, never moved by itself.
    Crossed,
}

/// The office setting that holds the `floor` of [`candidacy`] (万元).
pub const CANDIDATE_FLOOR_KEY: &str = "cultivation.candidate_floor_wan";

/// 小升规 candidacy from the latest revenue (万元): `floor` (e.g. 1500) ≤ revenue < `line`
/// (2000) approaches; ≥ `line` has crossed; below the floor or unknown is no candidate.
pub fn candidacy(revenue: Option<f64>, floor: f64, line: f64) -> Option<Candidacy> {
    let r = revenue?;
    if r >= line {
        Some(Candidacy::Crossed)
    } else if r >= floor {
        Some(Candidacy::Approaching { distance: line - r })
    } else {
        None
    }
}

/// 已过期: the validity that ends on `expires_on` (as stored, ISO) ran out before `today`; an
/// entry is still valid on its last day, the day the reminders count down to.
pub fn has_expired(expires_on: Option<&str>, today: Date) -> bool {
    expires_on
        .and_then(crate::time::parse_date)
        .is_some_and(|end| end < today)
}

/// The day a stage reached on `reached` stops being valid, `years` later (a 29 February
/// falls back to 28 February).
pub fn expires_on(reached: Date, years: u32) -> Option<Date> {
    let year = reached.year() + i32::try_from(years).ok()?;
    reached
        .replace_year(year)
        .ok()
        .or_else(|| reached.replace_day(28).ok()?.replace_year(year).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn valid_through_its_last_day() {
        let today = date!(2017 - 12 - 05);
        assert!(!has_expired(Some("2017-12-05"), today));
        assert!(has_expired(Some("2017-12-04"), today));
        assert!(!has_expired(Some("2018-01-01"), today));
        assert!(!has_expired(None, today));
    }

    use super::*;
    use crate::label::{Labelled, Lang};
    use time::macros::date;

    #[test]
    fn the_move_table() {
        use EntryStatus::*;
        use MoveKind::*;
        // (state, move, current, to) → outcome, every pair of state and move.
        assert_eq!(Active.apply(Advance, 0, Some(2), 3), Ok(Active));
        assert!(Active.apply(Advance, 1, Some(1), 3).is_err());
        assert!(Active.apply(Advance, 1, Some(0), 3).is_err());
        assert!(Active.apply(Advance, 1, Some(3), 3).is_err());
        assert!(Active.apply(Advance, 1, None, 3).is_err());
        assert_eq!(Active.apply(StepBack, 2, Some(0), 3), Ok(Active));
        assert!(Active.apply(StepBack, 0, Some(1), 3).is_err());
        assert_eq!(Active.apply(Exit, 1, None, 3), Ok(Exited));
        assert!(Active.apply(Enter, 0, Some(0), 3).is_err());
        assert!(Active.apply(Reenter, 0, Some(0), 3).is_err());
        assert_eq!(Exited.apply(Reenter, 2, Some(0), 3), Ok(Active));
        assert!(Exited.apply(Reenter, 2, None, 3).is_err());
        for k in [Enter, Advance, StepBack, Exit] {
            assert!(Exited.apply(k, 0, Some(1), 3).is_err(), "{k:?}");
        }
        for s in EntryStatus::ALL {
            for k in s.moves() {
                assert!(
                    s.apply(*k, 1, Some(if *k == StepBack { 0 } else { 2 }), 3)
                        .is_ok(),
                    "{s:?} offers {k:?}"
                );
            }
        }
    }

    #[test]
    fn codes_decode_and_unknown_ones_fail() {
        for m in Milestone::ALL {
            assert_eq!(Milestone::parse(m.as_str()), Ok(*m));
            assert!(!m.label(Lang::Zh).is_empty());
        }
        assert!(EntryStatus::parse("archived").is_err());
        assert!(MoveKind::parse("teleport").is_err());
    }

    #[test]
    fn rules_parse_hold_and_round_trip() {
        let r = FactRule::parse("revenue_wan >= 2000").unwrap();
        assert_eq!(r.column, FactColumn::Revenue);
        assert!(r.holds(Some(2000.0)));
        assert!(!r.holds(Some(1999.9)));
        assert!(!r.holds(None));
        assert_eq!(FactRule::parse(&r.text()).unwrap(), r);
        assert_eq!(FactRule::parse("employees ≥ 50").unwrap().value, 50.0);
        let below = FactRule::parse("tax_wan < 10").unwrap();
        assert!(below.holds(Some(9.0)) && !below.holds(Some(10.0)));
        for (typed, at_least, value) in [
            ("营收 >= 2000", true, 2000.0),
            ("主营业务收入(万元) ≥ 2000", true, 2000.0),
            ("主营业务收入（万元）＞＝２０００万元", true, 2000.0),
            ("营业收入不低于2,000万元", true, 2000.0),
            ("从业人数 低于 50人", false, 50.0),
            ("Revenue (10k yuan) >= 2000", true, 2000.0),
        ] {
            let r = FactRule::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!((r.at_least, r.value), (at_least, value), "{typed}");
        }
        let r = FactRule::parse("营收 >= 2000").unwrap();
        assert_eq!(r.written(Lang::Zh), "主营业务收入 >= 2000");
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(FactRule::parse(&r.written(lang)).unwrap(), r);
        }
        assert!(
            FactRule::parse("利润 >= 2000")
                .unwrap_err()
                .contains("未知的指标 \"利润\", 可用: 主营业务收入、税收")
        );
        assert!(
            FactRule::parse("revenue_wan >= 两千")
                .unwrap_err()
                .contains("不是数值")
        );
        assert!(
            FactRule::parse("revenue_wan")
                .unwrap_err()
                .contains("应写成")
        );
    }

    #[test]
    fn candidacy_between_the_floor_and_the_line() {
        assert_eq!(candidacy(Some(1400.0), 1500.0, 2000.0), None);
        assert_eq!(candidacy(None, 1500.0, 2000.0), None);
        assert_eq!(
            candidacy(Some(1800.0), 1500.0, 2000.0),
            Some(Candidacy::Approaching { distance: 200.0 })
        );
        assert_eq!(
            candidacy(Some(1500.0), 1500.0, 2000.0),
            Some(Candidacy::Approaching { distance: 500.0 })
        );
        assert_eq!(
            candidacy(Some(2000.0), 1500.0, 2000.0),
            Some(Candidacy::Crossed)
        );
    }

    #[test]
    fn validity_counts_whole_years() {
        assert_eq!(
            expires_on(date!(2016 - 11 - 30), 3),
            Some(date!(2019 - 11 - 30))
        );
        assert_eq!(
            expires_on(date!(2016 - 02 - 29), 3),
            Some(date!(2019 - 02 - 28))
        );
    }
}
