//! 导出 and 打印 of the problem list (see `crate::export`): the list page's filters from the same
//! query string, the actor's scope from the store, and every page of rows at once.
//! `GET /export/problems?<the list's query>[&print=1]`.

use super::*;
use crate::export::{self, ListQuery};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/export/problems", get(export_problems))
}

/// A filter's shown value: the label of `T` named by `q[key]`, empty when absent.
fn shown<T: Labelled>(
    q: &ListQuery,
    key: &str,
    parse: fn(&str) -> Option<T>,
    lang: Lang,
) -> String {
    q.get(key)
        .and_then(|s| parse(s))
        .map(|v| v.label(lang).to_string())
        .unwrap_or_default()
}

async fn export_problems(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let today = today();
    let mut f = list_filter(&q);
    f.limit = export::EXPORT_LIMIT;
    f.offset = 0;
    let (rows, _) = state.store.list_problems(&actor, &f, today).await?;
    let cal = state.store.work_calendar().await?;
    let t = |k: &str| crate::i18n::t(lang, k).to_string();
    let flag = q
        .get("flag")
        .and_then(|s| DeadlineFlag::parse(s))
        .and_then(flag_key)
        .map(t)
        .unwrap_or_default();
    let mut table = export::table(
        lang,
        crate::i18n::t(lang, "pb.title"),
        &[
            (
                crate::i18n::t(lang, "pb.status"),
                match f.group {
                    Some(g) => g.label(lang).to_string(),
                    None => shown(&q, "status", Status::parse, lang),
                },
            ),
            (
                crate::i18n::t(lang, "pb.category"),
                shown(&q, "category", Category::parse, lang),
            ),
            (
                crate::i18n::t(lang, "pb.tier"),
                shown(&q, "tier", Tier::parse, lang),
            ),
            (crate::i18n::t(lang, "pb.due"), flag),
            (
                crate::i18n::t(lang, "pb.search"),
                q.get("q").cloned().unwrap_or_default(),
            ),
            (
                crate::i18n::t(lang, "pb.from"),
                q.get("from").cloned().unwrap_or_default(),
            ),
            (
                crate::i18n::t(lang, "pb.to"),
                q.get("to").cloned().unwrap_or_default(),
            ),
        ],
    );
    table.columns = vec!["#".to_string()];
    table.columns.extend(export::columns(
        lang,
        &[
            "pb.subject",
            "pb.enterprise",
            "pb.category",
            "pb.status",
            "pb.tier",
            "pb.lead_unit",
            "pb.submitted_on",
            "pb.due",
        ],
    ));
    table.rows = rows
        .into_iter()
        .map(|r| {
            let due = match flag_key(DeadlineFlag::running(&cal, today, r.status, r.due)) {
                Some(key) => format!("{} ({})", r.due_on, t(key)),
                None => r.due_on,
            };
            vec![
                r.id.into(),
                r.title.into(),
                r.enterprise_name.into(),
                r.category.label(lang).into(),
                r.status.label(lang).into(),
                r.tier.label(lang).into(),
                r.lead_unit_name.into(),
                r.submitted_on.into(),
                due.into(),
            ]
        })
        .collect();
    export::answer(&auth, table, &q, "/problems")
}
