//! 小升规 candidates found in the yearly facts: firms still below scale whose latest revenue is
//! at or above the office's floor (1500万 unless set) and below the 小升规 pipeline's line (its
//! rule, 2000万), with the distance left; and firms whose latest figure has crossed the line,
//! flagged for a person to confirm. Nothing moves by itself: the office accepts a candidate
//! ([`Store::accept_cultivation_candidate`]), which enters it or records that it reached the
//! standard (the pipeline's second stage), dated, evidenced by the figure, audited.

use super::moves::{MoveRequest, NewEntry};
use super::{Pipeline, only_office};
use crate::audit::AuditEntry;
use crate::enterprises::{in_scope, scoped};
use crate::{Result, Store, StoreError, commit_audited};
use qx_core::access::Actor;
use qx_core::cultivation::{CANDIDATE_FLOOR_KEY, Candidacy, FactColumn, MoveKind, candidacy};
use serde::Serialize;

/// The floor when the office has set none (万元).
pub const DEFAULT_CANDIDATE_FLOOR: f64 = 1500.0;
/// The 规上 line when the pipeline has no revenue rule (万元, 国统字〔2010〕87号).
const DEFAULT_LINE: f64 = 2000.0;

/// One candidate with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub enterprise_id: i64,
    pub name: String,
    pub credit_code: String,
    pub town_name: Option<String>,
    pub industry_code: Option<String>,
    /// The data year of the latest figure.
    pub year: i64,
    pub revenue_wan: f64,
    pub candidacy: Candidacy,
    /// Its entry on the 小升规 pipeline, if any, and that entry's stage.
    pub entry_id: Option<i64>,
    pub stage_name: Option<String>,
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    f64,
    Option<i64>,
    Option<i64>,
);

impl Store {
    /// The floor (万元) from which a firm below scale is a candidate.
    pub async fn cultivation_candidate_floor(&self) -> Result<f64> {
        Ok(self
            .get_setting(CANDIDATE_FLOOR_KEY)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_CANDIDATE_FLOOR))
    }

    /// The office sets the floor.
    pub async fn set_cultivation_candidate_floor(&self, actor: &Actor, floor: f64) -> Result<()> {
        only_office(actor)?;
        if !(floor.is_finite() && floor > 0.0) {
            return Err(StoreError::Invalid(format!(
                "候选门槛: 应为大于0的万元数, 实际为 {floor}"
            )));
        }
        let before = self.cultivation_candidate_floor().await?;
        let mut tx = self.begin().await?;
        Store::put_setting(&mut tx, CANDIDATE_FLOOR_KEY, &floor.to_string()).await?;
        let entry = AuditEntry::new(
            actor,
            "cultivation.candidate_floor",
            "setting",
            CANDIDATE_FLOOR_KEY,
        )
        .before(before)
        .after(floor);
        commit_audited(tx, entry).await
    }

    /// The 小升规 pipeline and its line (万元).
    async fn small_to_scale(&self) -> Result<(Pipeline, f64)> {
        let p = self.cultivation_pipeline_by_code("xsg").await?;
        let line = p
            .rule
            .filter(|r| r.column == FactColumn::Revenue && r.at_least)
            .map_or(DEFAULT_LINE, |r| r.value);
        Ok((p, line))
    }

    /// Every candidate `actor` may read: crossed ones first, then the nearest to the line.
    pub async fn cultivation_candidates(&self, actor: &Actor) -> Result<Vec<Candidate>> {
        let (p, line) = self.small_to_scale().await?;
        let floor = self.cultivation_candidate_floor().await?;
        let rows: Vec<Row> = scoped(
            sqlx::query_as(concat!(
                "SELECT e.id, e.name, e.credit_code, t.name, e.industry_code, f.year, f.revenue_wan, ce.id, ce.stage_id \
                 FROM enterprise_facts f JOIN enterprises e ON e.id = f.enterprise_id \
                 LEFT JOIN units t ON t.id = e.town_id \
                 LEFT JOIN cultivation_entries ce ON ce.enterprise_id = e.id AND ce.pipeline_id = $4 AND ce.status = 'active' \
                 WHERE ",
                in_scope!("e.id", "e.town_id"),
                " AND f.scale = 'below' AND f.revenue_wan >= $5 \
                 AND f.year = (SELECT MAX(g.year) FROM enterprise_facts g WHERE g.enterprise_id = f.enterprise_id)"
            )),
            actor,
        )
        .bind(p.id)
        .bind(floor)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<Candidate> = rows
            .into_iter()
            .filter_map(
                |(id, name, code, town, industry, year, revenue, entry, stage)| {
                    let c = candidacy(Some(revenue), floor, line)?;
                    let at = stage.and_then(|s| p.position(s));
                    let open = match c {
                        Candidacy::Approaching { .. } => entry.is_none(),
                        Candidacy::Crossed => at.is_none_or(|a| a == 0),
                    };
                    open.then(|| Candidate {
                        enterprise_id: id,
                        name,
                        credit_code: code,
                        town_name: town,
                        industry_code: industry,
                        year,
                        revenue_wan: revenue,
                        candidacy: c,
                        entry_id: entry,
                        stage_name: at.map(|a| p.stages[a].name.clone()),
                    })
                },
            )
            .collect();
        out.sort_by(|a, b| {
            let key = |c: &Candidate| match c.candidacy {
                Candidacy::Crossed => (0, 0.0),
                Candidacy::Approaching { distance } => (1, distance),
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// The office accepts a candidate on `on_date`: one approaching the line enters the first
    /// stage; one that crossed it is recorded at the second (达到规模标准), entering or moving
    /// up. The candidacy is read again from the facts, never taken from the request.
    pub async fn accept_cultivation_candidate(
        &self,
        actor: &Actor,
        enterprise_id: i64,
        on_date: &str,
    ) -> Result<i64> {
        only_office(actor)?;
        let (p, _) = self.small_to_scale().await?;
        let c = self
            .cultivation_candidates(actor)
            .await?
            .into_iter()
            .find(|c| c.enterprise_id == enterprise_id)
            .ok_or_else(|| StoreError::NotFound(format!("小升规候选企业 {enterprise_id}")))?;
        let evidence = format!("{}年主营业务收入 {} 万元", c.year, c.revenue_wan);
        let target = match c.candidacy {
            Candidacy::Approaching { .. } => 0,
            Candidacy::Crossed => 1.min(p.stages.len() - 1),
        };
        let stage_id = p.stages[target].id;
        match c.entry_id {
            Some(entry_id) => {
                self.move_cultivation(
                    actor,
                    entry_id,
                    &MoveRequest {
                        kind: MoveKind::Advance,
                        to_stage_id: Some(stage_id),
                        on_date: on_date.to_string(),
                        evidence,
                        credit_code: String::new(),
                        certificate_no: String::new(),
                        board: String::new(),
                        stock_code: String::new(),
                    },
                )
                .await?;
                Ok(entry_id)
            }
            None => {
                self.enter_cultivation(
                    actor,
                    &NewEntry {
                        pipeline_id: p.id,
                        enterprise_id: Some(enterprise_id),
                        stage_id,
                        on_date: on_date.to_string(),
                        evidence,
                        ..NewEntry::default()
                    },
                )
                .await
            }
        }
    }
}
