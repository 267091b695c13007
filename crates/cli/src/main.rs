//! `qx`: the Qiangxian command line. It wires the crates together and does nothing else.

mod cmd_eval;
mod cmd_plan;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "qx", version, about = "强县 Qiangxian: 工业强县工作推进系统")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Plan documents (工作推进方案)
    #[command(subcommand)]
    Plan(PlanCommand),
    /// 亩均效益综合评价 over a CSV file
    Eval(cmd_eval::EvalArgs),
    /// Benchmarks on generated data
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand, Debug)]
enum PlanCommand {
    /// Parse a plan document into structure (contracts/plan-parse.md)
    Parse(cmd_plan::ParseArgs),
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// `qx eval` against DuckDB on generated facts
    Eval(cmd_eval::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Plan(PlanCommand::Parse(args)) => cmd_plan::parse(args),
        Command::Eval(args) => cmd_eval::run(args),
        Command::Bench(BenchCommand::Eval(args)) => cmd_eval::bench(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误: {err:#}");
            ExitCode::FAILURE
        }
    }
}
