//! The crate's integration tests, one module per area, built as one test binary: each
//! binary links every dependency, so one binary instead of one per file saves link time
//! and disk on CI.

mod api_errors;
mod api_openapi;
mod api_paging;
mod api_scope;
mod assessment;
mod bulletins;
mod common;
mod cultivation;
mod cultivation_lists;
mod cultivation_pages;
mod english;
mod enterprises;
mod export;
mod field_errors;
mod forms;
mod hardening;
mod help;
mod http;
mod jobs;
mod meetings;
mod meetings_views;
mod monitor;
mod monitor_surge;
mod no_figure;
mod nodata;
mod notices;
mod numbers;
mod office_tools;
mod plans;
mod problem_staff;
mod problems;
mod project_dispatch;
mod projects;
mod projects_excel;
mod report_form;
mod report_milestone;
mod routes;
mod state_literals;
mod tokens;
mod webhooks;
mod workbench;
mod workbench_modules;
