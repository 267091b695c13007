//! `qx eval` and `qx bench eval`: the 亩均 evaluation over files (shared/contracts/eval.md), and
//! its benchmark against DuckDB running the same scheme as SQL.

use crate::progress;
use anyhow::{Context, bail};
use qx_eval::bench_support::{self, Measured};
use qx_eval::{CheckOptions, Checker, Scheme, csv_io, evaluate_owned, generate, phases};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// How many row errors are printed before the summary.
const SHOWN_ERRORS: usize = 50;

#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// FACTS.csv: one enterprise-year per row, UTF-8, header first
    #[arg(long)]
    pub input: PathBuf,
    /// RESULTS.csv to write; it is only created when the whole run succeeds
    #[arg(long)]
    pub out: PathBuf,
    /// Scheme TOML (default: the built-in 黄岩 2022 scheme, crates/eval/schemes/default.toml)
    #[arg(long)]
    pub scheme: Option<PathBuf>,
    /// Evaluate the valid rows and write the bad ones to <OUT>.errors.csv (e.g. results.errors.csv)
    #[arg(long)]
    pub skip_invalid: bool,
    /// Do not verify the 统一社会信用代码 check character (for placeholder keys)
    #[arg(long)]
    pub no_uscc_check: bool,
}

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Rows of generated facts
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Seed of the data generator (same seed, same file)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Timed runs of each side; the median is reported
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Directory for facts.csv and both results (default: a temporary one, removed afterwards)
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Another qx binary (e.g. a build of the previous commit) to time on the same file in the
    /// same run, as the "before" row; its RESULTS.csv must be byte-identical
    #[arg(long)]
    pub baseline: Option<PathBuf>,
}

/// The side file of `--skip-invalid`: `results.csv` → `results.errors.csv`.
pub fn errors_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.errors.csv"))
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    // A run frees big columns just before it needs as many again: let them be reused.
    qx_eval::reuse_freed_memory();
    let scheme = match &args.scheme {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!(
                    "无法读取评价方案 {} (cannot read the scheme)",
                    path.display()
                )
            })?;
            Scheme::parse(&text).with_context(|| format!("评价方案 {}", path.display()))?
        }
        None => Scheme::default(),
    };
    let size = std::fs::metadata(&args.input)
        .with_context(|| format!("无法读取 {} (cannot read the input)", args.input.display()))?
        .len();

    // Only the first SHOWN_ERRORS problems are kept (the rest are counted), so memory does not
    // grow with the number of bad rows; the --skip-invalid side file is streamed from a second
    // read of the input instead of from kept messages.
    let bar = progress::bytes(size, "读取");
    let started = Instant::now();
    let facts =
        csv_io::read_facts_limited(&args.input, &scheme, &|n| bar.set_position(n), SHOWN_ERRORS)
            .with_context(|| format!("{}", args.input.display()))?;
    phases::record("read (total)", started);
    let phase = Instant::now();
    bar.set_message("校验");
    let opts = CheckOptions {
        check_uscc: !args.no_uscc_check,
    };
    let csv_io::FactsFile {
        table,
        lines,
        issues,
        issue_count,
        rejected_rows,
        header,
    } = facts;
    let checker = Checker::new(&table, &scheme, opts);
    let validation = checker.validate(SHOWN_ERRORS);
    if !validation.missing_columns.is_empty() {
        bail!(
            "缺少必需的列: {} (missing required columns)",
            validation.missing_columns.join(", ")
        );
    }
    phases::record("check (total)", phase);
    let total_problems = issue_count + validation.total_issues as u64;
    let line_of = |row: usize| lines.get(row).copied().unwrap_or(0);

    if total_problems > 0 && !args.skip_invalid {
        // The first problems by line: unreadable cells found by the reader, then rule
        // violations (each list holds at most SHOWN_ERRORS).
        let mut problems: Vec<(u64, String)> = issues
            .iter()
            .map(|i| (i.line, i.render()))
            .chain(
                validation
                    .issues
                    .iter()
                    .map(|i| (line_of(i.row), i.render(line_of))),
            )
            .collect();
        problems.sort_by_key(|p| p.0);
        bar.finish_and_clear();
        for (_, msg) in problems.iter().take(SHOWN_ERRORS) {
            eprintln!("{msg}");
        }
        let shown = problems.len().min(SHOWN_ERRORS) as u64;
        if total_problems > shown {
            eprintln!(
                "…… 另有 {} 处错误未列出 (and {} more)",
                total_problems - shown,
                total_problems - shown
            );
        }
        bail!(
            "输入数据有 {n} 处错误, 未写出 {out}; 改正后重试, 或用 --skip-invalid 跳过错误行 \
             ({n} problems in the input; {out} was not written)",
            n = total_problems,
            out = args.out.display()
        );
    }
    if args.skip_invalid {
        let path = errors_path(&args.out);
        let row_messages = |row: usize, out: &mut Vec<String>| {
            let mut found = Vec::new();
            checker.row_issues(row, &mut found);
            out.extend(found.iter().map(|i| i.render(line_of)));
        };
        csv_io::write_atomically(&path, |w| {
            csv_io::write_rejected(
                w,
                &args.input,
                &scheme,
                &header,
                &lines,
                &validation.bad_rows,
                &row_messages,
            )
            .map(drop)
        })
        .with_context(|| format!("无法写出 {} (cannot write the error rows)", path.display()))?;
        let bad_lines = rejected_rows + validation.bad_rows.len() as u64;
        if bad_lines > 0 {
            bar.suspend(|| {
                eprintln!(
                    "已跳过 {bad_lines} 行有误的数据, 详见 {} (skipped {bad_lines} bad rows)",
                    path.display()
                )
            });
        }
    }
    drop(checker);
    drop(lines);
    let table = if validation.bad_rows.is_empty() {
        table
    } else {
        let mut keep = vec![true; table.len()];
        for &row in &validation.bad_rows {
            keep[row as usize] = false;
        }
        table.filter(&keep)
    };
    if table.is_empty() {
        bail!("没有可评价的数据行 (no valid rows to evaluate)");
    }

    bar.set_message("评分");
    let phase = Instant::now();
    // Only the keys are needed after scoring: the scores are written over the input columns.
    let (results, uscc, scale) = evaluate_owned(table, &scheme);
    phases::record("evaluate (total)", phase);
    for w in results.warnings() {
        bar.suspend(|| eprintln!("注意: {w}"));
    }

    bar.finish_and_clear();
    let bar = progress::rows(results.len() as u64, "写出");
    let phase = Instant::now();
    // About a hundred MB of columns, and every buffer the run freed before, handed back to the
    // kernel by an idle thread while this one renames RESULTS.csv into place, instead of by
    // the process's exit after it.
    csv_io::write_atomically_and_release(&args.out, |w| {
        csv_io::write_results(w, &uscc, &scale, &results, &scheme, &|n| {
            bar.set_position(n)
        })?;
        Ok((results, uscc, scale))
    })
    .with_context(|| format!("无法写出 {} (cannot write the results)", args.out.display()))?;
    bar.finish_and_clear();
    phases::record("write (total)", phase);
    phases::record("qx eval (until exit)", started);
    // QX_EVAL_PHASES=1: where the time went, one line per phase (read by `qx bench eval`).
    for (name, d) in phases::take() {
        eprintln!("phase\t{name}\t{:.6}", d.as_secs_f64());
    }
    Ok(ExitCode::SUCCESS)
}

/// The `phase\tNAME\tSECONDS` lines of a `qx eval` run's stderr, in order.
fn parse_phases(stderr: &[u8]) -> Vec<(String, f64)> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            (f.next()? == "phase").then_some(())?;
            let name = f.next()?.to_owned();
            let secs = f.next()?.parse().ok()?;
            Some((name, secs))
        })
        .collect()
}

/// Times `runs` runs of `exe eval` on `facts`, with the phase lines turned on.
struct QxRuns {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
    /// Median seconds per phase, in the order of the first run.
    phases: Vec<(String, f64)>,
}

fn time_qx(
    exe: &Path,
    facts: &Path,
    out: &Path,
    runs: usize,
    label: &str,
) -> anyhow::Result<QxRuns> {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    let mut rss = 0;
    let mut per_run: Vec<Vec<(String, f64)>> = Vec::new();
    for i in 0..runs {
        eprintln!("{label}, run {}/{runs} …", i + 1);
        let m = bench_support::run_measured(
            Command::new(exe)
                .arg("eval")
                .arg("--input")
                .arg(facts)
                .arg("--out")
                .arg(out)
                .env(phases::ENV, "1"),
        )?;
        check_status(label, &m)?;
        walls.push(m.wall);
        cpus.push(m.cpu);
        rss = rss.max(m.max_rss_kib);
        per_run.push(parse_phases(&m.stderr));
    }
    let phases = per_run
        .first()
        .map(|first| {
            first
                .iter()
                .map(|(name, _)| {
                    let mut v: Vec<f64> = per_run
                        .iter()
                        .filter_map(|r| r.iter().find(|(n, _)| n == name).map(|p| p.1))
                        .collect();
                    v.sort_by(f64::total_cmp);
                    (name.clone(), v.get(v.len() / 2).copied().unwrap_or(0.0))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(QxRuns {
        wall: median(walls),
        cpu: median(cpus),
        rss_kib: rss,
        phases,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn check_status(what: &str, m: &Measured) -> anyhow::Result<()> {
    if !m.status.success() {
        bail!(
            "{what} 运行失败 ({what} failed, {}):\n{}",
            m.status,
            String::from_utf8_lossy(&m.stderr)
        );
    }
    Ok(())
}

pub fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let runs = args.runs.max(1);
    let (dir, temporary) = match &args.dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("qx-bench-eval-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    let result = bench_in(&args, runs, &dir);
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn bench_in(args: &BenchArgs, runs: usize, dir: &Path) -> anyhow::Result<ExitCode> {
    let facts = dir.join("facts.csv");
    let qx_out = dir.join("results_qx.csv");
    let duck_out = dir.join("results_duckdb.csv");

    let started = Instant::now();
    eprintln!(
        "生成 {} 行数据 (generating {} rows, seed {}) …",
        args.rows, args.rows, args.seed
    );
    csv_io::write_atomically(&facts, |w| {
        generate::write_facts_csv(w, args.rows, args.seed)
    })
    .with_context(|| format!("{}", facts.display()))?;
    let size = std::fs::metadata(&facts)?.len();
    eprintln!("  {:.1} MB in {:.2?}", size as f64 / 1e6, started.elapsed());

    let exe = std::env::current_exe().context("cannot locate the qx binary")?;
    let qx = time_qx(&exe, &facts, &qx_out, runs, "qx eval")?;
    let baseline = match &args.baseline {
        Some(path) => {
            let out = dir.join("results_baseline.csv");
            let b = time_qx(path, &facts, &out, runs, "baseline qx eval")?;
            Some((path, b, out))
        }
        None => None,
    };
    let qx_wall = qx.wall;
    let qx_cpu = qx.cpu;
    let qx_rss = qx.rss_kib;

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load_start = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "qx bench eval: {} rows (seed {}), facts.csv {:.1} MB, {threads} CPUs, median of {runs} runs",
        args.rows,
        args.seed,
        size as f64 / 1e6
    );
    if let Some((path, b, _)) = &baseline {
        println!(
            "  before: {:<18} wall {:>8.3} s   cpu {:>7.3} s   peak RSS {:>7.1} MiB",
            path.display(),
            b.wall.as_secs_f64(),
            b.cpu.as_secs_f64(),
            mib(b.rss_kib)
        );
    }
    println!(
        "  qx eval                   wall {:>8.3} s   cpu {:>7.3} s   peak RSS {:>7.1} MiB",
        qx.wall.as_secs_f64(),
        qx.cpu.as_secs_f64(),
        mib(qx.rss_kib)
    );
    if let Some((_, b, out)) = &baseline {
        let (a, bb) = (std::fs::read(&qx_out)?, std::fs::read(out)?);
        println!(
            "  after/before: wall {:.2}×, cpu {:.2}×; RESULTS.csv sha256 {} (after) {} (before): {}",
            qx.wall.as_secs_f64() / b.wall.as_secs_f64(),
            qx.cpu.as_secs_f64() / b.cpu.as_secs_f64(),
            bench_support::sha256_hex(&a),
            bench_support::sha256_hex(&bb),
            if a == bb { "identical" } else { "DIFFERENT" }
        );
        if a != bb {
            bail!("the baseline's RESULTS.csv differs from this build's");
        }
    }
    if !qx.phases.is_empty() {
        println!("  where the time goes (qx eval, median wall per phase; share of the run):");
        let whole = qx
            .phases
            .iter()
            .find(|(n, _)| n == "qx eval (until exit)")
            .map_or(qx.wall.as_secs_f64(), |p| p.1);
        for (name, secs) in &qx.phases {
            println!(
                "    {name:<34} {:>8.3} s  {:>5.1}%",
                secs,
                100.0 * secs / whole.max(1e-9)
            );
        }
    }
    if let Some(l) = load_start.split_whitespace().next() {
        println!("  load average after the qx runs: {l}");
    }

    let Some(version) = bench_support::duckdb_version() else {
        println!(
            "  DuckDB: not available (python3 cannot import duckdb). Install it with \
             `pip install duckdb` and run again to get the comparison."
        );
        return Ok(ExitCode::SUCCESS);
    };
    let sql = dir.join("duckdb_eval.sql");
    let runner = dir.join("duckdb_eval.py");
    std::fs::write(&sql, bench_support::DUCKDB_SQL)?;
    std::fs::write(&runner, bench_support::DUCKDB_RUNNER)?;
    let mut duck_walls = Vec::new();
    let mut duck_cpu = Vec::new();
    let mut duck_query = Vec::new();
    let mut duck_rss = 0;
    for i in 0..runs {
        eprintln!("DuckDB {version}, run {}/{runs} …", i + 1);
        let m = bench_support::run_measured(
            Command::new("python3")
                .arg(&runner)
                .arg(&sql)
                .arg(&facts)
                .arg(&duck_out),
        )?;
        check_status("DuckDB", &m)?;
        duck_walls.push(m.wall);
        duck_cpu.push(m.cpu);
        let secs: f64 = String::from_utf8_lossy(&m.stdout)
            .trim()
            .parse()
            .context("the DuckDB runner printed no timing")?;
        duck_query.push(Duration::from_secs_f64(secs));
        duck_rss = duck_rss.max(m.max_rss_kib);
    }
    let duck_wall = median(duck_walls);
    let duck_query = median(duck_query);
    let duck_cpu = median(duck_cpu);
    println!(
        "  DuckDB {version:<10} process wall {:>8.3} s   cpu {:>7.3} s   peak RSS {:>7.1} MiB",
        duck_wall.as_secs_f64(),
        duck_cpu.as_secs_f64(),
        mib(duck_rss)
    );
    println!(
        "  DuckDB {version:<10} query   wall {:>8.3} s   (inside Python, excluding interpreter start-up)",
        duck_query.as_secs_f64()
    );
    let ratio = duck_query.as_secs_f64() / qx_wall.as_secs_f64();
    println!(
        "  speed-up: {ratio:.2}× against the DuckDB query alone ({:.2}× against its process); target ≥ 5×: {}",
        duck_wall.as_secs_f64() / qx_wall.as_secs_f64(),
        if ratio >= 5.0 { "met" } else { "NOT met" }
    );
    println!(
        "  CPU time ratio (DuckDB process / qx): {:.2}× (less sensitive to other load on the machine)",
        duck_cpu.as_secs_f64() / qx_cpu.as_secs_f64()
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    if let Some(l) = load.split_whitespace().next() {
        println!(
            "  load average at the end: {l} (on {threads} CPUs; wall times are only comparable on an idle machine)"
        );
    }
    println!(
        "  peak memory target ≤ 300 MiB: {}",
        if mib(qx_rss) <= 300.0 {
            "met"
        } else {
            "NOT met"
        }
    );

    let cmp = bench_support::compare_results(&qx_out, &duck_out)?;
    println!(
        "  outputs: {} vs {} rows; rank/class differences {}; score (2 dp) differences {} ({} beyond a rounding tie); item cells differing {}",
        cmp.rows,
        cmp.rows_other,
        cmp.rank_or_class_mismatches,
        cmp.score_mismatches,
        cmp.score_mismatches_beyond_rounding,
        cmp.item_mismatches
    );
    for e in &cmp.examples {
        println!("{e}");
    }
    if cmp.agrees() {
        println!("  outputs agree");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("  outputs DISAGREE");
        Ok(ExitCode::FAILURE)
    }
}
