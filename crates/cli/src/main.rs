//! `qx`: the Qiangxian command line. It wires the crates together and does nothing else.

mod cmd_assess;
mod cmd_cultivation;
mod cmd_enterprise;
mod cmd_eval;
mod cmd_plan;
mod cmd_project;
mod cmd_report;
mod cmd_system;
mod cmd_token;
mod cmd_webhook;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "qx",
    version,
    about = "强县 Qiangxian: 工业强县工作推进系统 (county industrial work plan system)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the demo county (象山县 2017) on an embedded database
    Demo(cmd_system::DemoArgs),
    /// Run the web server
    Serve(cmd_system::ServeArgs),
    /// Create or upgrade the database schema
    Migrate(cmd_system::MigrateArgs),
    /// Manage user accounts
    #[command(subcommand)]
    User(cmd_system::UserCommand),
    /// Write a consistent copy of the live database
    Backup(cmd_system::BackupArgs),
    /// The tamper-evident audit log
    #[command(subcommand)]
    Audit(cmd_system::AuditCommand),
    /// Plan documents (工作推进方案)
    #[command(subcommand)]
    Plan(PlanCommand),
    /// 月度快报 / 季度通报 as Word, Excel or HTML
    #[command(subcommand)]
    Report(ReportCommand),
    /// 亩均效益综合评价 over a CSV file
    Eval(cmd_eval::EvalArgs),
    /// 企业名录, yearly facts and the 亩均效益综合评价 of a stored data year
    #[command(subcommand)]
    Enterprise(EnterpriseCommand),
    /// Benchmarks on generated data
    #[command(subcommand)]
    Bench(BenchCommand),
    /// 重大项目库 in and out of Excel
    #[command(subcommand)]
    Project(ProjectCommand),
    /// 企业培育库: official lists in, the library out
    #[command(subcommand)]
    Cultivation(CultivationCommand),
    /// Service tokens for other systems calling the API (接口令牌)
    #[command(subcommand)]
    Token(cmd_token::TokenCommand),
    /// Outgoing webhooks (消息推送)
    #[command(subcommand)]
    Webhook(cmd_webhook::WebhookCommand),
    /// 考核评价 of departments, zones and towns
    #[command(subcommand)]
    Assess(AssessCommand),
}

#[derive(Subcommand, Debug)]
enum ProjectCommand {
    /// Import the county's project list (.xlsx; all or nothing, matched by name and town)
    Import(cmd_project::ImportArgs),
    /// Export the project library (.xlsx) in the layout the import reads
    Export(cmd_project::ExportArgs),
    /// Write a unit's monthly 调度 template of its projects for a reporting period (.xlsx)
    DispatchTemplate(cmd_project::DispatchTemplateArgs),
    /// Read a filled-in 调度 template into the unit's report of the period (all or nothing)
    DispatchImport(cmd_project::DispatchImportArgs),
}

#[derive(Subcommand, Debug)]
enum CultivationCommand {
    /// Read an official list (高新技术企业名单, 专精特新名单, 个体户名单) into a pipeline's stage
    Import(cmd_cultivation::ImportArgs),
    /// Write the library (each pipeline and the per-town summary) to Excel
    Export(cmd_cultivation::ExportArgs),
}

#[derive(Subcommand, Debug)]
enum AssessCommand {
    /// Score a year or a quarter, print the ranking, write the workbook
    Run(cmd_assess::RunArgs),
    /// Export a run's every item to Excel
    Export(cmd_assess::ExportArgs),
}

#[derive(Subcommand, Debug)]
enum PlanCommand {
    /// Parse a plan document into structure (contracts/plan-parse.md); no database
    Parse(cmd_plan::ParseArgs),
    /// Import a plan document or 任务分解表 workbook as a draft
    Import(cmd_plan::ImportArgs),
    /// List plans
    List(cmd_plan::ListArgs),
    /// Publish a reviewed draft
    Publish(cmd_plan::PlanIdArgs),
    /// Export a plan as the 任务分解表 workbook
    Export(cmd_plan::ExportArgs),
}

#[derive(Subcommand, Debug)]
enum EnterpriseCommand {
    /// Import the registry (企业名录) or a data year's facts from Excel or CSV (all or nothing)
    Import(cmd_enterprise::ImportArgs),
    /// Evaluate a stored data year under its scheme (optionally start the 公示)
    Eval(cmd_enterprise::EvalArgs),
    /// Export an evaluation to Excel
    Export(cmd_enterprise::ExportArgs),
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// 月度快报 of a month (e.g. --period 2017-06)
    Monthly(cmd_report::MonthlyArgs),
    /// 季度通报 of a quarter (e.g. --quarter 2017Q2)
    Quarterly(cmd_report::QuarterlyArgs),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// `qx eval` against DuckDB on generated facts
    Eval(cmd_eval::BenchArgs),
    /// The registry import (企业名录) at scale on a fresh database
    EnterpriseImport(cmd_enterprise::BenchImportArgs),
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QX_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,qx=info,qx_web=info,qx_store=info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Commands that touch the database or serve need the async runtime; the file tools don't.
fn run_async<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    f: F,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Demo(args) => run_async(cmd_system::demo(args)),
        Command::Serve(args) => run_async(cmd_system::serve(args)),
        Command::Migrate(args) => run_async(cmd_system::migrate(args)),
        Command::User(cmd) => run_async(cmd_system::user(cmd)),
        Command::Backup(args) => run_async(cmd_system::backup(args)),
        Command::Audit(cmd) => run_async(cmd_system::audit(cmd)),
        Command::Plan(PlanCommand::Parse(args)) => cmd_plan::parse(args),
        Command::Plan(PlanCommand::Import(args)) => run_async(cmd_plan::import(args)),
        Command::Plan(PlanCommand::List(args)) => run_async(cmd_plan::list(args)),
        Command::Plan(PlanCommand::Publish(args)) => run_async(cmd_plan::publish(args)),
        Command::Plan(PlanCommand::Export(args)) => run_async(cmd_plan::export(args)),
        Command::Report(ReportCommand::Monthly(args)) => run_async(cmd_report::monthly(args)),
        Command::Report(ReportCommand::Quarterly(args)) => run_async(cmd_report::quarterly(args)),
        Command::Eval(args) => cmd_eval::run(args),
        Command::Token(cmd) => run_async(cmd_token::run(cmd)),
        Command::Webhook(cmd) => run_async(cmd_webhook::run(cmd)),
        Command::Enterprise(EnterpriseCommand::Import(args)) => {
            run_async(cmd_enterprise::import(args))
        }
        Command::Enterprise(EnterpriseCommand::Eval(args)) => run_async(cmd_enterprise::eval(args)),
        Command::Enterprise(EnterpriseCommand::Export(args)) => {
            run_async(cmd_enterprise::export(args))
        }
        Command::Cultivation(CultivationCommand::Import(args)) => {
            run_async(cmd_cultivation::import(args))
        }
        Command::Cultivation(CultivationCommand::Export(args)) => {
            run_async(cmd_cultivation::export(args))
        }
        Command::Bench(BenchCommand::Eval(args)) => cmd_eval::bench(args),
        Command::Assess(AssessCommand::Run(args)) => run_async(cmd_assess::run(args)),
        Command::Assess(AssessCommand::Export(args)) => run_async(cmd_assess::export(args)),
        Command::Bench(BenchCommand::EnterpriseImport(args)) => {
            run_async(cmd_enterprise::bench_import(args))
        }
        Command::Project(ProjectCommand::Import(args)) => run_async(cmd_project::import(args)),
        Command::Project(ProjectCommand::Export(args)) => run_async(cmd_project::export(args)),
        Command::Project(ProjectCommand::DispatchTemplate(args)) => {
            run_async(cmd_project::dispatch_template(args))
        }
        Command::Project(ProjectCommand::DispatchImport(args)) => {
            run_async(cmd_project::dispatch_import(args))
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误: {err:#}");
            ExitCode::FAILURE
        }
    }
}
