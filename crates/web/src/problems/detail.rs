//! One problem's page: its timeline, the steps the actor may take, attachments in and out.

use super::*;

pub struct EventLine {
    at: String,
    actor: String,
    action: String,
    status: String,
    note: String,
}

#[derive(Template)]
#[template(path = "problems/detail.html")]
pub(super) struct DetailPage {
    ctx: PageCtx,
    p: sp::Problem,
    category: &'static str,
    status: &'static str,
    tier: &'static str,
    source: &'static str,
    support: String,
    service_contact: String,
    satisfaction: String,
    events: Vec<EventLine>,
    attachments: Vec<sp::AttachmentMeta>,
    actions: Vec<(&'static str, &'static str)>,
    /// (id, name, proposed) for the 交办 form.
    units: Vec<(i64, String, bool)>,
    tiers: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    can_attach: bool,
    flag: &'static str,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let d = state.store.get_problem(&actor, id).await?;
    let status = d.problem.status();
    let actions: Vec<(&'static str, &'static str)> = match d.party {
        Some(party) => status
            .actions()
            .filter(|a| a.allowed_for(party))
            .filter(|a| match a {
                Action::DecideExtension => d.problem.extension_pending > 0,
                Action::RequestExtension => d.problem.extension_pending == 0,
                Action::Redo => d.problem.satisfaction == Some(Satisfaction::Unsatisfied),
                Action::Escalate => d.problem.tier().next().is_some(),
                _ => true,
            })
            .map(|a| (a.as_str(), a.label(lang)))
            .collect(),
        None => Vec::new(),
    };
    let units = if d.party == Some(Party::Office) {
        let proposed = d.problem.proposed_unit_id;
        state
            .store
            .list_units()
            .await?
            .into_iter()
            .filter(|u| u.active != 0)
            .map(|u| (u.id, u.name, Some(u.id) == proposed))
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = PageCtx::signed_in(&auth);
    if q.contains_key("saved") {
        ctx.flash = Some(crate::i18n::t(lang, "common.saved").to_string());
    }
    let today = today();
    let cal = state.store.work_calendar().await?;
    let near = format_date(cal.add_working_days(today, 1).unwrap_or(today));
    let page = DetailPage {
        ctx,
        category: d.problem.category.label(lang),
        status: d.problem.status.label(lang),
        tier: d.problem.tier.label(lang),
        source: sp::SOURCES
            .iter()
            .find(|(s, _)| *s == d.problem.source)
            .map_or("", |(_, l)| l),
        support: d
            .support_units
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        service_contact: d.service_contact.clone().unwrap_or_default(),
        satisfaction: d
            .problem
            .satisfaction
            .map(|s| s.label(lang).to_string())
            .unwrap_or_default(),
        events: d
            .events
            .iter()
            .map(|e| EventLine {
                at: format_datetime(e.at),
                actor: e.actor.clone(),
                action: Action::parse(&e.action)
                    .map(|a| a.label(lang).to_string())
                    .unwrap_or_else(|| e.action.clone()),
                status: if e.to_status.is_empty() {
                    String::new()
                } else {
                    Status::parse(&e.to_status)
                        .map_or("?", |s| s.label(lang))
                        .to_string()
                },
                note: e.note.clone(),
            })
            .collect(),
        attachments: d.attachments.clone(),
        can_attach: d.party.is_some() && status.is_open(),
        actions,
        units,
        tiers: options(Tier::ALL, Tier::as_str, lang),
        satisfactions: options(Satisfaction::ALL, Satisfaction::as_str, lang),
        flag: flag_of(
            &d.problem.due_on,
            d.problem.status,
            &format_date(today),
            &near,
        ),
        p: d.problem,
    };
    Ok(render(&page).into_response())
}

/// Turns the step form's fields into a [`Step`], naming the field that is wrong.
pub(super) fn parse_step(fields: &[(String, String)]) -> Result<Step, WebError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let action = Action::parse(&get("action"))
        .ok_or_else(|| WebError::BadRequest(format!("办理事项: \"{}\" 无效", get("action"))))?;
    let step = match action {
        Action::Accept => Step::Accept { note: get("note") },
        Action::Assign => {
            let tier = Tier::parse(&get("tier"))
                .ok_or_else(|| WebError::BadRequest("层级: 请选择".into()))?;
            let support_unit_ids = fields
                .iter()
                .filter(|(n, v)| n == "support_unit_ids" && !v.trim().is_empty())
                .map(|(_, v)| parse_id("协办单位", v))
                .collect::<Result<Vec<_>, _>>()?;
            Step::Assign {
                tier,
                lead_unit_id: parse_id("主办单位", &get("lead_unit_id"))?,
                support_unit_ids,
                note: get("note"),
            }
        }
        Action::Start => Step::Start,
        Action::Return => Step::Return {
            reason: get("reason"),
        },
        Action::RequestExtension => {
            let days = get("days").parse().map_err(|_| {
                WebError::BadRequest(format!("延期天数: \"{}\" 不是整数", get("days")))
            })?;
            Step::RequestExtension {
                days,
                reason: get("reason"),
            }
        }
        Action::DecideExtension => Step::DecideExtension {
            approve: get("approve") == "1",
            note: get("note"),
        },
        Action::Urge => Step::Urge { note: get("note") },
        Action::Escalate => Step::Escalate {
            reason: get("reason"),
        },
        Action::Answer => Step::Answer {
            text: get("text"),
            resolved: get("resolved") == "1",
        },
        Action::Rate => Step::Rate {
            satisfaction: Satisfaction::parse(&get("satisfaction"))
                .ok_or_else(|| WebError::BadRequest("评价: 请选择满意程度".into()))?,
            comment: get("comment"),
        },
        Action::Redo => Step::Redo {
            reason: get("reason"),
        },
        Action::Close => Step::Close { note: get("note") },
    };
    Ok(step)
}

pub(super) async fn step(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let step = parse_step(&fields)?;
    let notices = state
        .store
        .problem_step(&auth.actor(), id, &step, today())
        .await?;
    crate::webhook::dispatch_notices(state.store.clone(), notices);
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}

pub(super) async fn attach(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let up = upload::read(form, &PROBLEM_UPLOAD).await?;
    if up.files.is_empty() {
        return Err(WebError::BadRequest("附件: 请选择文件".into()));
    }
    for f in &attachments(up.files) {
        state
            .store
            .add_problem_attachment(&auth.actor(), id, f)
            .await?;
    }
    Ok(Redirect::to(&format!("/problems/{id}?saved=1")).into_response())
}

/// Serves a stored attachment as a download through `crate::download`, with a type from the
/// allowlist (rows stored before the allowlist held the client's type, which is not trusted:
/// anything else goes out as octet-stream).
pub(super) fn download_stored(content_type: &str, filename: &str, data: Vec<u8>) -> Response {
    let safe_type = AttachmentKind::ALL
        .iter()
        .map(|k| k.content_type())
        .find(|t| *t == content_type)
        .unwrap_or("application/octet-stream");
    crate::download::attachment(data, filename, safe_type)
}

pub(super) async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, aid)): Path<(i64, i64)>,
) -> PageResult {
    let (meta, data) = state
        .store
        .get_problem_attachment(&auth.actor(), id, aid)
        .await?;
    Ok(download_stored(&meta.content_type, &meta.filename, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_forms_name_the_bad_field() {
        let f = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        let err = parse_step(&f(&[("action", "request_extension"), ("days", "x")])).unwrap_err();
        assert!(err.to_string().contains("延期天数"));
        let s = parse_step(&f(&[
            ("action", "assign"),
            ("tier", "department"),
            ("lead_unit_id", "3"),
            ("support_unit_ids", "4"),
            ("support_unit_ids", "5"),
        ]))
        .unwrap();
        assert!(
            matches!(s, Step::Assign { lead_unit_id: 3, ref support_unit_ids, .. } if support_unit_ids == &[4, 5])
        );
        assert!(parse_step(&f(&[("action", "fly")])).is_err());
    }
}
