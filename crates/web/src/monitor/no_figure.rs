//! 本月无数据 on the report form: an indicator marked "no figure this month" (`x_{id}`) with
//! its reason (`r_{id}`), read from the form, checked beside each field, and shown to the
//! office as "本月无数据：<reason>".

use super::*;
use qx_store::monitoring::NoFigure;
use std::ops::Deref;

/// What the report form sends: the figures and task lines (read through `Deref` as the
/// [`SubmissionInput`] they are), and the indicators marked 本月无数据 with the reason typed.
#[derive(Default)]
pub(crate) struct ReportInput {
    pub(crate) submission: SubmissionInput,
    pub(crate) no_figures: Vec<NoFigure>,
}

impl Deref for ReportInput {
    type Target = SubmissionInput;

    fn deref(&self) -> &SubmissionInput {
        &self.submission
    }
}

/// The indicators marked 本月无数据 on the form (`x_{id}` ticked), each with the reason typed
/// (`r_{id}`, empty when none was).
pub(super) fn read_no_figures(form: &[(String, String)]) -> Vec<NoFigure> {
    let mut out: Vec<NoFigure> = Vec::new();
    for (k, v) in form {
        let Some(id) = k.strip_prefix("x_").and_then(|i| i.parse::<i64>().ok()) else {
            continue;
        };
        if v.is_empty() || out.iter().any(|m| m.indicator_id == id) {
            continue;
        }
        let reason = form
            .iter()
            .rfind(|(k, _)| *k == format!("r_{id}"))
            .map(|(_, r)| r.clone())
            .unwrap_or_default();
        out.push(NoFigure {
            indicator_id: id,
            reason,
        });
    }
    out
}

/// What is wrong with the marks as typed, beside the fields: (indicator id → message beside
/// the figure, indicator id → message beside the reason). A mark needs a reason within its
/// limit and no figure.
pub(crate) fn mark_errors(
    lang: Lang,
    input: &ReportInput,
) -> (HashMap<i64, String>, HashMap<i64, String>) {
    let (mut figure, mut reason) = (HashMap::new(), HashMap::new());
    for m in &input.no_figures {
        let text = m.reason.trim();
        if text.is_empty() {
            reason.insert(m.indicator_id, t(lang, "mon.nofig.reason_missing"));
        } else if qx_core::text::NO_FIGURE_REASON.check(text).is_err() {
            reason.insert(
                m.indicator_id,
                t(lang, "mon.nofig.reason_long").replace(
                    "{n}",
                    &qx_core::text::NO_FIGURE_REASON.max_chars.to_string(),
                ),
            );
        }
        if input.has_figure(m.indicator_id) {
            figure.insert(m.indicator_id, t(lang, "mon.nofig.and_figure"));
        }
    }
    (figure, reason)
}

fn t(lang: Lang, key: &str) -> String {
    crate::i18n::t(lang, key).to_string()
}

/// "本月无数据：<reason>", as the office reads a mark.
pub(super) fn mark_text(lang: Lang, reason: &str) -> String {
    format!("{}{reason}", t(lang, "mon.nofig.shown"))
}
