//! What a save does with a unit's report (keep it a draft, submit it, or submit it when
//! nothing is left empty) and what the unit reports, read once per save.

use super::*;

impl Store {
    /// What a unit may put in a submission: the indicators of [`Store::unit_indicators`] by
    /// name and the tasks of [`Store::unit_tasks`] by number and title, each in plan order, in
    /// one statement.
    pub(super) async fn reportable(&self, plan_id: i64, unit_id: i64) -> Result<Reportable> {
        // (kind, id, indicator name or task number, task title, place), each kind in plan order.
        let rows: Vec<(String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT 'indicator', id, name, '', ordinal FROM indicators
              WHERE lead_unit_id = $2 AND plan_id = $1 AND source = 'manual'
             UNION ALL
             SELECT 'task', t.id, t.number, t.title, t.ordinal FROM tasks t JOIN task_units tu ON tu.task_id = t.id
              WHERE tu.unit_id = $2 AND t.plan_id = $1
             ORDER BY 1, 5",
        )
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?;
        let mut reportable = Reportable::default();
        for (kind, id, label, title, _) in rows {
            if kind == "task" {
                reportable.tasks.push((id, label, title));
            } else {
                reportable.indicators.push((id, label));
            }
        }
        Ok(reportable)
    }
}

/// Whether a save of a unit's report submits it.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Submit {
    No,
    Yes,
    /// When nothing is left empty.
    IfComplete,
}

/// What [`Store::save_report`] does with a report: `false` keeps it as a draft and `true`
/// submits it as it is, and the revision's id comes back; [`IfComplete`] submits it when no
/// indicator is left without a figure or a 本月无数据 mark and no task without progress, else
/// keeps it as a draft, and says which ([`Submitted`]).
pub trait SaveMode: Copy {
    type Output;
    #[doc(hidden)]
    fn submit(self) -> Submit;
    #[doc(hidden)]
    fn output(saved: Submitted) -> Self::Output;
}

impl SaveMode for bool {
    type Output = i64;
    fn submit(self) -> Submit {
        if self { Submit::Yes } else { Submit::No }
    }
    fn output(saved: Submitted) -> i64 {
        saved.id()
    }
}

/// 提交 as the report form asks it: a report with something left empty is kept as a draft
/// and comes back with what is empty, for the person to fill in or confirm. One save either
/// way: at month end sixty units submit at once, and every round trip counts.
#[derive(Clone, Copy, Debug)]
pub struct IfComplete;

impl SaveMode for IfComplete {
    type Output = Submitted;
    fn submit(self) -> Submit {
        Submit::IfComplete
    }
    fn output(saved: Submitted) -> Submitted {
        saved
    }
}

/// What a save [`IfComplete`] did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Submitted to the office: revision `id`.
    Sent(i64),
    /// Kept as draft revision `id`: these indicators (by name) and tasks (number and title),
    /// in the plan's order, were left empty.
    Held { id: i64, missing: Vec<String> },
}

impl Submitted {
    pub(super) fn new(id: i64, missing: Vec<String>) -> Self {
        if missing.is_empty() {
            Submitted::Sent(id)
        } else {
            Submitted::Held { id, missing }
        }
    }

    /// The revision written.
    pub fn id(&self) -> i64 {
        match self {
            Submitted::Sent(id) | Submitted::Held { id, .. } => *id,
        }
    }
}

/// What a unit reports in a plan, each in the plan's order.
#[derive(Default)]
pub(super) struct Reportable {
    /// (id, name) of the indicators it leads that are typed in.
    pub(super) indicators: Vec<(i64, String)>,
    /// (id, number, title) of the tasks it leads or supports.
    pub(super) tasks: Vec<(i64, String, String)>,
}

impl Reportable {
    /// What the input leaves empty: indicators with neither a figure nor a 本月无数据 mark,
    /// then tasks without progress.
    pub(super) fn left_empty(
        &self,
        input: &SubmissionInput,
        no_figures: &[NoFigure],
    ) -> Vec<String> {
        let progressed = |id: i64| {
            input
                .tasks
                .iter()
                .rfind(|(t, _, _)| *t == id)
                .is_some_and(|(_, progress, _)| !progress.trim().is_empty())
        };
        let indicators = self
            .indicators
            .iter()
            .filter(|(id, _)| {
                !input.has_figure(*id) && !no_figures.iter().any(|m| m.indicator_id == *id)
            })
            .map(|(_, name)| name.clone());
        let tasks = self
            .tasks
            .iter()
            .filter(|(id, _, _)| !progressed(*id))
            .map(|(_, number, title)| format!("{number} {title}"));
        indicators.chain(tasks).collect()
    }
}
