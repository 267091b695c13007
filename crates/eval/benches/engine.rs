//! Criterion benchmarks of the engine alone (no file I/O), on seeded generated columns.
//!
//! `cargo bench -p qx-eval --bench engine`

use criterion::{Criterion, criterion_group, criterion_main};
use qx_eval::{CheckOptions, Scheme, check, evaluate, generate};
use std::hint::black_box;

fn engine(c: &mut Criterion) {
    let scheme = Scheme::default();
    for rows in [10_000usize, 200_000] {
        let table = generate::facts_table(rows, 1);
        let mut group = c.benchmark_group(format!("{rows} rows"));
        group.sample_size(20);
        group.bench_function("check", |b| {
            b.iter(|| check(black_box(&table), &scheme, CheckOptions::default()))
        });
        group.bench_function("evaluate", |b| {
            b.iter(|| evaluate(black_box(&table), &scheme))
        });
        group.finish();
    }
    // Grouping by town multiplies the groups (2 scales × 18 towns).
    let by_town = Scheme::parse(
        &qx_eval::scheme::DEFAULT_SCHEME_TOML
            .replace("by = [\"scale\"]", "by = [\"scale\", \"town\"]"),
    )
    .expect("scheme");
    let table = generate::facts_table(200_000, 1);
    c.bench_function("200000 rows/evaluate by town", |b| {
        b.iter(|| evaluate(black_box(&table), &by_town))
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);
