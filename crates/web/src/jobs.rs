//! Long work started from a form (a big registry or facts import): it runs on a blocking task
//! while `/jobs/{id}` shows its stage and a progress bar, refreshing itself without JS, and
//! sends the user on to the result when it is done, or shows the errors the work found.
//!
//! The table ([`Jobs`]) is in memory on the app's state, one per app (two apps in one process
//! never see each other's jobs), keyed by a random id and bound to the session that started the
//! job (any other session gets 404). Finished jobs are forgotten [`KEEP_FINISHED`] after they end;
//! a user runs at most [`MAX_RUNNING`] at a time. A job that ends within the form's wait
//! (`Config::job_wait_ms`) is answered as if it had run in the request: small files never see
//! the progress page.

use crate::auth::{Auth, Session};
use crate::i18n::t;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use qx_app::enterprise_import::ImportStage;
use qx_core::label::Labelled;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
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

/// The jobs of one app (`AppState::jobs`).
#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, Job>>);

impl Jobs {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a job for the session's user and returns its id, or `None` when the user
    /// already runs [`MAX_RUNNING`] jobs.
    fn admit(&self, session: &str, user_id: i64, status: Arc<Mutex<Status>>) -> Option<String> {
        let mut jobs = self.lock();
        sweep(&mut jobs);
        let running = jobs
            .values()
            .filter(|j| j.user_id == user_id && j.finished_at.is_none())
            .count();
        if running >= MAX_RUNNING {
            return None;
        }
        let id = crate::auth::random_token();
        jobs.insert(
            id.clone(),
            Job {
                session: session.to_string(),
                user_id,
                status,
                finished_at: None,
            },
        );
        Some(id)
    }

    fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Where the job stands, for the session that started it only.
    fn status(&self, id: &str, session: &str) -> Option<Status> {
        let mut jobs = self.lock();
        sweep(&mut jobs);
        match jobs.get(id) {
            Some(job) if job.session == session => Some(lock_status(&job.status).clone()),
            _ => None,
        }
    }
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
    jobs: &Jobs,
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
    let Some(id) = jobs.admit(&session.token_hash, session.user.id, status.clone()) else {
        return Err(WebError::BadRequest(t(lang, "job.too_many").to_string()));
    };
    let tracker = Tracker(status.clone());
    let runtime = tokio::runtime::Handle::current();
    let done = status.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        let outcome = runtime.block_on(work(tracker));
        lock_status(&done).outcome = Some(outcome);
    });
    if tokio::time::timeout(wait, &mut handle).await.is_ok() {
        let outcome = lock_status(&status).outcome.take();
        jobs.forget(&id);
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
async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (id, json) = match id.strip_suffix(".json") {
        Some(id) => (id.to_string(), true),
        None => (id, false),
    };
    let Some(status) = state.jobs.status(&id, &auth.session.token_hash) else {
        return Err(WebError::NotFound(id));
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
        Some(Err(errors)) => (None, crate::i18n::localised(errors, lang)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Arc<Mutex<Status>> {
        Arc::new(Mutex::new(Status::default()))
    }

    #[test]
    fn the_limit_is_per_user_of_one_app() {
        let (one, other) = (Jobs::default(), Jobs::default());
        let first = one.admit("s1", 1, running()).unwrap();
        one.admit("s1", 1, running()).unwrap();
        assert!(
            one.admit("s2", 1, running()).is_none(),
            "a third job for user 1"
        );
        assert!(one.admit("s3", 2, running()).is_some(), "another user");
        // The same user id in another app (another database) is another user.
        assert!(other.admit("s1", 1, running()).is_some());
        assert!(other.status(&first, "s1").is_none());
        // A finished job no longer counts against the limit, and its page stays.
        let done = one.status(&first, "s1").unwrap();
        assert!(done.outcome.is_none());
        if let Some(job) = one.lock().get(&first) {
            lock_status(&job.status).outcome = Some(Ok("/next".into()));
        }
        assert!(one.admit("s1", 1, running()).is_some());
        assert!(one.status(&first, "s1").unwrap().outcome.is_some());
        assert!(one.status(&first, "s2").is_none(), "another session");
    }
}
