//! The home page after sign-in: each role's 工作台 (`qx_app::workbench`), then what the old
//! home page showed (the unit's card, the registry overview, recent activity). Every item links
//! to the list it counts.

use std::collections::HashMap;

use crate::auth::Auth;
use crate::i18n::Lang;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use qx_app::workbench::{self, DueReport, PeriodWork, ProblemCount, Unread, Workbench};
use qx_core::access::Role;
use qx_core::label::Labelled;
use qx_core::meeting::Colour;
use qx_core::notice::NoticeKind;
use qx_core::period::Period;
use qx_core::time::format_datetime;
use qx_core::units::UnitKind;
use qx_store::meetings::{Part, SupervisionItem};
use qx_store::problems::ProblemRow;
use time::Date;

type PageResult = Result<Response, WebError>;

/// One line of a 工作台 list: where it leads, what it is, its figure, and a note.
pub struct Item {
    pub href: String,
    pub text: String,
    pub count: String,
    pub note: String,
    /// Shown in red (past a deadline, waiting long).
    pub urgent: bool,
}

/// A section of the 工作台: a heading, the total it counts, its lines.
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub total: i64,
    /// Where the whole list is, when one list holds all of it.
    pub all_href: Option<String>,
    pub items: Vec<Item>,
    pub empty: &'static str,
}

fn t(lang: Lang, key: &str) -> &str {
    crate::i18n::t(lang, key)
}

/// How a line names a reporting period: the month and its deadline, "2017年10月 (截止 2017-11-05)".
fn period_due(lang: Lang, period: &Period, due_on: Date) -> String {
    format!("{} ({} {due_on})", period.label(lang), t(lang, "wb.due_on"))
}

fn days(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Zh => format!("{n} 天"),
        Lang::En if n == 1 => "1 day".into(),
        Lang::En => format!("{n} days"),
    }
}

/// A section of periods with reports waiting (to review, or overdue): each line a period, its
/// count the units waiting, the section's total their sum.
fn period_section(
    lang: Lang,
    id: &'static str,
    title_key: &'static str,
    works: &[PeriodWork],
    units_key: &str,
    days_key: &str,
) -> Section {
    let items = works
        .iter()
        .map(|w| Item {
            href: format!("/monitor/periods/{}", w.period_id),
            text: period_due(lang, &w.period, w.due_on),
            count: format!("{} {}", w.units, t(lang, units_key)),
            note: format!("{} {}", t(lang, days_key), days(lang, w.oldest_days)),
            urgent: w.oldest_days > 3,
        })
        .collect();
    Section {
        id,
        title: t(lang, title_key),
        total: works.iter().map(|w| w.units as i64).sum(),
        all_href: None,
        items,
        empty: t(lang, "wb.none"),
    }
}

/// Whether a problem line shows the deadline that runs on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Due {
    /// The reader's to meet: shown, and red once passed.
    Shown,
    /// Someone else's: an answer waiting for the firm's rating runs the office's 办结
    /// deadline, which the firm owes nothing towards, so its line names none.
    NotTheirs,
}

fn problem_items(lang: Lang, rows: &[ProblemRow], today: &str, due: Due) -> Vec<Item> {
    rows.iter()
        .map(|r| {
            let shown = due == Due::Shown && !r.due_on.is_empty();
            Item {
                href: format!("/problems/{}", r.id),
                text: format!("{} · {}", r.title, r.enterprise_name),
                count: r.status.label(lang).to_string(),
                note: if shown {
                    format!("{} {}", t(lang, "wb.deadline"), r.due_on)
                } else {
                    String::new()
                },
                urgent: shown && r.due_on.as_str() < today,
            }
        })
        .collect()
}

/// A problem count as a card: the number, the first few problems it counts and the link to
/// the list of all of them.
fn count_section(
    lang: Lang,
    id: &'static str,
    title: &'static str,
    c: &ProblemCount,
    today: &str,
    due: Due,
) -> Section {
    Section {
        id,
        title,
        total: c.total,
        all_href: Some(format!("/problems?{}", c.query())),
        items: problem_items(lang, &c.first, today, due),
        empty: t(lang, "wb.none"),
    }
}

/// The unread-notices card, the same for a unit and an enterprise: the newest unread notices as
/// 工作台 lines — the message, leading to what it is about (or to the notice list when the reader
/// may no longer open that); overdue ones in red.
fn notices_section(lang: Lang, unread: &Unread) -> Section {
    let items = unread
        .first
        .iter()
        .map(|u| Item {
            href: u.path.clone().unwrap_or_else(|| "/notices?unread=1".into()),
            text: u.notice.says(lang),
            count: u.notice.kind.label(lang).to_string(),
            note: format_datetime(u.notice.created_at),
            urgent: matches!(
                u.notice.kind,
                NoticeKind::ProblemOverdue | NoticeKind::SupervisionOverdue
            ),
        })
        .collect();
    Section {
        id: "notices",
        title: t(lang, "wb.unread_notices"),
        total: unread.total,
        all_href: Some("/notices?unread=1".into()),
        items,
        empty: t(lang, "wb.none"),
    }
}

/// A 督办 item as a 工作台 line: its text and meeting, state and deadline; red is urgent.
/// The 督办 items a unit leads, or those it supports, with the list of its part behind the card
/// (the card's count is that list's length).
fn supervision_section(lang: Lang, part: Part, total: usize, items: &[SupervisionItem]) -> Section {
    let (id, title) = match part {
        Part::Lead => ("supervision", "wb.supervision"),
        Part::Support => ("supported_supervision", "wb.supported_supervision"),
    };
    Section {
        id,
        title: t(lang, title),
        total: total as i64,
        all_href: Some(format!("/supervision?open=1&part={}", part.as_str())),
        items: supervision_items(lang, items),
        empty: t(lang, "wb.none"),
    }
}

fn supervision_items(lang: Lang, items: &[SupervisionItem]) -> Vec<Item> {
    items
        .iter()
        .map(|x| Item {
            href: format!("/supervision/{}", x.id),
            text: format!("{} · {}", x.text, x.meeting_title),
            count: x.status.label(lang).to_string(),
            note: format!("{} {}", t(lang, "wb.deadline"), x.deadline),
            urgent: x.colour == Some(Colour::Red),
        })
        .collect()
}

fn due_item(lang: Lang, d: &DueReport) -> Item {
    let left = d.working_days_left;
    Item {
        href: format!("/report/{}", d.period_id),
        text: period_due(lang, &d.period, d.due_on),
        count: d
            .status
            .map_or_else(|| t(lang, "mon.st.none"), |s| s.label(lang))
            .to_string(),
        note: if !d.comment.is_empty() {
            format!("{}: {}", t(lang, "wb.return_comment"), d.comment)
        } else if left >= 0 {
            format!("{} {}", t(lang, "wb.working_days_left"), days(lang, left))
        } else {
            format!("{} {}", t(lang, "wb.working_days_late"), days(lang, -left))
        },
        urgent: left < 0 || !d.comment.is_empty(),
    }
}

fn sections(lang: Lang, wb: &Workbench) -> Vec<Section> {
    let today = qx_core::time::format_date(qx_core::time::today());
    match wb {
        Workbench::Office(o) => {
            let mut out = vec![
                period_section(
                    lang,
                    "review",
                    "wb.to_review",
                    &o.to_review,
                    "wb.reports",
                    "wb.oldest_waiting",
                ),
                period_section(
                    lang,
                    "overdue",
                    "wb.overdue_reports",
                    &o.overdue,
                    "wb.units_missing",
                    "wb.overdue_by",
                ),
                count_section(
                    lang,
                    "accept",
                    t(lang, "wb.to_accept"),
                    &o.to_accept,
                    &today,
                    Due::Shown,
                ),
                count_section(
                    lang,
                    "reassign",
                    t(lang, "wb.to_reassign"),
                    &o.to_reassign,
                    &today,
                    Due::Shown,
                ),
            ];
            out.push(Section {
                id: "extensions",
                title: t(lang, "wb.extensions"),
                total: o.extensions.len() as i64,
                all_href: None,
                items: problem_items(lang, &o.extensions, &today, Due::Shown),
                empty: t(lang, "wb.none"),
            });
            out.push(Section {
                id: "objections",
                title: t(lang, "wb.objections"),
                total: o.objections.iter().map(|w| w.open as i64).sum(),
                all_href: None,
                items: o
                    .objections
                    .iter()
                    .map(|w| Item {
                        href: format!("/enterprises/evaluation?run={}", w.run_id),
                        text: format!("{} {}", w.year, t(lang, "wb.evaluation")),
                        count: format!("{} {}", w.open, t(lang, "wb.items")),
                        note: String::new(),
                        urgent: false,
                    })
                    .collect(),
                empty: t(lang, "wb.none"),
            });
            out.push(Section {
                id: "bulletins",
                title: t(lang, "wb.bulletins"),
                total: o.bulletins.len() as i64,
                all_href: None,
                items: o
                    .bulletins
                    .iter()
                    .map(|b| Item {
                        href: format!(
                            "/bulletins/preview?plan={}&kind={}&period={}",
                            b.plan_id,
                            b.kind.as_str(),
                            b.period
                        ),
                        text: format!("{} {}", b.period.label(lang), b.kind.label(lang)),
                        count: String::new(),
                        note: if b.pending > 0 {
                            format!("{} {}", b.pending, t(lang, "wb.pending_reports"))
                        } else {
                            String::new()
                        },
                        urgent: b.pending > 0,
                    })
                    .collect(),
                empty: t(lang, "wb.none"),
            });
            out
        }
        Workbench::Unit(u) => {
            let mut out = vec![
                Section {
                    id: "due",
                    title: t(lang, "wb.due_reports"),
                    total: u.due.len() as i64,
                    all_href: Some("/report".into()),
                    items: u.due.iter().map(|d| due_item(lang, d)).collect(),
                    empty: t(lang, "wb.all_reported"),
                },
                Section {
                    id: "returned",
                    title: t(lang, "wb.returned"),
                    total: u.returned.len() as i64,
                    all_href: None,
                    items: u.returned.iter().map(|d| due_item(lang, d)).collect(),
                    empty: t(lang, "wb.none"),
                },
            ];
            let mut handle = Section {
                id: "problems",
                title: t(lang, "wb.problems_to_handle"),
                total: u.problems.iter().map(|c| c.total).sum(),
                all_href: None,
                items: u
                    .problems
                    .iter()
                    .map(|c| Item {
                        href: format!("/problems?{}", c.query()),
                        text: c.status.map(|s| s.label(lang)).unwrap_or_default().into(),
                        count: c.total.to_string(),
                        note: String::new(),
                        urgent: false,
                    })
                    .collect(),
                empty: t(lang, "wb.none"),
            };
            handle
                .items
                .extend(problem_items(lang, &u.urgent, &today, Due::Shown));
            out.push(handle);
            out.push(count_section(
                lang,
                "overdue_problems",
                t(lang, "wb.overdue_problems"),
                &u.overdue_problems,
                &today,
                Due::Shown,
            ));
            out.push(supervision_section(
                lang,
                Part::Lead,
                u.supervision_total,
                &u.supervision,
            ));
            // Only for a unit that supports an open item: most never do.
            if u.supported_total > 0 {
                out.push(supervision_section(
                    lang,
                    Part::Support,
                    u.supported_total,
                    &u.supported,
                ));
            }
            out.push(notices_section(lang, &u.unread));
            out
        }
        Workbench::Enterprise(e) => vec![
            count_section(
                lang,
                "rate",
                t(lang, "wb.to_rate"),
                &e.to_rate,
                &today,
                Due::NotTheirs,
            ),
            Section {
                id: "open",
                title: t(lang, "wb.my_problems"),
                total: e.open_total as i64,
                all_href: Some("/problems".into()),
                items: problem_items(lang, &e.open, &today, Due::Shown),
                empty: t(lang, "wb.none"),
            },
            notices_section(lang, &e.unread),
        ],
        Workbench::Leader(l) => {
            let plan_q = l
                .plan
                .as_ref()
                .map(|p| format!("plan={}", p.id))
                .unwrap_or_default();
            let period_q = l.period.map(|p| format!("&period={p}")).unwrap_or_default();
            let at_period = l.period.map(|p| format!("?period={p}")).unwrap_or_default();
            vec![
                Section {
                    id: "lights",
                    title: t(lang, "wb.lights"),
                    total: l.lights.iter().map(|(_, n)| *n as i64).sum(),
                    all_href: Some(format!("/monitor?{plan_q}{period_q}")),
                    items: l
                        .lights
                        .iter()
                        .map(|(light, n)| Item {
                            href: format!("/monitor?{plan_q}{period_q}"),
                            text: light.label(lang).to_string(),
                            count: n.to_string(),
                            note: String::new(),
                            urgent: *light == qx_core::monitor::Light::Red && *n > 0,
                        })
                        .collect(),
                    empty: t(lang, "wb.none"),
                },
                Section {
                    id: "lagging",
                    title: t(lang, "wb.lagging"),
                    total: l.lagging_total as i64,
                    all_href: Some(format!("/monitor?{plan_q}{period_q}")),
                    items: l
                        .lagging
                        .iter()
                        .map(|x| Item {
                            href: format!("/monitor/indicators/{}{at_period}", x.indicator_id),
                            text: format!("{} · {}", x.name, x.unit_name),
                            count: x.light.label(lang).to_string(),
                            note: format!(
                                "{} {} / {} {}",
                                t(lang, "mon.completion"),
                                x.completion
                                    .map_or_else(|| "—".into(), |c| format!("{:.1}%", c * 100.0)),
                                t(lang, "mon.time_share"),
                                format_args!("{:.1}%", x.time_share * 100.0)
                            ),
                            urgent: x.light == qx_core::monitor::Light::Red,
                        })
                        .collect(),
                    empty: t(lang, "wb.none"),
                },
                count_section(
                    lang,
                    "escalated",
                    t(lang, "wb.escalated"),
                    &l.escalated,
                    &today,
                    Due::Shown,
                ),
                count_section(
                    lang,
                    "overdue_problems",
                    t(lang, "wb.overdue_problems"),
                    &l.overdue_problems,
                    &today,
                    Due::Shown,
                ),
                Section {
                    id: "my_projects",
                    title: t(lang, "wb.my_projects"),
                    total: l.my_projects_total as i64,
                    all_href: Some(format!("/projects?leader={}", l.user_id)),
                    items: l
                        .my_projects
                        .iter()
                        .map(|r| Item {
                            href: format!("/projects/{}", r.project.id),
                            text: r.project.name.clone(),
                            count: r.project.stage.label(lang).to_string(),
                            note: r
                                .alert
                                .map(|a| a.label(lang).to_string())
                                .unwrap_or_default(),
                            urgent: r.alert.is_some()
                                || r.light.light == qx_core::monitor::Light::Red,
                        })
                        .collect(),
                    empty: t(lang, "wb.none"),
                },
                Section {
                    id: "red_supervision",
                    title: t(lang, "wb.red_supervision"),
                    total: l.red_supervision_total as i64,
                    all_href: Some("/supervision?colour=red&open=1".into()),
                    items: supervision_items(lang, &l.red_supervision),
                    empty: t(lang, "wb.none"),
                },
            ]
        }
    }
}

#[derive(Template)]
#[template(path = "workbench/home.html")]
struct HomePage {
    ctx: PageCtx,
    display_name: String,
    today: String,
    is_leader: bool,
    sections: Vec<Section>,
    my_unit: Option<qx_store::units::Unit>,
    my_enterprise: Option<qx_store::enterprises::Enterprise>,
    kind_counts: Vec<(&'static str, &'static str, usize)>,
    user_count: usize,
    recent: Vec<crate::audit::AuditLine>,
}

pub async fn home(State(state): State<AppState>, auth: Auth) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let ctx = PageCtx::signed_in(&auth);
    let wb = workbench::workbench(&state.store, &state.picture_cache, &actor)
        .await
        .map_err(WebError::from)?;
    let my_unit = match (actor.role, actor.unit_id) {
        (Role::Unit, Some(id)) => Some(state.store.get_unit(id).await?),
        _ => None,
    };
    let my_enterprise = match actor.enterprise_id {
        Some(id) => Some(state.store.get_enterprise(&actor, id).await?),
        None => None,
    };
    let mut kind_counts = Vec::new();
    let mut user_count = 0;
    let mut recent = Vec::new();
    if actor.is_admin() {
        let units = state.store.list_units().await?;
        for kind in UnitKind::ALL {
            let n = units.iter().filter(|u| u.kind == kind).count();
            if n > 0 {
                kind_counts.push((kind.label(lang), kind.as_str(), n));
            }
        }
        user_count = state.store.count_users().await? as usize;
        // The audit page's own lines: names and Chinese labels, never codes or account names.
        recent = crate::audit::audit_lines(&state, &actor, lang, &HashMap::new(), 8).await?;
    }
    let page = HomePage {
        ctx,
        display_name: auth.session.user.profile.display_name.clone(),
        today: qx_core::time::format_date(qx_core::time::today()),
        is_leader: actor.role == Role::Leader,
        sections: sections(lang, &wb),
        my_unit,
        my_enterprise,
        kind_counts,
        user_count,
        recent,
    };
    Ok(render(&page).into_response())
}
