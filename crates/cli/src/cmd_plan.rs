//! `qx plan …`: plan documents from the command line: parse a file (no database), or import,
//! list, publish and export plans in an installation.

use crate::progress;
use anyhow::Context;
use qx_core::units::SEED_UNITS;
use qx_plan::UnitDirectory;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// Plan document: .txt (UTF-8 or GB18030), .docx or saved .html
    pub file: PathBuf,
    /// Output format: json (contracts/plan-parse.md) or text (an outline for people)
    #[arg(long, default_value = "json", value_parser = ["json", "text"])]
    pub format: String,
}

/// The built-in registry with every unit's full name among its aliases.
fn seed_directory() -> UnitDirectory {
    UnitDirectory::from_entries(SEED_UNITS.iter().map(|u| {
        (
            u.name,
            std::iter::once(u.full_name).chain(u.aliases.iter().copied()),
        )
    }))
}

pub fn parse(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let plan = qx_plan::parse_file(&args.file, &seed_directory())?;
    for w in &plan.warnings {
        eprintln!("警告 warning: {}: {w}", args.file.display());
    }
    let out = match args.format.as_str() {
        "text" => plan.to_outline(),
        _ => serde_json::to_string_pretty(&plan).context("serialising the plan")? + "\n",
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: crate::cmd_system::DbArgs,
    /// A plan document (.txt/.docx/.html) or an edited 任务分解表 (.xlsx)
    pub file: PathBuf,
    /// Publish right away instead of leaving a draft to review on the web
    #[arg(long)]
    pub publish: bool,
}

#[derive(clap::Args, Debug)]
pub struct PlanIdArgs {
    #[command(flatten)]
    pub db: crate::cmd_system::DbArgs,
    /// Plan id (see `qx plan list`)
    pub id: i64,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: crate::cmd_system::DbArgs,
    /// Plan id (see `qx plan list`)
    pub id: i64,
    /// Where to write the 任务分解表 workbook
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: crate::cmd_system::DbArgs,
}

fn app_error(e: qx_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let office = qx_core::access::Actor::system();
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let bar = progress::steps(&format!("导入 {name}: 解析、保存草稿 (importing)"));
    let id = if name.to_lowercase().ends_with(".xlsx") {
        let imported = qx_app::plan_excel::import_workbook(&store, &office, &bytes, &name).await;
        bar.finish_and_clear();
        imported.map_err(app_error)?
    } else {
        let imported = qx_app::plan_import::import_document(&store, &office, &bytes, &name).await;
        bar.finish_and_clear();
        let imported = imported.map_err(app_error)?;
        for w in &imported.warnings {
            eprintln!("警告 warning: {name}: {w}");
        }
        eprintln!("{} 个条目, {} 个量化目标", imported.items, imported.targets);
        imported.plan_id
    };
    eprintln!("已导入为草稿, 方案编号 {id} (imported as draft plan {id})");
    if args.publish {
        let bar = progress::steps("发布: 生成监测指标和工作任务 (publishing)");
        let published = store.publish_plan(&office, id).await;
        bar.finish_and_clear();
        let s = published?;
        eprintln!(
            "已发布: {} 个监测指标, {} 项工作任务",
            s.indicators, s.tasks
        );
    }
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

pub async fn list(args: ListArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    for p in store.list_plans(&qx_core::access::Actor::system()).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            p.id, p.year, p.status, p.doc_number, p.title
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn publish(args: PlanIdArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let s = store
        .publish_plan(&qx_core::access::Actor::system(), args.id)
        .await?;
    eprintln!(
        "已发布: {} 个监测指标, {} 项工作任务",
        s.indicators, s.tasks
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let bytes = qx_app::plan_excel::export_plan(&store, &qx_core::access::Actor::system(), args.id)
        .await
        .map_err(app_error)?;
    std::fs::write(&args.out, bytes).with_context(|| format!("无法写入 {}", args.out.display()))?;
    eprintln!("已导出 {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
