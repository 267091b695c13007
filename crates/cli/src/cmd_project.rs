//! `qx project …`: the 重大项目库 in and out of Excel from the command line, acting as the
//! system (office) account; the import is audited and all or nothing.

use crate::cmd_enterprise::report;
use crate::cmd_system::DbArgs;
use crate::progress;
use anyhow::Context;
use qx_app::project_excel;
use qx_core::access::Actor;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The 年度 of rows that give none (default: this year)
    #[arg(long)]
    pub year: Option<i32>,
    /// The county's project list (.xlsx): a row matching a project by name and town updates it
    pub file: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Workbook to write (.xlsx), in the layout `qx project import` reads
    #[arg(long, default_value = "重大项目库.xlsx")]
    pub out: PathBuf,
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let year = args.year.unwrap_or_else(|| qx_core::time::today().year());
    let store = args.db.open_migrated().await?;
    let t = Instant::now();
    let what = format!("导入重大项目库 {name} (importing the project list)");
    let bar = progress::steps(&what);
    let at_stage = |stage, rows| bar.set_message(progress::stage_message(&what, stage, rows));
    let summary = project_excel::import_projects_with(
        &store,
        &Actor::system(),
        &bytes,
        &name,
        year,
        &at_stage,
    )
    .await;
    bar.finish_and_clear();
    let summary = summary.map_err(|e| report(&args.file, e))?;
    let elapsed = t.elapsed();
    eprintln!(
        "已导入 {name}: 新增 {} 个项目, 更新 {} 个, 用时 {elapsed:.2?} (imported: {} created, {} updated)",
        summary.created, summary.updated, summary.created, summary.updated
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let bytes = project_excel::export_projects(&store, &Actor::system())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, bytes).with_context(|| format!("无法写入 {}", args.out.display()))?;
    eprintln!(
        "已导出重大项目库到 {} (the project library was written)",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A unit's report of one period, as the 调度 commands name it on the command line.
#[derive(clap::Args, Debug)]
pub struct UnitPeriodArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The responsible unit, by name (县经信局)
    #[arg(long)]
    pub unit: String,
    /// The reporting period's number (报送期编号, as the report page's address and the
    /// template's 填报说明 show it)
    #[arg(long)]
    pub period: i64,
}

impl UnitPeriodArgs {
    /// Opens the database and finds the unit by its name.
    async fn open(&self) -> anyhow::Result<(qx_store::Store, i64)> {
        let store = self.db.open_migrated().await?;
        let unit = store
            .resolve_unit(&self.unit)
            .await?
            .with_context(|| format!("没有名为 {} 的单位 (no such unit)", self.unit))?
            .id;
        Ok((store, unit))
    }
}

#[derive(clap::Args, Debug)]
pub struct DispatchTemplateArgs {
    #[command(flatten)]
    pub report: UnitPeriodArgs,
    /// Workbook to write (.xlsx)
    #[arg(long, default_value = "项目调度.xlsx")]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct DispatchImportArgs {
    #[command(flatten)]
    pub report: UnitPeriodArgs,
    /// The filled-in 调度 template (.xlsx); all or nothing
    pub file: PathBuf,
}

/// `qx project dispatch-template`: a unit's monthly 调度 template for a period.
pub async fn dispatch_template(args: DispatchTemplateArgs) -> anyhow::Result<ExitCode> {
    let (store, unit) = args.report.open().await?;
    let bytes = qx_app::project_dispatch_excel::export_template(
        &store,
        &Actor::system(),
        args.report.period,
        unit,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, bytes).with_context(|| format!("无法写入 {}", args.out.display()))?;
    eprintln!(
        "已导出 {} 的项目调度模板到 {} (the dispatch template was written)",
        args.report.unit,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `qx project dispatch-import`: a filled-in 调度 template into the unit's report of the period.
pub async fn dispatch_import(args: DispatchImportArgs) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let (store, unit) = args.report.open().await?;
    let done = qx_app::project_dispatch_excel::import_template(
        &store,
        &Actor::system(),
        args.report.period,
        unit,
        &bytes,
        &name,
    )
    .await
    .map_err(|e| report(&args.file, e))?;
    for held in &done.held_elsewhere {
        eprintln!("{held}");
    }
    eprintln!(
        "已导入 {name}: {} 个项目的本月调度 (imported the month of {} projects)",
        done.saved, done.saved
    );
    Ok(ExitCode::SUCCESS)
}
