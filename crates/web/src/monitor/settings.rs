//! Thresholds and time profiles (亮灯阈值与序时进度) and each indicator's data source.

use super::*;
use crate::form::FieldErrors;

/// Digits and punctuation as typed on a Chinese keyboard, made ASCII.
fn halfwidth(s: &str) -> String {
    s.trim()
        .chars()
        .map(qx_core::text::to_halfwidth)
        .map(|c| match c {
            '\u{3000}' => ' ',
            '、' => ',',
            _ => c,
        })
        .collect()
}

/// Moves the decimal point of a plain non-negative decimal two places left ("5.5" → "0.055").
fn percent_to_fraction(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let int = format!("{int:0>3}");
    let (a, b) = int.split_at(int.len() - 2);
    format!("{a}.{b}{frac}")
}

/// Reads the office's entry for an indicator's 序时进度: empty, "linear" or "线性" for the
/// linear profile, else twelve cumulative percentages ("5.5, 11, …, 100"; full-width digits,
/// commas and % signs accepted) that never decrease and end at 100.
pub fn parse_profile_input(text: &str) -> Result<qx_core::period::TimeProfile, String> {
    use qx_core::period::TimeProfile;
    let t = halfwidth(text);
    if t.is_empty() || t.eq_ignore_ascii_case("linear") || t == "线性" {
        return Ok(TimeProfile::Linear);
    }
    let parts: Vec<&str> = t
        .split([',', ';', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 12 {
        return Err(format!(
            "序时进度应为1—12月的12个累计百分比, 实际为 {} 个 (expected 12 monthly cumulative percentages)",
            parts.len()
        ));
    }
    let mut values = Vec::with_capacity(12);
    for (m, p) in (1..=12).zip(&parts) {
        let bare = p.trim_end_matches('%');
        let d = match qx_core::money::parse_decimal_cell(bare) {
            Ok(Some(d)) => d,
            _ => return Err(format!("{m}月 \"{p}\" 不是数字 (not a number)")),
        };
        if d.is_sign_negative() && !d.is_zero() {
            return Err(format!("{m}月 {p} 不能为负数 (must not be negative)"));
        }
        if let Some(prev) = values.last()
            && d < *prev
        {
            return Err(format!(
                "{m}月 {}% 小于 {}月 {}%, 累计进度不能下降 (must not decrease)",
                d.normalize(),
                m - 1,
                prev.normalize()
            ));
        }
        values.push(d);
    }
    let last = values[11].normalize().to_string();
    if last != "100" {
        return Err(format!(
            "12月累计进度应为 100%, 实际为 {last}% (must end at 100%)"
        ));
    }
    let fractions: Vec<String> = values
        .iter()
        .map(|d| percent_to_fraction(&d.normalize().to_string()))
        .collect();
    fractions.join(",").parse().map_err(|e| format!("{e}"))
}

/// A profile as the office types it: "" for linear, else the twelve percentages.
fn profile_percentages(profile: &qx_core::period::TimeProfile) -> String {
    if *profile == qx_core::period::TimeProfile::Linear {
        return String::new();
    }
    (1..=12u8)
        .filter_map(|m| profile.share_at(m))
        .map(|d| {
            let s = d.to_string();
            let v: f64 = s.parse().unwrap_or(0.0) * 100.0;
            fmt_num(v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct ProfileRow {
    id: i64,
    name: String,
    unit: String,
    kind_label: &'static str,
    lead: String,
    /// Whether 序时进度 applies (accumulating kinds); rates are due in full all year.
    accumulates: bool,
    is_linear: bool,
    input: String,
    /// Where the figure comes from ([`IndicatorSource`] code).
    source: &'static str,
}

#[derive(Template)]
#[template(path = "monitor/settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    yellow_gap: String,
    rows: Vec<ProfileRow>,
    /// The choices of 数据来源: code and label.
    sources: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    saved: bool,
}

async fn settings_page(
    state: &AppState,
    auth: &Office,
    q: &HashMap<String, String>,
    errors: Vec<String>,
    entered: Option<(i64, String)>,
) -> PageResult {
    let actor = auth.actor();
    let lang = auth.ctx.lang;
    let plan = chosen_plan(state, &actor, q).await?;
    let names = state.store.unit_names().await?;
    let mut rows = Vec::new();
    if let Some(plan) = &plan {
        let sources = state.store.indicator_sources(plan.id).await?;
        for i in state.store.plan_indicators(&actor, plan.id).await? {
            let kind = i.kind;
            let profile: qx_core::period::TimeProfile = i
                .profile
                .parse()
                .unwrap_or(qx_core::period::TimeProfile::Linear);
            let input = match &entered {
                Some((id, text)) if *id == i.id => text.clone(),
                _ => profile_percentages(&profile),
            };
            rows.push(ProfileRow {
                id: i.id,
                name: i.name,
                unit: i.unit,
                kind_label: kind.label(lang),
                lead: i
                    .lead_unit_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_default(),
                accumulates: monitor::accumulates(kind),
                is_linear: profile == qx_core::period::TimeProfile::Linear,
                input,
                source: sources
                    .get(&i.id)
                    .copied()
                    .unwrap_or(IndicatorSource::Manual)
                    .as_str(),
            });
        }
    }
    let yellow_gap = match &entered {
        Some((0, text)) => text.clone(),
        _ => fmt_num(state.store.monitor_thresholds().await?.yellow_gap_points),
    };
    let status = form_status(&errors);
    let page = SettingsPage {
        ctx: PageCtx::signed_in(auth),
        plan,
        yellow_gap,
        rows,
        sources: options(&IndicatorSource::ALL, IndicatorSource::as_str, lang),
        errors,
        saved: q.contains_key("saved"),
    };
    respond(status, &page)
}

pub(super) async fn settings(
    State(state): State<AppState>,
    auth: Office,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    settings_page(&state, &auth, &q, Vec::new(), None).await
}

#[derive(serde::Deserialize)]
pub(super) struct ThresholdForm {
    yellow_gap_points: String,
    #[serde(default)]
    plan: String,
}

fn settings_url(plan: &str, anchor: &str) -> String {
    match plan.parse::<i64>() {
        Ok(p) => format!("/monitor/settings?plan={p}&saved=1{anchor}"),
        Err(_) => format!("/monitor/settings?saved=1{anchor}"),
    }
}

pub(super) async fn save_thresholds(
    State(state): State<AppState>,
    auth: Office,
    Form(f): Form<ThresholdForm>,
) -> PageResult {
    let actor = auth.actor();
    let q: HashMap<String, String> = [("plan".to_string(), f.plan.clone())].into();
    let text = halfwidth(&f.yellow_gap_points);
    let points = match qx_core::money::parse_decimal_cell(text.trim_end_matches('%')) {
        Ok(Some(d)) => d.to_string().parse::<f64>().ok(),
        _ => None,
    };
    let result = match points {
        Some(p) => state.store.set_yellow_gap_points(&actor, p).await,
        None => Err(qx_store::StoreError::Invalid(format!(
            "黄灯阈值 \"{}\" 不是数字 (not a number)",
            f.yellow_gap_points
        ))),
    };
    let mut refused = FieldErrors::new(auth.ctx.lang);
    if refused.unless_refused(result, &[])?.is_some() {
        return Ok(Redirect::to(&settings_url(&f.plan, "")).into_response());
    }
    let problems = refused.messages().into_iter().map(String::from).collect();
    settings_page(&state, &auth, &q, problems, Some((0, f.yellow_gap_points))).await
}

/// A per-indicator settings form: its 序时进度 profile or its 数据来源, and the plan shown.
#[derive(serde::Deserialize)]
pub(super) struct IndicatorForm {
    #[serde(default)]
    profile: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    plan: String,
}

pub(super) async fn save_profile(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(f): Form<IndicatorForm>,
) -> PageResult {
    let actor = auth.actor();
    match parse_profile_input(&f.profile) {
        Ok(profile) => {
            state
                .store
                .set_indicator_profile(&actor, id, &profile)
                .await?;
            Ok(to_indicator(&f.plan, id))
        }
        Err(m) => {
            let plan_id = state.store.indicator_plan(id).await?;
            let name = state
                .store
                .plan_indicators(&actor, plan_id)
                .await?
                .into_iter()
                .find(|i| i.id == id)
                .map(|i| i.name)
                .unwrap_or_default();
            let msg = format!("\"{name}\" 序时进度: {m}");
            settings_again(&state, &auth, plan_id, msg, Some((id, f.profile))).await
        }
    }
}

/// The office switches an indicator between unit-reported and automatic (数据来源).
pub(super) async fn save_source(
    State(state): State<AppState>,
    auth: Office,
    Path(id): Path<i64>,
    Form(f): Form<IndicatorForm>,
) -> PageResult {
    let actor = auth.actor();
    let Some(source) = IndicatorSource::parse(&f.source) else {
        let plan_id = state.store.indicator_plan(id).await?;
        let msg = format!("数据来源 \"{}\" 无效 (unknown source)", f.source);
        return settings_again(&state, &auth, plan_id, msg, None).await;
    };
    state.store.set_indicator_source(&actor, id, source).await?;
    Ok(to_indicator(&f.plan, id))
}

/// Back to the indicator's row of the settings page of `plan` (as the form sent it).
fn to_indicator(plan: &str, id: i64) -> Response {
    Redirect::to(&settings_url(plan, &format!("#ind-{id}"))).into_response()
}

/// The settings page of `plan_id` again with `problem` above it; `typed` keeps the 序时进度 an
/// indicator's row was sent with.
async fn settings_again(
    state: &AppState,
    auth: &Office,
    plan_id: i64,
    problem: String,
    typed: Option<(i64, String)>,
) -> PageResult {
    let q: HashMap<String, String> = [("plan".to_string(), plan_id.to_string())].into();
    settings_page(state, auth, &q, vec![problem], typed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_read_as_percentages() {
        assert_eq!(percent_to_fraction("5.5"), "0.055");
        assert_eq!(percent_to_fraction("0.5"), "0.005");
        assert_eq!(percent_to_fraction("100"), "1.00");
        let p = parse_profile_input("５．５，１１、19 27 35 44 52 60 69 78 87 100%").unwrap();
        assert_eq!(
            p.to_string(),
            "0.055,0.11,0.19,0.27,0.35,0.44,0.52,0.6,0.69,0.78,0.87,1"
        );
        assert_eq!(
            profile_percentages(&p),
            "5.5, 11, 19, 27, 35, 44, 52, 60, 69, 78, 87, 100"
        );
        assert_eq!(
            parse_profile_input(" 线性 ").unwrap(),
            qx_core::period::TimeProfile::Linear
        );
        assert!(parse_profile_input("0,0,0,0,0,0,0,0,0,0,0,-100").is_err());
    }
}
