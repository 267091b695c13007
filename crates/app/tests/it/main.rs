//! The crate's integration tests, one module per area, built as one test binary: each
//! binary links every dependency, so one binary instead of one per file saves link time
//! and disk on CI.

mod assessment;
mod assessment_inputs;
mod bulletin_projects;
mod bulletins;
mod common;
mod cultivation_bulletin;
mod cultivation_indicators;
mod cultivation_lists;
mod hostile;
mod monitoring;
mod monitoring_autofill;
mod monitoring_excel;
mod monitoring_projects;
mod no_figure;
mod plans;
mod project_dispatch;
mod project_dispatch_excel;
mod project_excel;
