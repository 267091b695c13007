//! `qx enterprise …`: the 企业名录, yearly facts and the 亩均效益综合评价 of a stored data year
//! from the command line, acting as the system (office) account; every write is audited.
//!
//! `qx bench enterprise-import` times the registry import at scale on a fresh database.

use crate::cmd_system::DbArgs;
use crate::progress;
use anyhow::{Context, bail};
use qx_app::AppError;
use qx_app::{enterprise_import, evaluation as ev};
use qx_core::access::Actor;
use qx_core::units::UnitKind;
use qx_store::evaluation::ResultFilter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// registry (企业名录) or facts (年度数据 of one data year)
    #[arg(long, value_parser = ["registry", "facts"])]
    pub kind: String,
    /// The data year of a facts file (数据年度), e.g. 2016
    #[arg(long)]
    pub year: Option<i64>,
    /// Excel (.xlsx) or CSV (UTF-8 or GBK) with a header row
    pub file: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The data year to evaluate (its facts must be imported)
    #[arg(long)]
    pub year: i64,
    /// Start the 公示 (publicity) of the new run from this date (YYYY-MM-DD; needs --publicity-to)
    #[arg(long, requires = "publicity_to")]
    pub publicity_from: Option<String>,
    /// Last day of the 公示 (YYYY-MM-DD)
    #[arg(long, requires = "publicity_from")]
    pub publicity_to: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The latest run of this data year …
    #[arg(long, required_unless_present = "run", conflicts_with = "run")]
    pub year: Option<i64>,
    /// … or this run id
    #[arg(long)]
    pub run: Option<i64>,
    /// Workbook to write (.xlsx): results, aggregates, low-efficiency list, class changes, policies
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct BenchImportArgs {
    /// Registry rows to generate and import
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// An empty database to import into (default: a fresh SQLite file in a temporary folder)
    #[arg(long)]
    pub database: Option<String>,
}

/// Prints row-level problems (each naming the file, row and column) and fails.
pub(crate) fn report(file: &Path, e: AppError) -> anyhow::Error {
    let name = file.display().to_string();
    match e {
        AppError::Rows(rows) => {
            for r in &rows {
                if r.starts_with(&name) || r.contains(".csv:") || r.contains(".xlsx:") {
                    eprintln!("{r}");
                } else {
                    eprintln!("{name}: {r}");
                }
            }
            anyhow::anyhow!(
                "{name}: {} 处错误, 未写入任何数据 ({} problems; nothing was written)",
                rows.len(),
                rows.len()
            )
        }
        other => {
            // The reader's messages often name the file already ("名录.xlsx: …"): say it once.
            let message = other.to_string();
            let base = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match message.strip_prefix(&format!("{base}: ")) {
                Some(rest) if !base.is_empty() => anyhow::anyhow!("{name}: {rest}"),
                _ => anyhow::anyhow!("{name}: {message}"),
            }
        }
    }
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let year = match (args.kind.as_str(), args.year) {
        ("facts", None) => bail!("导入年度数据需要 --year (facts need --year)"),
        ("registry", Some(_)) => {
            bail!("企业名录不分年度, 不要给 --year (the registry has no year)")
        }
        (_, y) => y,
    };
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    let t = Instant::now();
    let what = match year {
        Some(year) => format!("导入 {name} 的{year}年度数据 (importing facts)"),
        None => format!("导入企业名录 {name} (importing the registry)"),
    };
    let bar = progress::steps(&what);
    // The same stages the web's progress page shows, on the spinner.
    let at_stage = |stage: enterprise_import::ImportStage, rows: usize| {
        bar.set_message(progress::stage_message(&what, stage, rows));
    };
    let summary = match year {
        Some(year) => {
            enterprise_import::import_facts_with(&store, &actor, year, &bytes, &name, &at_stage)
                .await
        }
        None => {
            enterprise_import::import_registry_with(&store, &actor, &bytes, &name, &at_stage).await
        }
    };
    bar.finish_and_clear();
    let summary = summary.map_err(|e| report(&args.file, e))?;
    let elapsed = t.elapsed();
    eprintln!(
        "已导入 {name}: 新增 {} 家, 更新 {} 家, 用时 {elapsed:.2?}, {} (imported: {} created, {} updated)",
        summary.created,
        summary.updated,
        progress::rate(summary.created + summary.updated, elapsed, "家"),
        summary.created,
        summary.updated
    );
    Ok(ExitCode::SUCCESS)
}

fn app(e: AppError) -> anyhow::Error {
    match e {
        AppError::Rows(rows) => {
            for r in &rows {
                eprintln!("{r}");
            }
            anyhow::anyhow!("{} 处错误 ({} problems)", rows.len(), rows.len())
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn iso_date(s: &str) -> anyhow::Result<String> {
    let ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok {
        bail!("日期 \"{s}\" 格式应为 YYYY-MM-DD (date must be YYYY-MM-DD)");
    }
    Ok(s.to_string())
}

pub async fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let publicity = match (&args.publicity_from, &args.publicity_to) {
        (Some(f), Some(t)) => Some((iso_date(f)?, iso_date(t)?)),
        _ => None,
    };
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    let bar = progress::steps(&format!(
        "{}年度亩均效益评价: 读取、评分、保存 (evaluating)",
        args.year
    ));
    let s = ev::run_year(&store, &actor, args.year).await;
    bar.finish_and_clear();
    let s = s.map_err(app)?;
    for w in &s.warnings {
        eprintln!("注意: {w}");
    }
    let classes: Vec<String> = s.classes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    eprintln!(
        "{}年度评价完成: 评价 {} 编号 {}, {} 家企业 ({}); 读取 {:.2?}, 评分 {:.2?}, 保存 {:.2?}, {}",
        args.year,
        s.run_id,
        s.run_id,
        s.enterprises,
        classes.join(", "),
        s.load,
        s.evaluate,
        s.save,
        progress::rate(s.enterprises, s.load + s.evaluate + s.save, "家")
    );
    if let Some((from, to)) = publicity {
        store
            .start_publicity(&actor, s.run_id, &from, &to)
            .await
            .context("无法开始公示")?;
        eprintln!("已开始公示 {from} 至 {to} (publicity started)");
    }
    println!("{}", s.run_id);
    Ok(ExitCode::SUCCESS)
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open_migrated().await?;
    let actor = Actor::system();
    let run = match (args.run, args.year) {
        (Some(id), _) => store.get_run(&actor, id).await?,
        (None, Some(year)) => store.latest_run(&actor, year).await?.with_context(|| {
            format!("{year}年度尚未评价, 请先运行 qx enterprise eval (no evaluation of {year})")
        })?,
        (None, None) => bail!("需要 --year 或 --run"),
    };
    let bytes = ev::export_run(&store, &actor, run.id, &ResultFilter::default())
        .await
        .map_err(app)?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("无法写入 {}", args.out.display()))?;
    eprintln!(
        "已导出 {}年度评价 {} 至 {} ({} 家企业)",
        run.year,
        run.id,
        args.out.display(),
        run.enterprises
    );
    Ok(ExitCode::SUCCESS)
}

/// A generated registry CSV: valid credit codes, Chinese headers, a tag on every tenth row.
pub fn registry_csv(rows: usize, towns: &[String]) -> String {
    let mut s = String::with_capacity(rows * 120);
    s.push_str(
        "统一社会信用代码,企业名称,镇乡(街道),行业代码,规模,用地面积(亩),企服联系人,培育标签\n",
    );
    for i in 0..rows {
        let code = qx_eval::generate::credit_code(7, i as u64);
        let town = if towns.is_empty() {
            ""
        } else {
            &towns[i % towns.len()]
        };
        let scale = if i % 3 == 0 { "规上" } else { "规下" };
        let tag = if i % 10 == 0 {
            "高新技术企业"
        } else {
            ""
        };
        s.push_str(&format!(
            "{code},测试企业{i}有限公司,{town},{},{scale},{}.5,联系人{},{tag}\n",
            3411 + (i % 7) * 10,
            3 + i % 90,
            i % 50
        ));
    }
    s
}

pub async fn bench_import(args: BenchImportArgs) -> anyhow::Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("qx-bench-import-{}", std::process::id()));
    let result = bench_import_in(&args, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn bench_import_in(args: &BenchImportArgs, dir: &Path) -> anyhow::Result<ExitCode> {
    let url = match &args.database {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(dir)?;
            format!("sqlite://{}?mode=rwc", dir.join("qx.db").display())
        }
    };
    let store = qx_store::Store::connect(&url)
        .await
        .context("无法打开数据库")?;
    store.migrate().await?;
    if store.list_units().await?.is_empty() {
        qx_demo::registry::seed_registry(&store).await?;
    }
    let towns: Vec<String> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| u.name)
        .collect();
    let csv = registry_csv(args.rows, &towns);
    let actor = Actor::system();
    let mut times: Vec<(&str, Duration, usize, usize)> = Vec::new();
    for what in ["create", "update"] {
        let t = Instant::now();
        let s = enterprise_import::import_registry(&store, &actor, csv.as_bytes(), "bench.csv")
            .await
            .map_err(app)?;
        times.push((what, t.elapsed(), s.created, s.updated));
    }
    let engine = match store.engine() {
        qx_store::Engine::Sqlite => "SQLite",
        qx_store::Engine::Postgres => "PostgreSQL",
    };
    println!(
        "qx bench enterprise-import: {} rows on {engine} ({:.1} MB CSV)",
        args.rows,
        csv.len() as f64 / 1e6
    );
    for (what, d, c, u) in times {
        println!(
            "  {what:<7} {:>8.3} s   {:>9.0} rows/s   ({c} created, {u} updated)",
            d.as_secs_f64(),
            args.rows as f64 / d.as_secs_f64()
        );
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
