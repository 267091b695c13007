//! The crate's integration tests, one module per area, built as one test binary: each
//! binary links every dependency, so one binary instead of one per file saves link time
//! and disk on CI.

mod assess_cli;
mod audit_cli;
mod common;
mod cultivation_cli;
mod demo_clock;
mod enterprise_cli;
mod eval_cli;
mod hostile_cli;
mod hostile_web;
mod progress;
mod project_cli;
mod report_cli;
mod serve_cli;
mod system_cli;
mod token_cli;
