//! Long work started from a form (a big registry or facts import): it runs on a blocking task
//! while `/jobs/{id}` shows its stage and a progress bar, refreshing itself without JS, and
//! sends the user on to the result when it is done, or shows the errors the work found.
//!
//! The table is in memory, keyed by a random id and bound to the session that started the job
//! (any other session gets 404). Finished jobs are forgotten [`KEEP_FINISHED`] after they end;
//! a user runs at most [`MAX_RUNNING`] at a time. A job that ends within the form's wait
//! (`Config::job_wait_ms`) is answered as if it had run in the request: small files never see
//! the progress page.

use crate::auth::{Auth, Session};
use crate::i18n::t;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use qx_app::enterprise_import::ImportStage;
use qx_core::label::Labelled;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a finished job's result stays for its page.
pub const KEEP_FINISHED: Duration = Duration::from_secs(10 * 60);
/// Jobs one user may have running at once.
pub const MAX_RUNNING: usize = 2;
/// Seconds between refreshes of the progress page.
const REFRESH_SECS: u64 = 1;

pub fn routes() -> Router<AppState> {
    Router::new().route("/jobs/{id}", get(page))
}

/// How a job ended: the page to go on to, or the errors to show (each naming its row and column).
pub type Outcome = Result<String, Vec<String>>;

/// Where a running job is; shared between the job and its page.
#[derive(Debug, Clone, Default)]
pub struct Status {
    stage: Option<ImportStage>,
    rows: usize,
    outcome: Option<Outcome>,
}

/// The handle a job reports its progress through.
#[derive(Clone)]
pub struct Tracker(Arc<Mutex<Status>>);

impl Tracker {
    pub fn stage(&self, stage: ImportStage, rows: usize) {
        let mut s = lock_status(&self.0);
        s.stage = Some(stage);
        s.rows = rows;
    }
}

struct Job {
    session: String,
    user_id: i64,
    status: Arc<Mutex<Status>>,
    finished_at: Option<Instant>,
}

static JOBS: LazyLock<Mutex<HashMap<String, Job>>> = LazyLock::new(Default::default);

fn lock_jobs() -> MutexGuard<'static, HashMap<String, Job>> {
    JOBS.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock_status(s: &Mutex<Status>) -> MutexGuard<'_, Status> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// Forgets finished jobs older than [`KEEP_FINISHED`] and notes which have just finished.
fn sweep(jobs: &mut HashMap<String, Job>) {
    let now = Instant::now();
    for job in jobs.values_mut() {
        if job.finished_at.is_none() && lock_status(&job.status).outcome.is_some() {
            job.finished_at = Some(now);
        }
    }
    jobs.retain(|_, j| j.finished_at.is_none_or(|at| now - at < KEEP_FINISHED));
}

/// Starts `work` for the signed-in user; answers with the outcome when it ends within `wait`,
/// else with the 303 to its progress page. The work gets a [`Tracker`] to report through.
pub async fn run<F, Fut>(
    session: &Session,
    lang: crate::i18n::Lang,
    wait: Duration,
    work: F,
) -> Result<Result<Outcome, Response>, WebError>
where
    F: FnOnce(Tracker) -> Fut + Send + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let status = Arc::new(Mutex::new(Status::default()));
    let id = crate::auth::random_token();
    {
        let mut jobs = lock_jobs();
        sweep(&mut jobs);
        let running = jobs
            .values()
            .filter(|j| j.user_id == session.user.id && j.finished_at.is_none())
            .count();
        if running >= MAX_RUNNING {
            return Err(WebError::BadRequest(t(lang, "job.too_many").to_string()));
        }
        jobs.insert(
            id.clone(),
            Job {
                session: session.token_hash.clone(),
                user_id: session.user.id,
                status: status.clone(),
                finished_at: None,
            },
        );
    }
    let tracker = Tracker(status.clone());
    let runtime = tokio::runtime::Handle::current();
    let done = status.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        let outcome = runtime.block_on(work(tracker));
        lock_status(&done).outcome = Some(outcome);
    });
    if tokio::time::timeout(wait, &mut handle).await.is_ok() {
        let outcome = lock_status(&status).outcome.take();
        lock_jobs().remove(&id);
        return Ok(Ok(
            outcome.unwrap_or_else(|| Err(vec![t(lang, "job.lost").to_string()]))
        ));
    }
    Ok(Err(Redirect::to(&format!("/jobs/{id}")).into_response()))
}

#[derive(Template)]
#[template(path = "jobs/page.html")]
struct JobPage {
    ctx: PageCtx,
    id: String,
    stage: &'static str,
    rows: usize,
    done: u64,
    total: u64,
    errors: Vec<String>,
    finished: bool,
    refresh: u64,
}

#[derive(serde::Serialize)]
struct JobJson {
    stage: &'static str,
    rows: usize,
    done: u64,
    total: u64,
    finished: bool,
    next: Option<String>,
    errors: Vec<String>,
}

/// `/jobs/{id}`: the progress page; `/jobs/{id}.json`: the same facts for a script.
async fn page(auth: Auth, Path(id): Path<String>) -> Result<Response, WebError> {
    let (id, json) = match id.strip_suffix(".json") {
        Some(id) => (id.to_string(), true),
        None => (id, false),
    };
    let status = {
        let mut jobs = lock_jobs();
        sweep(&mut jobs);
        match jobs.get(&id) {
            Some(job) if job.session == auth.session.token_hash => lock_status(&job.status).clone(),
            _ => return Err(WebError::NotFound(id)),
        }
    };
    let lang = auth.ctx.lang;
    let stage = match (&status.outcome, status.stage) {
        (Some(_), _) => t(lang, "job.finished"),
        (None, Some(s)) => s.label(lang),
        (None, None) => t(lang, "job.waiting"),
    };
    let done = match (&status.outcome, status.stage) {
        (Some(_), _) => ImportStage::COUNT,
        (None, Some(s)) => s.done_before(),
        (None, None) => 0,
    };
    let (next, errors) = match status.outcome.clone() {
        Some(Ok(next)) => (Some(next), Vec::new()),
        Some(Err(errors)) => (None, errors),
        None => (None, Vec::new()),
    };
    let finished = status.outcome.is_some();
    if json {
        return Ok(axum::Json(JobJson {
            stage,
            rows: status.rows,
            done,
            total: ImportStage::COUNT,
            finished,
            next,
            errors,
        })
        .into_response());
    }
    if let Some(next) = next {
        return Ok(Redirect::to(&next).into_response());
    }
    let page = JobPage {
        ctx: PageCtx::signed_in(&auth),
        id,
        stage,
        rows: status.rows,
        done,
        total: ImportStage::COUNT,
        errors,
        finished,
        refresh: REFRESH_SECS,
    };
    let mut resp = render(&page);
    if !finished {
        resp.headers_mut()
            .insert(header::REFRESH, header::HeaderValue::from(REFRESH_SECS));
    }
    Ok(resp)
}
