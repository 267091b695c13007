//! The 重大项目调度 section of a unit's monthly report: one line per project the unit is
//! responsible for (本月完成投资, 外资到位 / 内资到位, 形象进度 text and %, 存在问题), inside the
//! report's own form, saved with the draft and locked, submitted, approved or returned with it
//! (the store follows the submission's state). The report page calls [`section`] and its save
//! calls [`save_from_form`]; a figure that is not a number comes back beside its field with
//! everything typed kept.

use super::*;
use qx_store::projects::{DispatchFigures, DispatchInput, DispatchLine};

/// One project's line as shown.
pub struct Line {
    id: i64,
    name: String,
    stage: &'static str,
    plan: String,
    completed: String,
    invested: String,
    foreign: String,
    domestic: String,
    progress: String,
    pct: String,
    blockers: String,
    /// Field name → what is wrong with it.
    errors: HashMap<String, String>,
    problem_id: Option<i64>,
    /// The stored blocker may be raised as an 企业难题 (not yet, and the project has a firm).
    raise: bool,
    /// The month is held by the unit responsible before the project moved here (it handed
    /// its report in): shown locked with a note, no inputs, and never sent with the form.
    held: bool,
}

impl Line {
    /// Each figure field: its prefix, its label's key and its value.
    fn figures(&self) -> [(&'static str, &'static str, &str); 4] {
        let [a, b, c, d] = FIGURES;
        [
            (a.0, a.1, &self.invested),
            (b.0, b.1, &self.foreign),
            (c.0, c.1, &self.domestic),
            (d.0, d.1, &self.pct),
        ]
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

/// The section, rendered inside the report form (nothing when the unit has no projects).
#[derive(Template)]
#[template(path = "projects/dispatch_section.html")]
pub struct Section {
    t: crate::i18n::Tr,
    lines: Vec<Line>,
    editable: bool,
    period_id: i64,
}

/// The fields of one line, by prefix: `di_` 本月完成投资, `df_` 外资到位, `dd_` 内资到位,
/// `dg_` 形象进度, `dq_` 形象进度(%), `db_` 存在问题, each followed by the project id.
const FIGURES: [(&str, &str); 4] = [
    ("di_", "pj.d.invested"),
    ("df_", "pj.d.foreign"),
    ("dd_", "pj.d.domestic"),
    ("dq_", "pj.d.pct"),
];

fn text(v: Option<f64>) -> String {
    v.map(qx_report::fmt_num).unwrap_or_default()
}

/// The section for the unit's report of `period_id`: what is stored, or what was typed.
pub(crate) async fn section(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    unit_id: i64,
    editable: bool,
    typed: Option<&[(String, String)]>,
) -> Result<Section, WebError> {
    let lang = auth.ctx.lang;
    let lines = state
        .store
        .dispatch_lines(&auth.actor(), period_id, unit_id)
        .await?;
    let typed: Option<HashMap<&str, &str>> =
        typed.map(|f| f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect());
    let errors = typed
        .as_ref()
        .map(|t| field_errors(lang, t))
        .unwrap_or_default();
    let lines = lines
        .into_iter()
        .map(|l: DispatchLine| {
            let r = &l.report.figures;
            let id = l.project_id;
            let pick = |prefix: &str, stored: String| match &typed {
                Some(t) => t
                    .get(format!("{prefix}{id}").as_str())
                    .map_or(stored, |v| v.to_string()),
                None => stored,
            };
            Line {
                id,
                name: l.name,
                stage: l.stage.label(lang),
                plan: num(l.annual_plan_wan),
                completed: num(l.completed_wan),
                invested: pick("di_", text(r.invested_wan)),
                foreign: pick("df_", text(r.foreign_wusd)),
                domestic: pick("dd_", text(r.domestic_wan)),
                pct: pick("dq_", text(r.progress_pct)),
                progress: pick("dg_", r.progress.clone()),
                blockers: pick("db_", r.blockers.clone()),
                errors: errors
                    .iter()
                    .filter(|(k, _)| k.ends_with(&format!("_{id}")))
                    .map(|(k, v)| (k[..3].to_string(), v.clone()))
                    .collect(),
                problem_id: l.problem_id,
                raise: l.problem_id.is_none()
                    && !r.blockers.is_empty()
                    && l.has_firm
                    && !l.held_elsewhere,
                held: l.held_elsewhere,
            }
        })
        .collect();
    Ok(Section {
        t: crate::i18n::Tr(lang),
        lines,
        editable,
        period_id,
    })
}

impl Section {
    /// The unit has no project reporting this period (no section, no 调度 template).
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Each figure field that is not a number, with its message.
fn field_errors(lang: Lang, form: &HashMap<&str, &str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in form {
        if let Some((_, label)) = FIGURES.iter().find(|(p, _)| k.starts_with(p))
            && qx_core::monitor::parse_figure(v).is_err()
        {
            out.insert(
                k.to_string(),
                format!(
                    "{}: {}",
                    crate::i18n::t(lang, label),
                    crate::i18n::t(lang, "mon.err.figure")
                ),
            );
        }
    }
    out
}

/// The lines the form holds (a line per project with any `dg_` field, the one always sent).
fn read(form: &[(String, String)]) -> Vec<DispatchInput> {
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let figure = |k: String| {
        fields
            .get(k.as_str())
            .and_then(|v| qx_core::monitor::parse_figure(v).ok().flatten())
            .and_then(|d| d.to_string().parse::<f64>().ok())
    };
    let texts = |k: String| {
        fields
            .get(k.as_str())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    form.iter()
        .filter_map(|(k, _)| k.strip_prefix("dg_").and_then(|i| i.parse::<i64>().ok()))
        .map(|id| DispatchInput {
            project_id: id,
            figures: DispatchFigures {
                invested_wan: figure(format!("di_{id}")),
                foreign_wusd: figure(format!("df_{id}")),
                domestic_wan: figure(format!("dd_{id}")),
                progress: texts(format!("dg_{id}")),
                progress_pct: figure(format!("dq_{id}")),
                blockers: texts(format!("db_{id}")),
            },
        })
        .collect()
}

/// Saves the section's lines before the report itself (which may lock them by submitting).
/// `Err(problems)` when a figure is not a number or the store refuses; nothing is saved then.
pub(crate) async fn save_from_form(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    unit_id: i64,
    form: &[(String, String)],
) -> Result<Result<(), Vec<String>>, WebError> {
    let lines = read(form);
    if lines.is_empty() {
        return Ok(Ok(()));
    }
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let errors = field_errors(auth.ctx.lang, &fields);
    if !errors.is_empty() {
        return Ok(Err(vec![
            crate::i18n::t(auth.ctx.lang, "mon.err.fix_fields").to_string(),
        ]));
    }
    let saved = state
        .store
        .save_dispatch(&auth.actor(), period_id, unit_id, &lines)
        .await;
    let mut refused = FieldErrors::new(auth.ctx.lang);
    Ok(match refused.unless_refused(saved, &[])? {
        Some(()) => Ok(()),
        None => Err(refused.messages().into_iter().map(String::from).collect()),
    })
}
