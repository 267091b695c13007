//! Rankings of 镇乡(街道) and 部门 in a bulletin: how they are worded. The scores and places
//! are computed by the 考核评价 engine (`qx_core::assessment`, fed by
//! `qx_app::assessment`) under the bulletin's two schemes; this module only says the rule in
//! the bulletin's words.
//!
//! **The rule** (printed in every bulletin): a unit's 综合得分 (0–100) is the weighted mean of
//! - 指标 (weight 60): the mean, over the indicators the unit leads, of 完成率 ÷ 序时进度
//!   capped at 1 (an indicator with nothing approved counts 0);
//! - 任务 (weight 20): the share of the tasks it is responsible for that are done or on track —
//!   a task it leads by the task's state, a task it supports (配合) by its own latest approved
//!   report on it (no report counts as not on track);
//! - 报送 (weight 20): its monthly reports, on time counting 1 and late ½, over those owed.
//!
//! A part the unit has nothing in (a town that leads no indicator) is left out and the other
//! weights are scaled up, so units are compared on what they are responsible for. Equal scores
//! (to 0.1) are ordered by how early, on average, the unit submitted before the due dates
//! (to 0.1 day); only units equal on both share a place (1, 2, 2, 4). The change is the
//! previous period's place minus this one's: ↑ = moved up.

/// The rule in one sentence, for the bulletin text.
pub const RULE_ZH: &str = "综合得分按指标完成情况(完成率与序时进度之比, 最高计1)占60%、牵头及配合任务按计划推进比例占20%、月度报送及时率(逾期报送计一半)占20%计算, 单位未承担的项目不计入并按比例折算; 得分相同的, 按平均提前报送天数排列";
