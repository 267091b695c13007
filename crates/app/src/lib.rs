//! Use cases that join a pure engine to the store, shared by the web app, the CLI and the demo.
//!
//! - [`plan_import`]: a plan document (txt/docx/html) → a reviewed draft in the database.
//! - [`plan_excel`]: the published plan as the 任务分解表 workbook, and an edited workbook back
//!   as a new draft (every bad cell reported, nothing written unless the whole sheet is valid).
//! - [`monitoring_excel`]: a unit's monthly report as a pre-filled workbook, and the filled-in
//!   workbook back as its draft or submission (same all-or-nothing checks).

pub mod assessment;
pub mod bulletin;
mod bulletin_projects;
pub mod cultivation_analytics;
pub mod cultivation_bulletin;
pub mod cultivation_export;
pub mod cultivation_list;
pub mod enterprise_import;
pub mod evaluation;
pub mod meetings;
pub mod monitoring;
pub mod monitoring_excel;
pub mod plan_excel;
pub mod plan_import;
pub mod project_dispatch_excel;
pub mod project_excel;
pub mod scheme_numbers;
mod sheet;
pub mod workbench;

use qx_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plan(#[from] qx_plan::PlanError),
    /// Row-level problems of an uploaded sheet; nothing was written.
    #[error("{}", .0.join("\n"))]
    Rows(Vec<String>),
    #[error("{0}")]
    Invalid(String),
}
