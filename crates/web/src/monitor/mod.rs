//! Monitoring pages: the leaders' dashboard, an indicator's trend, a unit's monthly report,
//! and the office's view of each reporting period (who has not reported, review, reminders).

use crate::auth::Auth;
use crate::chart::{TrendChart, sparkline};
use crate::i18n::{Lang, Tr};
use crate::pages::{PageCtx, fmt_time, render};
use crate::upload;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use qx_app::AppError;
use qx_app::monitoring::{Picture, picture};
use qx_core::access::{Actor, Role};
use qx_core::indicator::IndicatorKind;
use qx_core::monitor::{self, Light, TaskState};
use qx_core::period::Period;
use qx_store::indicator_source::IndicatorSource;
use qx_store::monitoring::{ReportAttachment, SubmissionInput};
use qx_store::plans::Plan;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

type PageResult = Result<Response, WebError>;

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("nav.monitor", "监测", "Monitoring"),
    ("nav.report", "月度报送", "Monthly report"),
    (
        "mon.dashboard",
        "工业强县主要指标完成情况",
        "Main indicators",
    ),
    ("mon.period", "期间", "Period"),
    ("mon.indicator", "指标", "Indicator"),
    ("mon.unit", "单位", "Unit"),
    ("mon.target", "年度目标", "Annual target"),
    ("mon.actual", "累计", "To date"),
    ("mon.completion", "完成率", "Completion"),
    ("mon.time_share", "序时进度", "Time elapsed"),
    ("mon.light", "状态", "Status"),
    ("mon.trend", "走势", "Trend"),
    ("mon.forecast", "全年预测", "Year-end forecast"),
    ("mon.responsible", "责任单位", "Responsible"),
    ("mon.tasks", "工作任务推进", "Tasks"),
    ("mon.units", "各单位报送及时率", "Reporting punctuality"),
    (
        "mon.units_hint",
        "以各期首次报送时间对照截止日; 锁定后的更正不改变是否按时, 被退回的以重新报送时间为准。",
        "Judged on when each report was first sent; a correction after approval does not change it, a returned report counts from when it was sent again.",
    ),
    ("mon.on_time", "按时", "On time"),
    ("mon.late", "逾期", "Late"),
    ("mon.missing", "未报", "Missing"),
    (
        "mon.no_plan",
        "尚无已发布的工作方案。",
        "No published plan yet.",
    ),
    ("mon.summary", "项主要指标中", "main indicators:"),
    (
        "mon.lagging_tasks",
        "滞后、超期与停滞的任务",
        "Lagging, overdue and stalled tasks",
    ),
    ("mon.progress", "进展情况", "Progress"),
    ("mon.self_status", "自评状态", "Self-assessment"),
    ("mon.note", "说明", "Note"),
    ("mon.save", "暂存", "Save draft"),
    ("mon.submit", "提交审核", "Submit for review"),
    ("mon.due", "截止", "Due"),
    ("mon.status", "报送状态", "Status"),
    ("mon.st.none", "未报送", "Not started"),
    ("mon.st.draft", "草稿", "Draft"),
    ("mon.st.submitted", "待审核", "Submitted"),
    ("mon.st.returned", "被退回", "Returned"),
    ("mon.st.approved", "已审核", "Approved"),
    ("mon.st.superseded", "已更正", "Superseded"),
    ("mon.approve", "审核通过", "Approve"),
    ("mon.return", "退回", "Return"),
    ("mon.comment", "意见", "Comment"),
    ("mon.review", "审核", "Review"),
    ("mon.correct", "发起更正", "Start a correction"),
    ("mon.periods", "报送期", "Reporting periods"),
    ("mon.open_period", "开启报送期", "Open a period"),
    (
        "mon.remind",
        "提醒未报送单位",
        "Remind units that have not reported",
    ),
    ("mon.reminded", "已提醒", "Reminded"),
    ("mon.not_reported", "未报送单位", "Not reported"),
    (
        "mon.my_indicators",
        "本单位报送的指标",
        "Indicators my unit reports",
    ),
    ("mon.my_tasks", "本单位承担的任务", "Tasks of my unit"),
    ("mon.role.lead", "牵头", "Lead"),
    ("mon.role.support", "配合", "Support"),
    (
        "mon.co_reports",
        "配合单位报送",
        "Supporting units' reports",
    ),
    ("mon.history", "历次报送", "History"),
    (
        "mon.nothing_due",
        "当前没有需要报送的期间。",
        "Nothing is due now.",
    ),
    ("mon.notices", "提醒", "Notices"),
    (
        "mon.cumulative_hint",
        "请填写1—N月累计数; 增速、比率填百分数(不带%); 节点类填完成百分比。",
        "Enter 1–N month cumulative figures; rates as percentages without %; milestones as percent done.",
    ),
    ("mon.returned_because", "退回意见", "Returned because"),
    ("mon.view", "查看", "View"),
    ("mon.revision", "版本", "Revision"),
    ("mon.ts.done", "已完成", "Done"),
    ("mon.ts.on_track", "按计划推进", "On track"),
    ("mon.ts.behind", "进度滞后", "Behind"),
    ("mon.ts.not_started", "未启动", "Not started"),
    ("mon.att.title", "佐证材料", "Evidence"),
    ("mon.att.upload", "上传佐证材料", "Upload evidence"),
    (
        "mon.att.hint",
        "pdf、jpg、png、docx、xlsx, 每个文件不超过",
        "pdf, jpg, png, docx or xlsx; each file at most",
    ),
    (
        "mon.att.general",
        "本期报送的佐证材料",
        "Evidence for this report",
    ),
    ("mon.att.remove", "删除", "Remove"),
    ("mon.att.none", "暂无佐证材料", "No evidence attached"),
    (
        "mon.att.co",
        "配合单位佐证材料",
        "Supporting units' evidence",
    ),
    ("mon.att.added", "佐证材料已上传。", "Evidence uploaded."),
    ("mon.att.removed", "佐证材料已删除。", "Evidence removed."),
    (
        "mon.att.choose",
        "请选择要上传的文件 (choose a file)",
        "Choose a file to upload",
    ),
    (
        "mon.xlsx.title",
        "用Excel模板报送",
        "Report with the Excel template",
    ),
    (
        "mon.xlsx.hint",
        "下载本单位本期预填模板, 填好后上传; 整表校验通过才保存, 否则逐项列出工作表、行、列。",
        "Download this period's pre-filled template, fill it in and upload it; nothing is saved unless every cell is valid, and each problem names its sheet, row and column.",
    ),
    (
        "mon.xlsx.download",
        "下载Excel模板",
        "Download the template",
    ),
    ("mon.xlsx.upload_save", "上传并暂存", "Upload as draft"),
    (
        "mon.xlsx.upload_submit",
        "上传并提交审核",
        "Upload and submit",
    ),
    (
        "mon.xlsx.imported",
        "已从Excel模板导入。",
        "Imported from the Excel template.",
    ),
    (
        "mon.upload_errors",
        "上传未保存, 请修改以下问题后重新上传:",
        "Nothing was saved. Fix these and upload again:",
    ),
    (
        "mon.settings",
        "亮灯阈值与序时进度",
        "Thresholds and time profiles",
    ),
    (
        "mon.settings.saved",
        "已保存, 看板即时生效。",
        "Saved; the dashboard uses it at once.",
    ),
    ("mon.yellow_gap", "黄灯阈值", "Yellow-light gap"),
    (
        "mon.yellow_gap_hint",
        "完成率低于序时进度不超过该百分点亮黄灯, 超过亮红灯; 达到序时进度亮绿灯。",
        "Yellow while completion trails the time-elapsed share by at most this many points, red beyond; green when on pace.",
    ),
    ("mon.points", "个百分点", "points"),
    ("mon.profile", "序时进度", "Time profile"),
    (
        "mon.profile.linear",
        "线性(按月平均)",
        "Linear (even months)",
    ),
    ("mon.profile.custom", "自定义月度进度", "Custom monthly"),
    (
        "mon.profile_hint",
        "留空为线性(每月1/12); 自定义时填写1—12月的12个累计百分比, 用逗号分隔, 逐月不减, 12月为100, 如: 5.5, 11, 19, 27, 35, 44, 52, 60, 69, 78, 87, 100",
        "Empty for linear (1/12 a month); for a custom profile enter 12 cumulative percentages, January to December, separated by commas, never decreasing and ending at 100, e.g. 5.5, 11, 19, 27, 35, 44, 52, 60, 69, 78, 87, 100",
    ),
    (
        "mon.profile_na",
        "比率类指标全年按目标考核, 不适用序时进度",
        "Rates are judged against the full target all year",
    ),
    ("mon.kind", "类型", "Kind"),
    ("mon.save_settings", "保存", "Save"),
    ("mon.source", "数据来源", "Source"),
    (
        "mon.source_hint",
        "自动来源的指标由系统从企业难题模块计算, 不再要求单位报送",
        "Automatic indicators are computed from the enterprise problems module; units are not asked for them",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitor", get(dashboard))
        .route("/monitor/indicators/{id}", get(indicator))
        .route("/monitor/indicators/{id}/chart.svg", get(indicator_chart))
        .route("/monitor/periods", get(periods).post(open_period))
        .route("/monitor/periods/{id}", get(period))
        .route("/monitor/periods/{id}/remind", post(remind))
        .route("/monitor/submissions/{id}/review", post(review))
        .route("/report", get(report_home))
        .route("/report/{period}", get(report_form).post(report_save))
        .route("/report/{period}/correct", post(report_correct))
        .route("/report/{period}/attachments", post(upload_attachment))
        .route("/report/{period}/template.xlsx", get(download_template))
        .route("/report/{period}/template", post(upload_template))
        .route("/report/attachments/{id}", get(download_attachment))
        .route("/report/attachments/{id}/delete", post(remove_attachment))
        .route("/monitor/settings", get(settings))
        .route("/monitor/settings/thresholds", post(save_thresholds))
        .route("/monitor/settings/indicators/{id}", post(save_profile))
        .route(
            "/monitor/settings/indicators/{id}/source",
            post(save_source),
        )
}

fn app_err(e: AppError) -> WebError {
    match e {
        AppError::Store(s) => s.into(),
        other => WebError::BadRequest(other.to_string()),
    }
}

fn light_label(lang: Lang, l: Light) -> &'static str {
    if lang == Lang::En {
        l.label_en()
    } else {
        l.label_zh()
    }
}

fn task_label(lang: Lang, s: TaskState) -> &'static str {
    if lang == Lang::En {
        s.label_en()
    } else {
        s.label_zh()
    }
}

fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |c| format!("{:.1}%", c * 100.0))
}

/// The plan a page is about: `?plan=` or the latest published.
async fn chosen_plan(
    state: &AppState,
    actor: &Actor,
    q: &HashMap<String, String>,
) -> Result<Option<Plan>, WebError> {
    if let Some(id) = q.get("plan").and_then(|p| p.parse::<i64>().ok()) {
        return Ok(Some(state.store.get_plan(actor, id).await?));
    }
    Ok(state
        .store
        .list_plans(actor)
        .await?
        .into_iter()
        .find(|p| p.status == "published"))
}

/// The `?period=` of a request, if any.
fn asked_period(q: &HashMap<String, String>) -> Result<Option<Period>, WebError> {
    q.get("period")
        .map(|p| {
            p.parse()
                .map_err(|e| WebError::BadRequest(format!("期间 \"{p}\": {e}")))
        })
        .transpose()
}

/// The period a dashboard shows: `?period=`, or the latest month whose figures are (nearly)
/// all approved — a half-reviewed month would show as mostly grey.
async fn chosen_period(
    state: &AppState,
    plan: &Plan,
    q: &HashMap<String, String>,
) -> Result<Period, WebError> {
    if let Some(p) = asked_period(q)? {
        return Ok(p);
    }
    state
        .picture_cache
        .default_period(&state.store, plan)
        .await
        .map_err(app_err)
}

pub struct IndicatorLine {
    id: i64,
    name: String,
    unit: String,
    unit_name: String,
    target: String,
    actual: String,
    completion: String,
    time_share: String,
    light: &'static str,
    light_label: &'static str,
    sparkline: String,
    forecast: String,
}

pub struct TaskLine {
    number: String,
    title: String,
    lead: String,
    state_label: &'static str,
    light: &'static str,
    progress: String,
}

pub struct UnitLine {
    unit_id: i64,
    name: String,
    owed: u32,
    on_time: u32,
    late: u32,
    missing: u32,
    rate: String,
}

#[derive(Template)]
#[template(path = "monitor/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    period: String,
    period_label: String,
    months: Vec<(String, String)>,
    /// Everything below the period picker, from [`RenderedDashboards`].
    body: Arc<str>,
}

/// The picture-dependent part of the dashboard (summary, 500 indicator rows with their
/// sparklines, tasks, units): the same for every reader of a picture in one language.
#[derive(Template)]
#[template(path = "monitor/dashboard_body.html")]
struct DashboardBody {
    t: Tr,
    period: String,
    summary: String,
    indicators: Vec<IndicatorLine>,
    lagging: Vec<TaskLine>,
    task_counts: Vec<(&'static str, &'static str, usize)>,
    units: Vec<UnitLine>,
}

/// Rendered dashboard bodies, one per (picture, language).
///
/// Rendering a county's dashboard (500 rows, each with an SVG sparkline) costs several
/// milliseconds of CPU, far more than serving it; with the picture cached, that rendering was
/// most of every request. An entry is tied to the very `Arc<Picture>` it was rendered from, so
/// it lives exactly as long as the picture stays current in [`PictureCache`]: the first request
/// after any change gets a new picture and renders once; concurrent requests for the same
/// picture wait for that one rendering.
///
/// [`PictureCache`]: qx_app::monitoring::PictureCache
#[derive(Default)]
pub struct RenderedDashboards {
    entries: Mutex<VecDeque<RenderedEntry>>,
}

struct RenderedEntry {
    picture: Arc<Picture>,
    lang: Lang,
    html: Arc<OnceLock<Arc<str>>>,
}

/// Pictures (plans × periods × languages) whose rendering is kept; the oldest goes first.
const RENDERED_SLOTS: usize = 16;

impl std::fmt::Debug for RenderedDashboards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedDashboards").finish_non_exhaustive()
    }
}

impl RenderedDashboards {
    /// The body for `picture` in `lang`, rendering it with `render` only if no request has.
    fn get_or_render(
        &self,
        picture: &Arc<Picture>,
        lang: Lang,
        render: impl FnOnce() -> String,
    ) -> Arc<str> {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries
                .iter()
                .find(|e| e.lang == lang && Arc::ptr_eq(&e.picture, picture))
            {
                Some(e) => e.html.clone(),
                None => {
                    // A picture replaced in the cache is never asked for again: drop its
                    // renderings at once rather than waiting for them to age out.
                    entries.retain(|e| Arc::strong_count(&e.picture) > 1);
                    if entries.len() >= RENDERED_SLOTS {
                        entries.pop_front();
                    }
                    let html = Arc::new(OnceLock::new());
                    entries.push_back(RenderedEntry {
                        picture: picture.clone(),
                        lang,
                        html: html.clone(),
                    });
                    html
                }
            }
        };
        cell.get_or_init(|| Arc::from(render())).clone()
    }

    /// How many renderings are held (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn indicator_lines(pic: &Picture, lang: Lang) -> Vec<IndicatorLine> {
    pic.indicators
        .iter()
        .map(|s| {
            let light = s.assessment.light;
            let colour = match light {
                Light::Green => "#1a7f37",
                Light::Yellow => "#b7791f",
                Light::Red => "#b7191d",
                Light::Grey => "#8a939e",
            };
            IndicatorLine {
                id: s.indicator.id,
                name: s.indicator.name.clone(),
                unit: s.indicator.unit.clone(),
                unit_name: s.unit_name.clone(),
                target: s.indicator.target_value.clone(),
                // A milestone is reported as percent done, whatever the target's own unit.
                actual: match (s.actual, s.kind) {
                    (Some(v), IndicatorKind::Milestone) => format!("{}%", fmt_num(v)),
                    (Some(v), _) => fmt_num(v),
                    (None, _) => "—".into(),
                },
                completion: pct(s.assessment.completion),
                time_share: pct(Some(s.assessment.time_share)),
                light: light.as_str(),
                light_label: light_label(lang, light),
                sparkline: sparkline(&s.series, colour),
                forecast: s
                    .forecast
                    .as_ref()
                    .map(|f| {
                        if lang == Lang::En {
                            monitor::forecast_sentence_en(f)
                        } else {
                            monitor::forecast_sentence_zh(f)
                        }
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Renders the picture-dependent part of the dashboard (see [`RenderedDashboards`]).
fn dashboard_body(pic: &Picture, lang: Lang, period: Period) -> String {
    let summary = if lang == Lang::En {
        format!(
            "{} main indicators: {} on track, {} behind, {} far behind, {} not reported",
            pic.indicators.len(),
            pic.count(Light::Green),
            pic.count(Light::Yellow),
            pic.count(Light::Red),
            pic.count(Light::Grey)
        )
    } else {
        format!(
            "{}项主要指标中, {}项达到序时进度, {}项滞后, {}项严重滞后{}",
            pic.indicators.len(),
            pic.count(Light::Green),
            pic.count(Light::Yellow),
            pic.count(Light::Red),
            if pic.count(Light::Grey) > 0 {
                format!(", {}项未报送", pic.count(Light::Grey))
            } else {
                String::new()
            }
        )
    };
    let lagging = pic
        .tasks
        .iter()
        .filter(|t| {
            matches!(
                t.state,
                TaskState::Behind | TaskState::Overdue | TaskState::Stalled
            )
        })
        .map(|t| TaskLine {
            number: t.task.number.clone(),
            title: t.task.title.clone(),
            lead: t.lead_units.join("、"),
            state_label: task_label(lang, t.state),
            light: t.state.light().as_str(),
            progress: t.progress.clone(),
        })
        .collect();
    let states = [
        TaskState::Done,
        TaskState::OnTrack,
        TaskState::Behind,
        TaskState::Overdue,
        TaskState::Stalled,
        TaskState::NotStarted,
    ];
    let task_counts = states
        .iter()
        .map(|s| (s.light().as_str(), task_label(lang, *s), pic.task_count(*s)))
        .collect();
    let units: Vec<UnitLine> = pic
        .units
        .iter()
        .map(|u| UnitLine {
            unit_id: u.unit_id,
            name: u.unit_name.clone(),
            owed: u.owed,
            on_time: u.on_time,
            late: u.late,
            missing: u.missing,
            rate: if u.owed == 0 {
                "—".into()
            } else {
                format!("{:.0}%", f64::from(u.on_time) * 100.0 / f64::from(u.owed))
            },
        })
        .collect();
    let body = DashboardBody {
        t: Tr(lang),
        period: period.to_string(),
        summary,
        indicators: indicator_lines(pic, lang),
        lagging,
        task_counts,
        units,
    };
    body.render().unwrap_or_else(|e| {
        tracing::error!("dashboard body: {e}");
        String::new()
    })
}

async fn dashboard(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.county_actor("monitor")?;
    let lang = auth.ctx.lang;
    let ctx = PageCtx::signed_in(&auth);
    let Some(plan) = chosen_plan(&state, &actor, &q).await? else {
        let page = DashboardPage {
            ctx,
            plan: None,
            period: String::new(),
            period_label: String::new(),
            months: Vec::new(),
            body: Arc::from(""),
        };
        return Ok(render(&page).into_response());
    };
    let (period, pic) = state
        .picture_cache
        .view(&state.store, &actor, &plan, asked_period(&q)?)
        .await
        .map_err(app_err)?;
    let months = (1..=12u8)
        .filter_map(|m| Period::new_month(plan.year as i32, m).ok())
        .map(|p| (p.to_string(), p.cumulative_label_zh()))
        .collect();
    let body = if state.picture_cache.is_enabled() {
        state
            .rendered_dashboards
            .get_or_render(&pic, lang, || dashboard_body(&pic, lang, period))
    } else {
        Arc::from(dashboard_body(&pic, lang, period))
    };
    let page = DashboardPage {
        ctx,
        period: period.to_string(),
        period_label: format!("{}年{}", plan.year, period.cumulative_label_zh()),
        months,
        body,
        plan: Some(plan),
    };
    Ok(render(&page).into_response())
}

#[derive(Template)]
#[template(path = "monitor/indicator.html")]
struct IndicatorPage {
    ctx: PageCtx,
    plan_id: i64,
    line: IndicatorLine,
    text: String,
    kind_label: &'static str,
    period: String,
    history: Vec<(String, String, String)>,
}

async fn find_status(
    state: &AppState,
    actor: &Actor,
    id: i64,
    q: &HashMap<String, String>,
) -> Result<(Plan, Period, Picture), WebError> {
    let plan = state
        .store
        .get_plan(actor, state.store.indicator_plan(id).await?)
        .await?;
    let period = chosen_period(state, &plan, q).await?;
    let pic = picture(&state.store, actor, plan.id, period)
        .await
        .map_err(app_err)?;
    Ok((plan, period, pic))
}

async fn indicator(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.county_actor("monitor")?;
    let lang = auth.ctx.lang;
    let (plan, period, pic) = find_status(&state, &actor, id, &q).await?;
    let lines = indicator_lines(&pic, lang);
    let (idx, line) = lines
        .into_iter()
        .enumerate()
        .find(|(_, l)| l.id == id)
        .ok_or_else(|| WebError::NotFound(format!("指标 {id}")))?;
    let status = &pic.indicators[idx];
    let history = status
        .series
        .iter()
        .enumerate()
        .map(|(m, v)| {
            let label = Period::new_month(plan.year as i32, (m + 1) as u8)
                .map(|p| p.cumulative_label_zh())
                .unwrap_or_default();
            let c = v.and_then(|v| monitor::completion(status.kind, v, status.target));
            (label, v.map(fmt_num).unwrap_or_else(|| "—".into()), pct(c))
        })
        .collect();
    let page = IndicatorPage {
        ctx: PageCtx::signed_in(&auth),
        plan_id: plan.id,
        text: status.indicator.text.clone(),
        kind_label: if lang == Lang::En {
            status.kind.label_en()
        } else {
            status.kind.label_zh()
        },
        period: period.to_string(),
        history,
        line,
    };
    Ok(render(&page).into_response())
}

async fn indicator_chart(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.county_actor("monitor")?;
    let (_, _, pic) = find_status(&state, &actor, id, &q).await?;
    let s = pic
        .indicators
        .iter()
        .find(|s| s.indicator.id == id)
        .ok_or_else(|| WebError::NotFound(format!("指标 {id}")))?;
    let profile: qx_core::period::TimeProfile = s
        .indicator
        .profile
        .parse()
        .unwrap_or(qx_core::period::TimeProfile::Linear);
    let expected: [f64; 12] = std::array::from_fn(|m| {
        if monitor::accumulates(s.kind) {
            let share = profile
                .share_at((m + 1) as u8)
                .and_then(|d| d.to_string().parse().ok())
                .unwrap_or((m + 1) as f64 / 12.0);
            if s.kind == IndicatorKind::Milestone {
                100.0 * share
            } else {
                s.target * share
            }
        } else {
            s.target
        }
    });
    let svg = TrendChart {
        title: &s.indicator.name,
        unit: &s.indicator.unit,
        actual: &s.series,
        expected: &expected,
    }
    .render();
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

// ---------------------------------------------------------------- unit reporting

pub struct DueLine {
    period_id: i64,
    period: String,
    due_on: String,
    status_key: &'static str,
    comment: String,
}

#[derive(Template)]
#[template(path = "monitor/report_home.html")]
struct ReportHomePage {
    ctx: PageCtx,
    due: Vec<DueLine>,
    notices: Vec<(String, String, String)>,
}

fn status_key(status: Option<&str>) -> &'static str {
    match status {
        Some("draft") => "mon.st.draft",
        Some("submitted") => "mon.st.submitted",
        Some("returned") => "mon.st.returned",
        Some("approved") => "mon.st.approved",
        Some("superseded") => "mon.st.superseded",
        _ => "mon.st.none",
    }
}

async fn report_home(State(state): State<AppState>, auth: Auth) -> PageResult {
    let actor = auth.actor();
    if actor.role == Role::Admin || actor.role == Role::Leader {
        return Ok(Redirect::to("/monitor/periods").into_response());
    }
    let Some(unit_id) = actor.unit_id.filter(|_| actor.role == Role::Unit) else {
        return Err(WebError::Forbidden("report".into()));
    };
    let mut due = Vec::new();
    for plan in state
        .store
        .list_plans(&actor)
        .await?
        .into_iter()
        .filter(|p| p.status == "published")
    {
        let owes = !state
            .store
            .unit_indicators(plan.id, unit_id)
            .await?
            .is_empty()
            || !state.store.unit_tasks(plan.id, unit_id).await?.is_empty();
        if !owes {
            continue;
        }
        for p in state.store.list_periods(plan.id).await?.into_iter().rev() {
            let latest = state.store.latest_submission(p.id, unit_id).await?;
            due.push(DueLine {
                period_id: p.id,
                status_key: status_key(latest.as_ref().map(|s| s.status.as_str())),
                comment: latest
                    .filter(|s| s.status == "returned")
                    .map(|s| s.review_comment)
                    .unwrap_or_default(),
                period: p.period,
                due_on: p.due_on,
            });
        }
    }
    let notices = state
        .store
        .unit_notices(&actor, unit_id)
        .await?
        .into_iter()
        .map(|(_, title, link, at)| (title, link, fmt_time(at)))
        .collect();
    let page = ReportHomePage {
        ctx: PageCtx::signed_in(&auth),
        due,
        notices,
    };
    Ok(render(&page).into_response())
}

pub struct ValueField {
    id: i64,
    name: String,
    unit: String,
    target: String,
    value: String,
    note: String,
    last: String,
}

pub struct TaskField {
    id: i64,
    number: String,
    title: String,
    text: String,
    role_key: &'static str,
    progress: String,
    status: String,
    co_reports: Vec<(String, String, String)>,
    /// Evidence the unit attached to this task.
    attachments: Vec<AttachmentView>,
    /// Supporting units' evidence, shown to the lead unit.
    co_attachments: Vec<(String, AttachmentView)>,
}

pub struct AttachmentView {
    id: i64,
    file_name: String,
    size: String,
    removable: bool,
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1048576.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[derive(Template)]
#[template(path = "monitor/report_form.html")]
struct ReportFormPage {
    ctx: PageCtx,
    period_id: i64,
    period: String,
    due_on: String,
    unit_id: i64,
    unit_name: String,
    status_key: &'static str,
    editable: bool,
    correctable: bool,
    comment: String,
    values: Vec<ValueField>,
    tasks: Vec<TaskField>,
    history: Vec<(i64, &'static str, String, String)>,
    task_statuses: Vec<(&'static str, &'static str)>,
    /// Problems of a failed upload (template or evidence), each naming its sheet/row/column.
    errors: Vec<String>,
    /// i18n key of a message after a successful upload ("" for none).
    flash: &'static str,
    /// Evidence for the report as a whole (not tied to one task).
    general_attachments: Vec<AttachmentView>,
    max_attachment_mb: usize,
}

/// Whose report a request is about: a unit user's own unit; the office names one with `?unit=`.
fn target_unit(actor: &Actor, q: &HashMap<String, String>) -> Result<i64, WebError> {
    match actor.role {
        Role::Unit => actor
            .unit_id
            .ok_or_else(|| WebError::Forbidden("report".into())),
        Role::Admin | Role::Leader => q
            .get("unit")
            .and_then(|u| u.parse().ok())
            .ok_or_else(|| WebError::BadRequest("请指定单位 (?unit=)".into())),
        Role::Enterprise => Err(WebError::Forbidden("report".into())),
    }
}

async fn report_form(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let flash = if q.contains_key("imported") {
        "mon.xlsx.imported"
    } else if q.contains_key("attached") {
        "mon.att.added"
    } else if q.contains_key("removed") {
        "mon.att.removed"
    } else {
        ""
    };
    report_page(&state, &auth, period_id, &q, Vec::new(), flash).await
}

/// A unit's report for a period, with `errors` from a failed upload (answered 400) or a
/// `flash` message after a successful one.
async fn report_page(
    state: &AppState,
    auth: &Auth,
    period_id: i64,
    q: &HashMap<String, String>,
    errors: Vec<String>,
    flash: &'static str,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, q)?;
    if !actor.can_read_unit(unit_id) {
        return Err(WebError::NotFound(format!("单位 {unit_id}")));
    }
    let lang = auth.ctx.lang;
    let period = state.store.get_period(period_id).await?;
    let unit = state.store.get_unit(unit_id).await?;
    let history = state
        .store
        .submission_history(&actor, period_id, unit_id)
        .await?;
    let latest = history.first().cloned();
    let (values, tasks) = match &latest {
        Some(s) if s.status != "draft" || actor.role == Role::Unit || actor.is_admin() => state
            .store
            .submission_values(&actor, s.id)
            .await
            .unwrap_or_default(),
        _ => Default::default(),
    };
    let editable = period.status == "open"
        && actor.can_write_unit(unit_id)
        && latest
            .as_ref()
            .is_none_or(|s| matches!(s.status.as_str(), "draft" | "returned"));
    let correctable =
        actor.can_write_unit(unit_id) && latest.as_ref().is_some_and(|s| s.status == "approved");
    let attachments = match &latest {
        Some(s) => state.store.report_attachments(&actor, s.id).await?,
        None => Vec::new(),
    };
    let view = |a: &ReportAttachment| AttachmentView {
        id: a.id,
        file_name: a.file_name.clone(),
        size: size_label(a.size),
        removable: editable,
    };
    let values_by: HashMap<i64, (String, String)> = values
        .into_iter()
        .map(|v| (v.indicator_id, (v.value, v.note)))
        .collect();
    let tasks_by: HashMap<i64, (String, String)> = tasks
        .into_iter()
        .map(|t| (t.task_id, (t.progress, t.status)))
        .collect();
    // Last approved figure of earlier periods, as a reminder of where the unit stood.
    let approved = state.store.approved_values(period.plan_id).await?;
    let value_fields = state
        .store
        .unit_indicators(period.plan_id, unit_id)
        .await?
        .into_iter()
        .map(|i| {
            let (value, note) = values_by.get(&i.id).cloned().unwrap_or_default();
            let last = approved
                .iter()
                .rfind(|a| a.indicator_id == i.id && a.period < period.period)
                .map(|a| format!("{}: {}", a.period, a.value))
                .unwrap_or_default();
            ValueField {
                id: i.id,
                name: i.name,
                unit: i.unit,
                target: i.target_value,
                value,
                note,
                last,
            }
        })
        .collect();
    let names: HashMap<i64, String> = state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut task_fields = Vec::new();
    for (t, role) in state.store.unit_tasks(period.plan_id, unit_id).await? {
        let (progress, status) = tasks_by
            .get(&t.id)
            .cloned()
            .unwrap_or_else(|| (String::new(), "on_track".into()));
        let co_attachments = if role == "lead" {
            state
                .store
                .task_attachments_for_period(&actor, period_id, t.id)
                .await?
                .into_iter()
                .filter(|(u, _)| *u != unit_id)
                .map(|(u, a)| {
                    (
                        names.get(&u).cloned().unwrap_or_default(),
                        AttachmentView {
                            removable: false,
                            ..view(&a)
                        },
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        let co_reports = if role == "lead" {
            state
                .store
                .task_reports_for_period(period_id, t.id)
                .await?
                .into_iter()
                .filter(|(u, _, _)| *u != unit_id)
                .map(|(u, _, r)| {
                    (
                        names.get(&u).cloned().unwrap_or_default(),
                        r.progress,
                        r.status,
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        task_fields.push(TaskField {
            id: t.id,
            number: t.number,
            title: t.title,
            text: t.text,
            role_key: if role == "lead" {
                "mon.role.lead"
            } else {
                "mon.role.support"
            },
            progress,
            status,
            co_reports,
            attachments: attachments
                .iter()
                .filter(|a| a.task_id == Some(t.id))
                .map(view)
                .collect(),
            co_attachments,
        });
    }
    let general_attachments = attachments
        .iter()
        .filter(|a| a.task_id.is_none())
        .map(view)
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    let page = ReportFormPage {
        ctx: PageCtx::signed_in(auth),
        errors,
        flash,
        general_attachments,
        max_attachment_mb: qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES / 1048576,
        period_id,
        period: period.period.clone(),
        due_on: period.due_on.clone(),
        unit_id,
        unit_name: unit.name,
        status_key: status_key(latest.as_ref().map(|s| s.status.as_str())),
        editable,
        correctable,
        comment: latest
            .as_ref()
            .filter(|s| s.status == "returned")
            .map(|s| s.review_comment.clone())
            .unwrap_or_default(),
        values: value_fields,
        tasks: task_fields,
        history: history
            .iter()
            .map(|s| {
                (
                    s.revision,
                    status_key(Some(&s.status)),
                    s.submitted_at.map(fmt_time).unwrap_or_default(),
                    s.review_comment.clone(),
                )
            })
            .collect(),
        task_statuses: [
            ("on_track", "mon.ts.on_track"),
            ("behind", "mon.ts.behind"),
            ("done", "mon.ts.done"),
            ("not_started", "mon.ts.not_started"),
        ]
        .into_iter()
        .map(|(s, key)| (s, crate::i18n::t(lang, key)))
        .collect(),
    };
    Ok((status, render(&page)).into_response())
}

async fn report_save(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let fields: HashMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut input = SubmissionInput::default();
    for (k, v) in &form {
        if let Some(id) = k.strip_prefix("v_").and_then(|i| i.parse::<i64>().ok()) {
            let note = fields
                .get(format!("n_{id}").as_str())
                .copied()
                .unwrap_or("");
            input.values.push((id, v.clone(), note.to_string()));
        }
        if let Some(id) = k.strip_prefix("p_").and_then(|i| i.parse::<i64>().ok()) {
            let status = fields
                .get(format!("s_{id}").as_str())
                .copied()
                .unwrap_or("on_track");
            input.tasks.push((id, v.clone(), status.to_string()));
        }
    }
    let submit = fields.get("action") == Some(&"submit");
    state
        .store
        .save_submission(&actor, period_id, unit_id, &input, submit)
        .await?;
    let suffix = if actor.role == Role::Unit {
        String::new()
    } else {
        format!("?unit={unit_id}")
    };
    Ok(Redirect::to(&format!("/report/{period_id}{suffix}")).into_response())
}

async fn report_correct(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    state
        .store
        .start_correction(&actor, period_id, unit_id)
        .await?;
    let suffix = if actor.role == Role::Unit {
        String::new()
    } else {
        format!("?unit={unit_id}")
    };
    Ok(Redirect::to(&format!("/report/{period_id}{suffix}")).into_response())
}

// ---------------------------------------------------------------- the office

#[derive(Template)]
#[template(path = "monitor/periods.html")]
struct PeriodsPage {
    ctx: PageCtx,
    plan: Option<Plan>,
    periods: Vec<(i64, String, String, String, usize, usize)>,
    is_admin: bool,
    next_period: String,
    next_due: String,
}

async fn periods(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    if !actor.reads_all() {
        return Err(WebError::Forbidden("periods".into()));
    }
    let plan = chosen_plan(&state, &actor, &q).await?;
    let mut rows = Vec::new();
    let mut next_period = String::new();
    if let Some(plan) = &plan {
        let list = state.store.list_periods(plan.id).await?;
        for p in &list {
            let progress = state.store.period_progress(p.id).await?;
            let done = progress
                .iter()
                .filter(|u| {
                    matches!(
                        u.submission.as_ref().map(|s| s.status.as_str()),
                        Some("submitted" | "approved")
                    )
                })
                .count();
            rows.push((
                p.id,
                p.period.clone(),
                p.due_on.clone(),
                p.status.clone(),
                done,
                progress.len(),
            ));
        }
        next_period = match list
            .last()
            .and_then(|p| p.period.parse::<Period>().ok())
            .and_then(|p| p.next())
        {
            Some(n) if i64::from(n.year()) == plan.year => n.to_string(),
            Some(_) => String::new(),
            None => format!("{}-01", plan.year),
        };
    }
    // Default due date: the 5th working day of the following month, from the calendar.
    let next_due = match next_period.parse::<Period>() {
        Ok(p) => default_due(&state, &p).await?,
        Err(_) => String::new(),
    };
    let page = PeriodsPage {
        ctx: PageCtx::signed_in(&auth),
        plan,
        periods: rows,
        is_admin: actor.is_admin(),
        next_period,
        next_due,
    };
    Ok(render(&page).into_response())
}

/// The 5th working day after a month ends, on the county's calendar.
pub async fn default_due(state: &AppState, period: &Period) -> Result<String, WebError> {
    let cal = state.store.work_calendar().await?;
    let start = period.last_day();
    Ok(cal
        .add_working_days(start, 5)
        .map(|d| d.to_string())
        .unwrap_or_else(|| start.to_string()))
}

#[derive(serde::Deserialize)]
struct OpenForm {
    plan_id: i64,
    period: String,
    due_on: String,
}

async fn open_period(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<OpenForm>,
) -> PageResult {
    let period: Period = f
        .period
        .trim()
        .parse()
        .map_err(|e| WebError::BadRequest(format!("期间 \"{}\": {e}", f.period)))?;
    let due = f.due_on.trim();
    if time::Date::parse(
        due,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .is_err()
    {
        return Err(WebError::BadRequest(format!(
            "截止日期 \"{due}\" 格式应为 YYYY-MM-DD"
        )));
    }
    let id = state
        .store
        .open_period(&auth.actor(), f.plan_id, &period, due)
        .await?;
    Ok(Redirect::to(&format!("/monitor/periods/{id}")).into_response())
}

pub struct ProgressLine {
    unit_id: i64,
    unit_name: String,
    indicators: i64,
    tasks: i64,
    status_key: &'static str,
    status: String,
    submission_id: i64,
    submitted_at: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "monitor/period.html")]
struct PeriodPage {
    ctx: PageCtx,
    period_id: i64,
    period: String,
    due_on: String,
    plan_id: i64,
    lines: Vec<ProgressLine>,
    missing: usize,
    is_admin: bool,
    reminded: bool,
}

async fn period(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    if !actor.reads_all() {
        return Err(WebError::Forbidden("periods".into()));
    }
    let p = state.store.get_period(id).await?;
    let names: HashMap<i64, String> = state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let due = due_ts(&p.due_on);
    let now = qx_store::now();
    let lines: Vec<ProgressLine> = state
        .store
        .period_progress(id)
        .await?
        .into_iter()
        .map(|u| {
            let s = u.submission.as_ref();
            let submitted_at = s.and_then(|s| s.submitted_at);
            ProgressLine {
                unit_name: names.get(&u.unit_id).cloned().unwrap_or_default(),
                unit_id: u.unit_id,
                indicators: u.indicators,
                tasks: u.tasks,
                status_key: status_key(s.map(|s| s.status.as_str())),
                status: s.map(|s| s.status.clone()).unwrap_or_default(),
                submission_id: s.map_or(0, |s| s.id),
                submitted_at: submitted_at.map(fmt_time).unwrap_or_default(),
                late: match (submitted_at, due) {
                    (Some(at), Some(d)) => at > d,
                    (None, Some(d)) => now > d,
                    _ => false,
                },
            }
        })
        .collect();
    let missing = lines
        .iter()
        .filter(|l| !matches!(l.status.as_str(), "submitted" | "approved"))
        .count();
    let page = PeriodPage {
        ctx: PageCtx::signed_in(&auth),
        period_id: id,
        period: p.period,
        due_on: p.due_on,
        plan_id: p.plan_id,
        lines,
        missing,
        is_admin: actor.is_admin(),
        reminded: q.contains_key("reminded"),
    };
    Ok(render(&page).into_response())
}

fn due_ts(date: &str) -> Option<i64> {
    let d = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(
        d.next_day()?
            .midnight()
            .assume_offset(time::UtcOffset::from_hms(8, 0, 0).ok()?)
            .unix_timestamp(),
    )
}

async fn remind(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> PageResult {
    let units = state.store.remind_unreported(&auth.actor(), id).await?;
    let period = state.store.get_period(id).await?;
    notify_webhook(&state, &period.period, &period.due_on, units.len()).await;
    Ok(Redirect::to(&format!("/monitor/periods/{id}?reminded=1")).into_response())
}

/// Forwards a reminder to the county's messaging platform when `notify.webhook_url` is set
/// (plain HTTP inside the government network). Failures are logged, never shown as errors:
/// the in-app notices were already posted.
async fn notify_webhook(state: &AppState, period: &str, due_on: &str, units: usize) {
    let Ok(Some(url)) = state.store.get_setting("notify.webhook_url").await else {
        return;
    };
    let body = serde_json::json!({
        "kind": "report.remind", "period": period, "due_on": due_on, "units": units,
        "text": format!("{period} 工作推进情况尚有 {units} 个单位未报送, 截止 {due_on}"),
    });
    if let Err(e) = crate::webhook::post_json(&url, &body.to_string()).await {
        tracing::warn!("webhook {url} failed: {e}");
    }
}

#[derive(serde::Deserialize)]
struct ReviewForm {
    decision: String,
    #[serde(default)]
    comment: String,
    period_id: i64,
}

async fn review(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    state
        .store
        .review_submission(&auth.actor(), id, f.decision == "approve", &f.comment)
        .await?;
    Ok(Redirect::to(&format!("/monitor/periods/{}", f.period_id)).into_response())
}

// ---------------------------------------------------------------- evidence and templates

/// An evidence upload: one file within the store's limit, and the task it belongs to.
const EVIDENCE_UPLOAD: upload::Limits = upload::Limits::one_file(
    "佐证材料",
    qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES,
);

/// A filled-in report template: one workbook within the importer's limit, and the action.
const TEMPLATE_UPLOAD: upload::Limits =
    upload::Limits::one_file("报送模板", qx_app::monitoring_excel::MAX_TEMPLATE_BYTES);

/// Where a unit's report lives: `/report/{period}` for its own liaison, with `?unit=` for the
/// office; `extra` is appended as a further query parameter.
fn report_url(actor: &Actor, period_id: i64, unit_id: i64, extra: &str) -> String {
    let mut params = Vec::new();
    if actor.role != Role::Unit {
        params.push(format!("unit={unit_id}"));
    }
    if !extra.is_empty() {
        params.push(extra.to_string());
    }
    if params.is_empty() {
        format!("/report/{period_id}")
    } else {
        format!("/report/{period_id}?{}", params.join("&"))
    }
}

/// `attachment; filename*=UTF-8''…` for a download, whatever characters the name holds.
fn disposition(file_name: &str) -> String {
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename*=UTF-8''{encoded}")
}

/// Problems the user can fix go back onto the report page; scope errors stay errors.
fn upload_problems(e: AppError) -> Result<Vec<String>, WebError> {
    match e {
        AppError::Rows(rows) => Ok(rows),
        AppError::Store(qx_store::StoreError::Invalid(m) | qx_store::StoreError::Conflict(m)) => {
            Ok(vec![m])
        }
        AppError::Store(other) => Err(other.into()),
        other => Ok(vec![other.to_string()]),
    }
}

async fn upload_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    if !actor.can_write_unit(unit_id) {
        return Err(WebError::Forbidden("report.attach".into()));
    }
    let up = upload::read(form, &EVIDENCE_UPLOAD).await?;
    let task_id = up
        .field("task_id")
        .or(q.get("task").map(String::as_str))
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| WebError::BadRequest(format!("任务 \"{t}\" 无效")))
        })
        .transpose()?;
    let Some(file) = up.into_file() else {
        let lang = auth.ctx.lang;
        let msg = crate::i18n::t(lang, "mon.att.choose").to_string();
        return report_page(&state, &auth, period_id, &q, vec![msg], "").await;
    };
    let attachment = qx_store::problems::NewAttachment {
        filename: file.name.to_string(),
        data: file.data,
    };
    match state
        .store
        .add_report_attachment(&actor, period_id, unit_id, task_id, &attachment)
        .await
    {
        Ok(_) => {
            let anchor = task_id.map(|t| format!("#task-{t}")).unwrap_or_default();
            let url = report_url(&actor, period_id, unit_id, "attached=1");
            Ok(Redirect::to(&format!("{url}{anchor}")).into_response())
        }
        Err(e) => {
            let problems = upload_problems(AppError::Store(e))?;
            report_page(&state, &auth, period_id, &q, problems, "").await
        }
    }
}

async fn download_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let (meta, data) = state.store.get_report_attachment(&auth.actor(), id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, disposition(&meta.file_name)),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response())
}

async fn remove_attachment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> PageResult {
    let actor = auth.actor();
    let (period_id, unit_id) = state.store.remove_report_attachment(&actor, id).await?;
    Ok(Redirect::to(&report_url(&actor, period_id, unit_id, "removed=1")).into_response())
}

async fn download_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    let bytes = qx_app::monitoring_excel::export_template(&state.store, &actor, period_id, unit_id)
        .await
        .map_err(app_err)?;
    let period = state.store.get_period(period_id).await?;
    let unit = state.store.get_unit(unit_id).await?;
    let name = qx_app::monitoring_excel::template_file_name(&unit.name, &period.period);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition(&name)),
        ],
        bytes,
    )
        .into_response())
}

async fn upload_template(
    State(state): State<AppState>,
    auth: Auth,
    Path(period_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
    form: Multipart,
) -> PageResult {
    let actor = auth.actor();
    let unit_id = target_unit(&actor, &q)?;
    if !actor.can_write_unit(unit_id) {
        return Err(WebError::Forbidden("report.upload".into()));
    }
    let up = upload::read(form, &TEMPLATE_UPLOAD).await?;
    let submit = up.field("action") == Some("submit");
    let Some(file) = up.into_file() else {
        let msg = crate::i18n::t(auth.ctx.lang, "mon.att.choose").to_string();
        return report_page(&state, &auth, period_id, &q, vec![msg], "").await;
    };
    let (file_name, bytes) = (file.name.to_string(), file.data);
    match qx_app::monitoring_excel::import_template(
        &state.store,
        &actor,
        period_id,
        unit_id,
        &bytes,
        &file_name,
        submit,
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&report_url(&actor, period_id, unit_id, "imported=1")).into_response())
        }
        Err(e) => {
            let problems = upload_problems(e)?;
            report_page(&state, &auth, period_id, &q, problems, "").await
        }
    }
}

// ---------------------------------------------------------------- thresholds and profiles

/// Digits and punctuation as typed on a Chinese keyboard, made ASCII.
fn halfwidth(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
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

fn require_office(auth: &Auth) -> Result<Actor, WebError> {
    let actor = auth.actor();
    if !actor.is_admin() {
        return Err(WebError::Forbidden("monitor.settings".into()));
    }
    Ok(actor)
}

async fn settings_page(
    state: &AppState,
    auth: &Auth,
    q: &HashMap<String, String>,
    errors: Vec<String>,
    entered: Option<(i64, String)>,
) -> PageResult {
    let actor = require_office(auth)?;
    let lang = auth.ctx.lang;
    let plan = chosen_plan(state, &actor, q).await?;
    let names: HashMap<i64, String> = state
        .store
        .list_units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut rows = Vec::new();
    if let Some(plan) = &plan {
        let sources = state.store.indicator_sources(plan.id).await?;
        for i in state.store.plan_indicators(&actor, plan.id).await? {
            let kind = IndicatorKind::parse(&i.kind).unwrap_or(IndicatorKind::CumulativeCount);
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
                kind_label: if lang == Lang::En {
                    kind.label_en()
                } else {
                    kind.label_zh()
                },
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
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    let page = SettingsPage {
        ctx: PageCtx::signed_in(auth),
        plan,
        yellow_gap,
        rows,
        sources: IndicatorSource::ALL
            .into_iter()
            .map(|k| {
                let label = if lang == Lang::En {
                    k.label_en()
                } else {
                    k.label_zh()
                };
                (k.as_str(), label)
            })
            .collect(),
        errors,
        saved: q.contains_key("saved"),
    };
    Ok((status, render(&page)).into_response())
}

async fn settings(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    settings_page(&state, &auth, &q, Vec::new(), None).await
}

#[derive(serde::Deserialize)]
struct ThresholdForm {
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

async fn save_thresholds(
    State(state): State<AppState>,
    auth: Auth,
    Form(f): Form<ThresholdForm>,
) -> PageResult {
    let actor = require_office(&auth)?;
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
    match result {
        Ok(()) => Ok(Redirect::to(&settings_url(&f.plan, "")).into_response()),
        Err(qx_store::StoreError::Invalid(m)) => {
            settings_page(&state, &auth, &q, vec![m], Some((0, f.yellow_gap_points))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A per-indicator settings form: its 序时进度 profile or its 数据来源, and the plan shown.
#[derive(serde::Deserialize)]
struct IndicatorForm {
    #[serde(default)]
    profile: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    plan: String,
}

async fn save_profile(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<IndicatorForm>,
) -> PageResult {
    let actor = require_office(&auth)?;
    match parse_profile_input(&f.profile) {
        Ok(profile) => {
            state
                .store
                .set_indicator_profile(&actor, id, &profile)
                .await?;
            Ok(Redirect::to(&settings_url(&f.plan, &format!("#ind-{id}"))).into_response())
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
            let q: HashMap<String, String> = [("plan".to_string(), plan_id.to_string())].into();
            let msg = format!("\"{name}\" 序时进度: {m}");
            settings_page(&state, &auth, &q, vec![msg], Some((id, f.profile))).await
        }
    }
}

/// The office switches an indicator between unit-reported and automatic (数据来源).
async fn save_source(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Form(f): Form<IndicatorForm>,
) -> PageResult {
    let actor = require_office(&auth)?;
    let Some(source) = IndicatorSource::parse(&f.source) else {
        let plan_id = state.store.indicator_plan(id).await?;
        let q: HashMap<String, String> = [("plan".to_string(), plan_id.to_string())].into();
        let msg = format!("数据来源 \"{}\" 无效 (unknown source)", f.source);
        return settings_page(&state, &auth, &q, vec![msg], None).await;
    };
    state.store.set_indicator_source(&actor, id, source).await?;
    Ok(Redirect::to(&settings_url(&f.plan, &format!("#ind-{id}"))).into_response())
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
