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
