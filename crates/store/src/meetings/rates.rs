//! 按期销号率: of the 督办 items whose deadline falls in a span and that are closed or already
//! past it, the share closed on or before the deadline; for the county and for each lead unit
//! (an input the assessment can take), with the open items by colour beside each unit.

use super::*;

/// The on-time figures of a span.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OnTime {
    /// Items closed or past their deadline (what the rate is out of).
    pub due: usize,
    /// Closed on or before the deadline.
    pub on_time: usize,
    /// Closed after the deadline.
    pub late: usize,
    /// Still open past the deadline.
    pub overdue: usize,
    /// Open items by colour on the day read: red, yellow, blue, normal.
    pub open: [usize; 4],
}

impl OnTime {
    /// `on_time / due`, none when nothing was due.
    pub fn rate(&self) -> Option<f64> {
        (self.due > 0).then(|| self.on_time as f64 / self.due as f64)
    }

    fn count(&mut self, s: &SupervisionItem, today: &str) {
        match (&s.closed_on, s.colour) {
            (Some(c), _) => {
                self.due += 1;
                if *c <= s.deadline {
                    self.on_time += 1;
                } else {
                    self.late += 1;
                }
            }
            (None, colour) => {
                if s.deadline.as_str() < today {
                    self.due += 1;
                    self.overdue += 1;
                }
                let slot = match colour {
                    Some(Colour::Red) => 0,
                    Some(Colour::Yellow) => 1,
                    Some(Colour::Blue) => 2,
                    _ => 3,
                };
                self.open[slot] += 1;
            }
        }
    }
}

/// The county's figures and each lead unit's (by name).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SupervisionRates {
    pub county: OnTime,
    /// (unit id, unit name, its figures), by name.
    pub units: Vec<(i64, String, OnTime)>,
}

impl Store {
    /// 按期销号率 of the 督办 items led within the actor's scope whose deadline is in
    /// `from..=to`, as on today: for the county (the actor's scope) and for each lead unit.
    pub async fn supervision_rates(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> Result<SupervisionRates> {
        let items = self
            .list_supervision(actor, &SupervisionFilter::default())
            .await?;
        let (from, to, today) = (iso(from), iso(to), iso(qx_core::time::today()));
        let mut out = SupervisionRates::default();
        let mut units: std::collections::BTreeMap<(String, i64), OnTime> = Default::default();
        // A unit's rate is of the items it leads, not of those it only supports.
        let scope = actor.unit_filter();
        for s in items
            .iter()
            .filter(|s| scope.admits(s.lead_unit_id))
            .filter(|s| s.deadline >= from && s.deadline <= to)
        {
            out.county.count(s, &today);
            units
                .entry((s.lead_unit_name.clone(), s.lead_unit_id))
                .or_default()
                .count(s, &today);
        }
        out.units = units
            .into_iter()
            .map(|((name, id), t)| (id, name, t))
            .collect();
        Ok(out)
    }
}
