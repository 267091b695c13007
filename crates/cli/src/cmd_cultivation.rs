//! `qx cultivation …`: official lists into a 企业培育库 pipeline and the library out as a
//! workbook, acting as the system (office) account; every write is audited.
//!
//! `import` reads and matches a list and keeps it pending (the office reviews it on
//! `/cultivation/imports/<id>`); with `--confirm` it is applied at once — rows that only have
//! close names are then left out and listed, as a person has not chosen for them.

use crate::cmd_system::DbArgs;
use anyhow::{Context, bail};
use qx_app::AppError;
use qx_core::access::Actor;
use qx_store::cultivation::RowMatch;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The pipeline's code: xsg 小升规, gzq 个转企, ipo 上市, zjtx 专精特新, gxjs 高新技术企业,
    /// kjxzx 科技型中小企业, cxcc 创新型初创企业, gczx 工程(技术)中心
    #[arg(long)]
    pub pipeline: String,
    /// The stage the list puts firms at, by its number from 1 (default: the first)
    #[arg(long, default_value_t = 1)]
    pub stage: usize,
    /// The list's date (YYYY-MM-DD; default today): rows without their own 认定日期 take it
    #[arg(long)]
    pub date: Option<String>,
    /// Apply at once instead of leaving the list pending for review
    #[arg(long)]
    pub confirm: bool,
    /// Excel (.xlsx) or CSV (UTF-8 or GBK) with a 企业名称 column
    pub file: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only this pipeline (its code); default every pipeline
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Workbook to write (.xlsx): one sheet per pipeline and the 分镇汇总
    #[arg(long)]
    pub out: PathBuf,
}

fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::Rows(rows) => {
            for r in &rows {
                eprintln!("{r}");
            }
            anyhow::anyhow!("名单未读取 ({} 处问题)", rows.len())
        }
        other => other.into(),
    }
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    let p = store.cultivation_pipeline_by_code(&args.pipeline).await?;
    let Some(stage) = args.stage.checked_sub(1).and_then(|i| p.stages.get(i)) else {
        bail!("--stage: 「{}」只有 {} 个阶段", p.name, p.stages.len());
    };
    let date = args
        .date
        .unwrap_or_else(|| qx_core::time::format_date(qx_core::time::today()));
    let id =
        qx_app::cultivation_list::stage_list(&store, &actor, p.id, stage.id, &date, &bytes, &name)
            .await
            .map_err(refused)?;
    let import = store.cultivation_import(&actor, id).await?;
    let (mut matched, mut choose, mut bad) = (0, 0, 0);
    for r in &import.rows {
        match &r.matched {
            RowMatch::ByCode { .. } | RowMatch::ByName { .. } | RowMatch::Household => matched += 1,
            RowMatch::Choose { proposals, problem } => {
                choose += 1;
                let names: Vec<String> = proposals
                    .iter()
                    .map(|c| format!("{} {} ({}%)", c.name, c.credit_code, c.score))
                    .collect();
                println!("{problem}: {}", names.join("; "));
            }
            RowMatch::Unmatched { problem } => {
                bad += 1;
                println!("{problem}");
            }
        }
        for n in &r.notes {
            println!("{n}");
        }
    }
    println!(
        "{name}: 「{}」{}, 已匹配 {matched}, 待选择 {choose}, 无法匹配 {bad}",
        p.name, stage.name
    );
    if !args.confirm {
        println!("待确认: 在 /cultivation/imports/{id} 核对后确认导入, 或加 --confirm");
        return Ok(ExitCode::SUCCESS);
    }
    let done = store
        .apply_cultivation_import(&actor, id, &HashMap::new())
        .await?;
    for s in &done.skipped {
        println!("{s}");
    }
    println!(
        "已导入: 新入库 {}, 晋级 {}, 重新入库 {}, 未变动 {}",
        done.entered,
        done.advanced,
        done.reentered,
        done.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let bytes =
        qx_app::cultivation_export::workbook(&store, &Actor::system(), args.pipeline.as_deref())
            .await?;
    std::fs::write(&args.out, bytes).with_context(|| format!("无法写入 {}", args.out.display()))?;
    println!("{}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
