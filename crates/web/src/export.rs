//! 导出 (xlsx) and 打印 for every list. A list's export builds one [`ListTable`] from the same
//! store read, the same filters (the page's query string) and the same scope (the signed-in
//! actor) as its page; the workbook and the print view are two renderings of that one table,
//! so they never differ.
//!
//! `GET /export/<list>?<the page's query>` downloads `<标题>_<date>.xlsx`; with `print=1` added
//! it is the print view (the rows as a plain table, a 打印 button, 导出 and 返回 links). Lists:
//! `audit`, `users`, `units` (here), `enterprises` (`enterprises/export.rs`), `problems`
//! (`problems/export.rs`), `dashboard` and `unreported` (`monitor/export.rs`).

use crate::auth::{Auth, County, Office};
use crate::download;
use crate::form::Query;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use qx_core::label::Lang;
pub use qx_report::list::{Cell, ListTable};
use std::collections::HashMap;

type PageResult = Result<Response, WebError>;

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/audit", get(audit))
        .route("/export/users", get(users))
        .route("/export/units", get(units))
}

/// The query of a list page, as its export receives it.
pub type ListQuery = HashMap<String, String>;

/// `title` with what was exported: the filters given (`[(名称, 值)]`, empty ones left out) and
/// the moment, in China time.
pub fn table(lang: Lang, title: &str, filters: &[(&str, String)]) -> ListTable {
    let given: Vec<String> = filters
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}: {}", v.trim()))
        .collect();
    let at = qx_core::time::format_datetime(qx_core::time::now());
    let note = if given.is_empty() {
        format!("{} {at}", crate::i18n::t(lang, "export.at"))
    } else {
        format!(
            "{} {} · {} {at}",
            crate::i18n::t(lang, "export.filters"),
            given.join("; "),
            crate::i18n::t(lang, "export.at")
        )
    };
    ListTable {
        title: title.to_string(),
        note,
        ..ListTable::default()
    }
}

/// The column headers: the page's own labels, looked up in `lang`.
pub fn columns(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| crate::i18n::t(lang, k).to_string())
        .collect()
}

#[derive(Template)]
#[template(path = "export/print.html")]
struct PrintPage {
    ctx: PageCtx,
    table: ListTable,
    xlsx_link: String,
    back: String,
}

/// The answer to `/export/<list>?…`: the workbook, or with `print=1` the print view. `page` is
/// the list's own page (the print view's 返回 link), given the same query.
pub fn answer(auth: &Auth, table: ListTable, q: &ListQuery, page: &str) -> PageResult {
    let mut params: Vec<(&String, &String)> = q.iter().filter(|(k, _)| *k != "print").collect();
    params.sort();
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    let with = |path: &str| {
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    };
    if q.get("print").is_some_and(|v| v == "1") {
        let own = format!("/export/{}", list_name(page));
        let view = PrintPage {
            ctx: PageCtx::signed_in(auth),
            xlsx_link: with(&own),
            back: with(page),
            table,
        };
        return Ok(render(&view));
    }
    let bytes = qx_report::list::list_xlsx(&table)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    let date = qx_core::time::format_date(qx_core::time::today());
    let name = format!("{}_{date}.xlsx", table.title);
    Ok(download::attachment(bytes, &name, XLSX))
}

/// `/monitor/periods/7` → `unreported`… the export path's last part for a list page.
fn list_name(page: &str) -> &str {
    match page {
        p if p.starts_with("/monitor/periods/") => "unreported",
        "/monitor" => "dashboard",
        p => p.trim_start_matches('/'),
    }
}

async fn audit(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let lines = crate::audit::audit_lines(&state, &auth.actor(), lang, &q, EXPORT_LIMIT).await?;
    let mut t = table(
        lang,
        crate::i18n::t(lang, "nav.audit"),
        &crate::audit::filters_shown(lang, &q),
    );
    t.columns = columns(
        lang,
        &[
            "audit.seq",
            "audit.at",
            "audit.actor",
            "audit.action",
            "audit.entity",
            "audit.before",
            "audit.after",
            "audit.ip",
        ],
    );
    t.rows = lines
        .into_iter()
        .map(|a| {
            vec![
                a.seq.into(),
                a.at.into(),
                a.actor.into(),
                a.action.into(),
                format!("{} {}", a.entity, a.entity_id).trim().into(),
                a.before.into(),
                a.after.into(),
                a.ip.into(),
            ]
        })
        .collect();
    answer(&auth, t, &q, "/audit")
}

/// The most rows an export holds: the whole audit log of a busy year, not an unbounded read.
pub const EXPORT_LIMIT: i64 = 50_000;

async fn users(
    State(state): State<AppState>,
    auth: County,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let lines = crate::users::user_lines(&state, &auth.actor(), lang).await?;
    let mut t = table(lang, crate::i18n::t(lang, "nav.users"), &[]);
    t.columns = columns(
        lang,
        &[
            "user.username",
            "user.display_name",
            "user.role",
            "user.unit",
            "user.phone",
            "user.status",
        ],
    );
    t.rows = lines
        .into_iter()
        .map(|u| {
            let status = if u.locked {
                "user.locked"
            } else {
                "user.active"
            };
            vec![
                u.username.into(),
                u.display_name.into(),
                u.role_label.into(),
                u.unit_name.into(),
                u.phone.into(),
                crate::i18n::t(lang, status).into(),
            ]
        })
        .collect();
    answer(&auth, t, &q, "/users")
}

async fn units(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = auth.ctx.lang;
    let (rows, kind_shown) = crate::units::unit_rows(&state, lang, &q).await?;
    let mut t = table(
        lang,
        crate::i18n::t(lang, "nav.units"),
        &[
            (
                crate::i18n::t(lang, "unit.search"),
                q.get("q").cloned().unwrap_or_default(),
            ),
            (crate::i18n::t(lang, "unit.kind"), kind_shown),
        ],
    );
    t.columns = columns(
        lang,
        &[
            "unit.name",
            "unit.full_name",
            "unit.kind",
            "unit.region_code",
            "unit.aliases",
            "unit.contact",
        ],
    );
    t.rows = rows
        .into_iter()
        .map(|u| {
            vec![
                u.name.into(),
                u.full_name.into(),
                u.kind_label.into(),
                u.region_code.into(),
                u.aliases.into(),
                u.contact.into(),
            ]
        })
        .collect();
    answer(&auth, t, &q, "/units")
}
