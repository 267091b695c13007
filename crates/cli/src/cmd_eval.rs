//! `qx eval` and `qx bench eval`: the 亩均 evaluation over files. (Owned by the eval work.)

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
}

pub fn run(_args: EvalArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet wired")
}

pub fn bench(_args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet wired")
}
