//! The web application: server-rendered pages, the JSON API and its OpenAPI document.
//!
//! Handlers are thin: they parse input, call one store function with the signed-in
//! [`Actor`](qx_core::access::Actor), and render. Data scope is enforced by the store
//! functions, never by hiding links. Every asset is compiled into the binary.

pub mod account;
pub mod api;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod calendar;
pub mod chart;
pub mod cultivation;
pub mod download;
pub mod enterprises;
pub mod error;
pub mod export;
pub mod form;
pub mod help;
pub mod i18n;
pub mod jobs;
pub mod meetings;
pub mod monitor;
pub mod notices;
pub mod pages;
pub mod plans;
pub mod problems;
pub mod projects;
pub mod settings;
pub mod units;
pub mod upload;
pub mod users;
pub mod webhook;
pub mod workbench;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
pub use error::WebError;
use qx_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Security and session settings (等保 defaults).
#[derive(Debug, Clone)]
pub struct Config {
    /// Idle time after which a session ends.
    pub session_idle_secs: i64,
    /// Time after signing in at which a session ends however busy it is.
    pub session_max_secs: i64,
    /// Failed logins that lock an account.
    pub max_login_failures: i64,
    /// How long a lockout lasts.
    pub lockout_secs: i64,
    /// Failed logins one client address may make per window before it must wait (so one
    /// address can neither guess at every account nor lock the county out).
    pub max_address_failures: i64,
    /// The window those are counted in.
    pub address_window_secs: i64,
    /// Add `Secure` to cookies (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Largest request body a signed-in user may send (uploads).
    pub max_body_bytes: usize,
    /// Largest request body without a session (the login form needs a few hundred bytes).
    pub max_anonymous_body_bytes: usize,
    /// Reverse proxies whose `X-Forwarded-For` is believed; from anyone else it is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long an import form waits for its job before answering with the progress page
    /// (`/jobs/{id}`); work done sooner is answered as if it had run in the request.
    pub job_wait_ms: u64,
    /// Requests a service token may make per minute (`429` with `Retry-After` beyond).
    pub token_requests_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            session_idle_secs: 30 * 60,
            session_max_secs: 12 * 3600,
            max_login_failures: 5,
            lockout_secs: 15 * 60,
            max_address_failures: 20,
            address_window_secs: 15 * 60,
            secure_cookies: false,
            max_body_bytes: 64 * 1024 * 1024,
            max_anonymous_body_bytes: 64 * 1024,
            trusted_proxies: Vec::new(),
            job_wait_ms: 1500,
            token_requests_per_minute: 600,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    /// Monitoring pictures, recomputed only after a change (see `qx_app::monitoring`).
    pub picture_cache: Arc<qx_app::monitoring::PictureCache>,
    /// Dashboard pages rendered from the cached pictures (see `monitor::RenderedDashboards`).
    pub rendered_dashboards: Arc<monitor::RenderedDashboards>,
    /// Long work started from a form, with its progress (see `jobs`); one table per app.
    pub jobs: Arc<jobs::Jobs>,
}

#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = match path.rsplit('.').next() {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "public, max-age=3600"),
                ],
                file.data,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Reads and writes: a full disk fails writes while reads go on, and must not read as "ok".
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    if let Err(e) = state.store.schema_version().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {e}"),
        )
            .into_response();
    }
    match state.store.check_writes().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database writes failing: {e}"),
        )
            .into_response(),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let html = Router::new()
        .route("/", get(workbench::home))
        .route(
            "/login",
            get(account::login_form).post(account::login_submit),
        )
        .route("/logout", post(account::logout))
        .route("/lang", post(account::switch_lang))
        .route(
            "/account",
            get(account::account).post(account::change_password),
        )
        .route("/units", get(units::units_list).post(units::unit_create))
        .route("/units/new", get(units::unit_new))
        .route(
            "/units/{id}",
            get(units::unit_detail).post(units::unit_update),
        )
        .route("/units/{id}/contact", post(units::unit_contact))
        .route("/users", get(users::users_list).post(users::user_create))
        .route("/users/new", get(users::user_new))
        .route(
            "/users/{id}",
            get(users::user_detail).post(users::user_update),
        )
        .route("/users/{id}/password", post(users::user_reset_password))
        .route("/users/{id}/lock", post(users::user_lock))
        .route("/audit", get(audit::audit_list))
        .route(
            "/calendar",
            get(calendar::calendar).post(calendar::calendar_set),
        )
        .route("/calendar/delete", post(calendar::calendar_delete));
    Router::new()
        .merge(html)
        .merge(api::routes())
        .merge(plans::routes())
        .merge(monitor::routes())
        .merge(bulletins::routes())
        .merge(problems::routes())
        .merge(projects::routes())
        .merge(meetings::routes())
        .merge(enterprises::routes())
        .merge(jobs::routes())
        .merge(cultivation::routes())
        .merge(assessment::routes())
        .merge(notices::routes())
        .merge(export::routes())
        .merge(help::routes())
        .merge(settings::routes())
        .route("/healthz", get(healthz))
        .route("/assets/{*path}", get(asset))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::session_layer))
        // Outside the session layer, so its refusals under /api/ are problem+json too.
        .layer(axum::middleware::from_fn(api::problem_layer))
        // The session layer applies the real limit (smaller without a session) before anything
        // reads the body; this one only has to be no lower.
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            header::HeaderValue::from_static("DENY"),
        ))
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish (up to 30 s). The
/// caller closes the store afterwards (SQLite then checkpoints its write-ahead log).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    serve_until(
        state,
        listener,
        shutdown_signal(),
        std::time::Duration::from_secs(30),
    )
    .await
}

/// [`serve`] with the shutdown trigger and the drain time given.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    drain: std::time::Duration,
) -> anyhow::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stopping_tx.send(());
    });
    let server = tokio::spawn(async move { server.await });
    let server_done = async {
        match server.await {
            Ok(result) => result.map_err(anyhow::Error::from),
            Err(e) => Err(anyhow::Error::from(e)),
        }
    };
    tokio::pin!(server_done);
    let result = tokio::select! {
        r = &mut server_done => r,
        _ = async {
            let _ = stopping_rx.await;
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!("requests still running after {} s: closing anyway", drain.as_secs());
            Ok(())
        }
    };
    result
}

/// Ctrl-C, or SIGTERM (what service managers send) on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
