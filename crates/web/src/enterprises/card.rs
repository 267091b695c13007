//! An enterprise's card: registry entry, yearly facts and 加减分 inputs, and every year's result
//! with per-item provenance, 调档 and objections.

use super::actions::FormState;
use super::{ObjectionView, PageResult, f2, f4, objection_views, scale_key};
use crate::AppState;
use crate::auth::Auth;
use crate::pages::{PageCtx, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use qx_core::access::Role;
use qx_core::evaluation::RunAction;
use qx_core::label::Labelled;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/enterprises/{id}", get(card))
}

// ---- the card ----

pub struct FactView {
    year: i64,
    scale_key: &'static str,
    cells: Vec<String>,
}

pub struct ItemView {
    label: String,
    value: String,
    benchmark: String,
    weight: String,
    score: String,
    imputed: bool,
}

pub struct AdjustmentView {
    kind: &'static str,
    label: String,
    value: String,
    /// "+3.00", "−2.00" or "→ D".
    effect: String,
    source: String,
}

pub struct ExtraView {
    year: i64,
    column: String,
    value: String,
    source: String,
}

pub struct HistoryView {
    run_id: i64,
    year: i64,
    /// 公示 is open: the enterprise may object.
    may_object: bool,
    /// Not final yet: the office may 调档, to one of the scheme's classes.
    may_override: bool,
    classes: Vec<String>,
    status: &'static str,
    total: String,
    rank: i64,
    group: String,
    group_size: i64,
    class: String,
    initial_class: String,
    adjust_reason: String,
    items: Vec<ItemView>,
    adjustments: Vec<AdjustmentView>,
    objections: Vec<ObjectionView>,
}

#[derive(Template)]
#[template(path = "enterprises/show.html")]
struct CardPage {
    ctx: PageCtx,
    e: qx_store::enterprises::EnterpriseDetail,
    scale_key: &'static str,
    land: String,
    facts: Vec<FactView>,
    extras: Vec<ExtraView>,
    history: Vec<HistoryView>,
    is_self: bool,
    is_admin: bool,
    /// Whether the reader sees the firm's 亩均 results (a department following it on a
    /// cultivation ladder opens the card without them).
    sees_results: bool,
    /// A refused form of this card, shown again beside its fields.
    form: FormState,
    /// 企业培育库: the firm's tracks and the policy of the stage each stands at.
    tracks: Vec<TrackView>,
    /// The policies of the stages the firm stands at on a list, one line each (shown beside its
    /// latest 亩均 class, the first of `history`).
    entitled: Vec<String>,
}

/// One cultivation track on the card.
pub struct TrackView {
    entry_id: i64,
    pipeline: String,
    stage: String,
    status: &'static str,
    since: String,
    expires_on: String,
    policy: String,
}

async fn card(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    card_page(&state, &auth, id, FormState::default()).await
}

/// Enterprise `id`'s card, with `form` shown again when it was refused (then answered 400).
pub(super) async fn card_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    form: FormState,
) -> PageResult {
    let actor = auth.actor();
    let e = state.store.enterprise_detail(&actor, id).await?;
    let facts = state
        .store
        .enterprise_facts(&actor, id)
        .await?
        .into_iter()
        .map(|y| FactView {
            year: y.year,
            scale_key: scale_key(y.scale),
            cells: qx_store::enterprises::FACT_COLUMNS
                .iter()
                .map(|c| f2(y.facts.get(c)))
                .collect(),
        })
        .collect();
    let extras = state
        .store
        .enterprise_fact_extras(&actor, id)
        .await?
        .into_iter()
        .map(|x| ExtraView {
            year: x.year,
            column: x.column_name,
            value: format!("{}", x.value),
            source: x.source,
        })
        .collect();
    let mut history = Vec::new();
    let results = state.store.enterprise_results(&actor, id).await?;
    let sees_results = results.is_some();
    for (run, line) in results.unwrap_or_default() {
        let objections = objection_views(
            state.store.objections(&actor, run.id, Some(id)).await?,
            auth.ctx.lang,
        );
        history.push(HistoryView {
            run_id: run.id,
            year: run.year,
            status: run.status.label(auth.ctx.lang),
            may_object: run.status.allows(RunAction::Object),
            may_override: run.status.allows(RunAction::Override),
            classes: qx_app::evaluation::classes_of(&run),
            total: f2(Some(line.total)),
            rank: line.rank_no,
            group: qx_core::scale::group_label(&line.group_label, auth.ctx.lang),
            group_size: line.group_size,
            class: line.class.clone(),
            initial_class: line.initial_class.clone(),
            adjust_reason: line.adjust_reason.clone().unwrap_or_default(),
            items: line
                .item_results()?
                .into_iter()
                .map(|it| ItemView {
                    label: it.label,
                    value: f4(it.value),
                    benchmark: f4(it.benchmark),
                    weight: format!("{}", it.weight),
                    score: f4(Some(it.score)),
                    imputed: it.imputed,
                })
                .collect(),
            adjustments: line
                .adjustment_results()?
                .into_iter()
                .map(|a| AdjustmentView {
                    kind: a.kind.label(auth.ctx.lang),
                    effect: match &a.class {
                        Some(c) => format!("→ {c}"),
                        None => format!("{:+.2}", a.points),
                    },
                    label: a.label,
                    value: format!("{}", a.value),
                    source: a.source,
                })
                .collect(),
            objections,
        });
    }
    let tracks = state.store.cultivation_tracks(&actor, id).await?;
    let entitled = crate::cultivation::entitlements(&tracks);
    let tracks = tracks
        .into_iter()
        .map(|t| TrackView {
            entry_id: t.entry_id,
            status: t.status.label(auth.ctx.lang),
            policy: crate::cultivation::policy_line(&t.policy_text, t.policy_amount_wan.as_deref()),
            pipeline: t.pipeline_name,
            stage: t.stage_name,
            since: t.stage_since,
            expires_on: t.expires_on.unwrap_or_default(),
        })
        .collect();
    let page = CardPage {
        ctx: PageCtx::signed_in(auth),
        tracks,
        entitled,
        scale_key: scale_key(e.scale),
        land: f2(e.land_mu),
        is_self: actor.role == Role::Enterprise && actor.enterprise_id == Some(id),
        is_admin: actor.is_admin(),
        sees_results,
        e,
        facts,
        extras,
        history,
        form,
    };
    if page.form.is_refused() {
        return Ok(crate::form::invalid(&page));
    }
    Ok(render(&page).into_response())
}
