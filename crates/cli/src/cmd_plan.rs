//! `qx plan …`: plan documents from the command line. (Owned by the plan-parser work.)

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// Plan document: .txt (UTF-8 or GB18030), .docx or saved .html
    pub file: PathBuf,
    /// Output format
    #[arg(long, default_value = "json")]
    pub format: String,
}

pub fn parse(_args: ParseArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet wired")
}
