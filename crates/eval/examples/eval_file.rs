//! The `qx eval` pipeline without the CLI around it, with a timing per phase: for profiling the
//! engine (`perf record`) without building the whole workspace.
//!
//! `cargo run --release -p qx-eval --example eval_file -- FACTS.csv RESULTS.csv [ROWS_TO_GENERATE]`

use qx_eval::{CheckOptions, Checker, Scheme, csv_io, evaluate_owned, generate};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, out) = (
        args.get(1).ok_or("FACTS.csv")?,
        args.get(2).ok_or("RESULTS.csv")?,
    );
    if let Some(rows) = args.get(3) {
        let rows: usize = rows.parse()?;
        csv_io::write_atomically(std::path::Path::new(input), |w| {
            generate::write_facts_csv(w, rows, 1)
        })?;
    }
    let scheme = Scheme::default();
    // As `qx eval` does.
    qx_eval::reuse_freed_memory();
    let t = Instant::now();
    let facts = csv_io::read_facts_limited(std::path::Path::new(input), &scheme, &|_| {}, 50)?;
    let read = t.elapsed();
    let t = Instant::now();
    // As `qx eval` does: the checker's rules, then scoring over the input's own columns.
    let v = Checker::new(&facts.table, &scheme, CheckOptions::default()).validate(50);
    let checked = t.elapsed();
    let t = Instant::now();
    let (results, uscc, scale) = evaluate_owned(facts.table, &scheme);
    let evaluated = t.elapsed();
    let t = Instant::now();
    // As `qx eval` does: the columns are freed while the file is renamed into place.
    csv_io::write_atomically_and_release(std::path::Path::new(out), |w| {
        csv_io::write_results(w, &uscc, &scale, &results, &scheme, &|_| {})?;
        Ok((results, uscc, scale))
    })?;
    let written = t.elapsed();
    eprintln!(
        "read {read:.3?}  check {checked:.3?} ({} issues)  evaluate {evaluated:.3?}  write {written:.3?}",
        v.total_issues
    );
    // QX_EVAL_PHASES=1: the engine's own phases, as `qx eval` prints them.
    for (name, d) in qx_eval::phases::take() {
        eprintln!("phase\t{name}\t{:.6}", d.as_secs_f64());
    }
    Ok(())
}
