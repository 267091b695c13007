//! `qx plan …`: plan documents from the command line. (Owned by the plan-parser work.)

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
    UnitDirectory::from_entries(
        SEED_UNITS.iter().map(|u| (u.name, std::iter::once(u.full_name).chain(u.aliases.iter().copied()))),
    )
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
