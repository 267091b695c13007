//! 月度快报 / 季度通报 pages: preview, publish, archive. (Being built.)

use crate::AppState;
use axum::Router;

/// UI strings of this module: key, 中文, English.
pub const MESSAGES: &[(&str, &str, &str)] = &[];

pub fn routes() -> Router<AppState> {
    Router::new()
}
