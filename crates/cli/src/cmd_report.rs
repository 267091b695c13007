//! `qx report monthly|quarterly …`: a 月度快报 or 季度通报 as Word, Excel or HTML.
//!
//! A period that has been published is always written from its archive (the frozen file, the
//! same bytes as the day it was issued). Otherwise the bulletin is built from today's approved
//! data as a preview, or published first with `--publish`.

use crate::cmd_system::DbArgs;
use crate::progress;
use anyhow::Context;
use qx_app::bulletin::{self, report::BulletinKind};
use qx_core::access::Actor;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Output {
    #[command(flatten)]
    pub db: DbArgs,
    /// docx (公文 layout), xlsx (the tables) or html (printable page)
    #[arg(long, default_value = "docx", value_parser = ["docx", "xlsx", "html"])]
    pub format: String,
    /// File to write
    #[arg(long)]
    pub out: PathBuf,
    /// Plan id (default: the published plan of the period's year)
    #[arg(long)]
    pub plan: Option<i64>,
    /// Publish the bulletin (archive snapshot and files) before writing it
    #[arg(long)]
    pub publish: bool,
    /// 成文日期, YYYY-MM-DD (default: today, China time)
    #[arg(long)]
    pub issued_on: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct MonthlyArgs {
    /// The month, e.g. 2017-06
    #[arg(long)]
    pub period: String,
    #[command(flatten)]
    pub output: Output,
}

#[derive(clap::Args, Debug)]
pub struct QuarterlyArgs {
    /// The quarter, e.g. 2017Q2
    #[arg(long)]
    pub quarter: String,
    #[command(flatten)]
    pub output: Output,
}

pub async fn monthly(args: MonthlyArgs) -> anyhow::Result<ExitCode> {
    run(BulletinKind::Monthly, &args.period, args.output).await
}

pub async fn quarterly(args: QuarterlyArgs) -> anyhow::Result<ExitCode> {
    run(BulletinKind::Quarterly, &args.quarter, args.output).await
}

async fn run(kind: BulletinKind, period: &str, o: Output) -> anyhow::Result<ExitCode> {
    let period = bulletin::parse_period(kind, period)?;
    let store = o.db.open_migrated().await?;
    let actor = Actor::system();
    let plan = match o.plan {
        Some(id) => id,
        None => {
            store
                .published_plan(i64::from(period.year()))
                .await?
                .with_context(|| {
                    format!(
                        "{}年没有已发布的工作方案 (no published plan)",
                        period.year()
                    )
                })?
                .id
        }
    };
    let issued_on = o
        .issued_on
        .clone()
        .unwrap_or_else(|| qx_core::time::format_date(qx_core::time::today()));
    // Publishing and building gather the whole picture of the period: a spinner says so on a
    // terminal; the notes below go out through it so they are not drawn over.
    let bar = progress::steps(&format!("{period}: 汇总已审核数据, 生成文件 (building)"));
    let mut published = store
        .find_bulletin(&actor, plan, kind, &period.to_string())
        .await?;
    if published.is_none() && o.publish {
        let id = bulletin::publish(&store, &actor, plan, kind, period, &issued_on).await?;
        published = Some(store.get_bulletin(&actor, id).await?);
    }
    let data = match published {
        Some(b) => {
            bar.suspend(|| eprintln!("{} 已印发 ({}): 输出存档文件", b.doc_number, b.title));
            store.bulletin_file(&actor, b.id, &o.format).await?.data
        }
        None => {
            let snap =
                bulletin::build_snapshot(&store, &actor, plan, kind, period, &issued_on, None)
                    .await?;
            bar.suspend(|| {
                eprintln!(
                    "预览 (未印发; 加 --publish 印发): {}",
                    bulletin::report::text::title(&snap)
                )
            });
            bulletin::render(&snap, &o.format)?.0
        }
    };
    bar.finish_and_clear();
    std::fs::write(&o.out, &data).with_context(|| format!("无法写入 {}", o.out.display()))?;
    eprintln!("已写入 {} ({} 字节)", o.out.display(), data.len());
    Ok(ExitCode::SUCCESS)
}
