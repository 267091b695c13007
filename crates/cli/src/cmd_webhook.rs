//! `qx webhook deliver`: one sending pass from cron, for deployments that want deliveries sent
//! when no `qx serve` runs (the server's own worker does the same every 30 seconds).

use crate::cmd_system::DbArgs;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Send every delivery that is due now (first tries and retries) and report
    Deliver(DeliverArgs),
}

#[derive(Args, Debug)]
pub struct DeliverArgs {
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(cmd: WebhookCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        WebhookCommand::Deliver(a) => {
            let store = a.db.open_migrated().await?;
            let report = qx_web::webhook::deliver_due(&store).await?;
            let waiting = store.pending_deliveries().await?;
            eprintln!(
                "已送达 {}, 待重试 {}, 已放弃 {}; 仍在等待 {}",
                report.delivered, report.retrying, report.given_up, waiting
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
