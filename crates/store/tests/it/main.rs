//! The crate's integration tests, one module per area, built as one test binary: each
//! binary links every dependency, so one binary instead of one per file saves link time
//! and disk on CI.

mod assessment;
mod audit_anchor;
mod audit_read;
mod cultivation;
mod cultivation_analytics;
mod cultivation_lists;
mod enterprises;
mod meetings;
mod meetings_agenda;
mod meetings_followup;
mod monitoring_scope;
mod no_figure;
mod nodata;
mod notices;
mod packed;
mod pg_binds;
mod problem_rates_scope;
mod problem_withdraw;
mod problems;
mod projects;
mod schema_parity;
mod store;
mod submission_statements;
mod submissions;
mod tokens;
mod typed_problem_rows;
mod typed_rows;
mod webhooks;
