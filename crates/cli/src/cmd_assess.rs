//! `qx assess run` and `qx assess export`: 考核评价 from the command line. A run scores a year or
//! a quarter under the year's latest schemes (or the schemes of `--scheme FILE`, a JSON array
//! of schemes saved first as new versions), prints each class's ranking and writes the
//! workbook of every item's score and the 考核结果通报 (.docx); export writes both for a run.

use crate::cmd_system::DbArgs;
use anyhow::{Context, bail};
use qx_core::access::Actor;
use qx_core::assessment::Scheme;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The year (e.g. 2017)
    #[arg(long)]
    pub year: i32,
    /// A quarter of that year (e.g. 2017Q3); the whole year without it
    #[arg(long)]
    pub quarter: Option<String>,
    /// Schemes as JSON (one scheme or an array), saved as new versions before scoring
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Directory for 考核初步结果-<period>.xlsx and .docx
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The run's id (as `qx assess run` printed it)
    #[arg(long)]
    pub run: i64,
    /// The file to write: .xlsx (every item's score) or .docx (the 考核结果通报)
    #[arg(long)]
    pub out: PathBuf,
}

fn schemes_from(path: &PathBuf) -> anyhow::Result<Vec<Scheme>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("读取 {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} 不是有效的 JSON", path.display()))?;
    let items = match value {
        serde_json::Value::Array(a) => a,
        one => vec![one],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(n, v)| {
            Scheme::from_json(&v.to_string())
                .map_err(|e| anyhow::anyhow!("{} 第{}个方案: {e}", path.display(), n + 1))
        })
        .collect()
}

pub async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let period_text = args
        .quarter
        .clone()
        .unwrap_or_else(|| args.year.to_string());
    let period =
        qx_app::assessment::parse_run_period(&period_text).map_err(|e| anyhow::anyhow!("{e}"))?;
    if period.year() != args.year {
        bail!("--quarter {period_text} 不在 --year {} 内", args.year);
    }
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    if let Some(path) = &args.scheme {
        for s in schemes_from(path)? {
            if s.year != args.year {
                bail!("方案「{}」的年度是 {}, 不是 {}", s.name, s.year, args.year);
            }
            store.save_assessment_scheme(&actor, &s).await?;
        }
    }
    let plan = store
        .published_plan(i64::from(args.year))
        .await?
        .with_context(|| format!("{} 年没有已发布的工作方案", args.year))?;
    let run_id = qx_app::assessment::run(&store, &actor, plan.id, period)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ranking = store.assessment_ranking(&actor, run_id).await?;
    let mut scheme = None;
    for r in &ranking {
        if scheme != Some(r.scheme_id) {
            let v = store.assessment_scheme(r.scheme_id).await?;
            println!("\n{} (第{}版)", v.name, v.version);
            scheme = Some(r.scheme_id);
        }
        let (Some(place), Some(score)) = (r.place, r.score) else {
            continue;
        };
        let change = match r.change() {
            Some(c) if c > 0 => format!("↑{c}"),
            Some(c) if c < 0 => format!("↓{}", -c),
            _ => String::new(),
        };
        let veto = r
            .vetoed
            .as_deref()
            .map(|v| format!(" 一票否决: {v}"))
            .unwrap_or_default();
        println!(
            "{place:>3}  {:<16} {score:>6.1} {change}{veto}",
            r.unit_name
        );
    }
    eprintln!("考核 {run_id} ({period}) 已保存为初步结果");
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)?;
        let xlsx = qx_app::assessment::export::xlsx(&store, &actor, run_id);
        let docx = qx_app::assessment::export::docx(&store, &actor, run_id);
        for file in [xlsx.await, docx.await] {
            let file = file.map_err(|e| anyhow::anyhow!("{e}"))?;
            let path = dir.join(&file.name);
            std::fs::write(&path, file.bytes)?;
            eprintln!("已写入 {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    let file = match args.out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("docx") => {
            qx_app::assessment::export::docx(&store, &actor, args.run).await
        }
        Some(e) if e.eq_ignore_ascii_case("xlsx") => {
            qx_app::assessment::export::xlsx(&store, &actor, args.run).await
        }
        _ => bail!("--out {} 应以 .xlsx 或 .docx 结尾", args.out.display()),
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&args.out, file.bytes)?;
    eprintln!("已写入 {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
