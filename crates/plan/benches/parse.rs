//! Parse speed: the seed plan (budget 2 ms), a generated 1 MB plan (budget 100 ms), and task
//! tables printed to PDF against the web pages they were printed from.
//!
//! The 1 MB plan repeats the seed's task section with varied numbers, units and
//! numbering, seeded so every run measures the same document.

use criterion::{Criterion, criterion_group, criterion_main};
use qx_plan::{UnitDirectory, parse_bytes};
use std::hint::black_box;
use std::path::PathBuf;

mod generate;
use generate::generated_plan;

fn directory() -> UnitDirectory {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xiangshan-units.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    UnitDirectory::from_entries(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (name, aliases) = l.split_once('\t')?;
                Some((
                    name.to_owned(),
                    aliases.split('|').map(str::to_owned).collect::<Vec<_>>(),
                ))
            }),
    )
}

fn seed() -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../../../shared/seed/xiangshan-2017-plan.txt"),
        PathBuf::from("/work/shared/seed/xiangshan-2017-plan.txt"),
    ]
    .iter()
    .find_map(|p| std::fs::read(p).ok())
    .unwrap_or_else(|| {
        std::fs::read(root.join("tests/fixtures/fullwidth-lead-support.txt")).unwrap_or_default()
    })
}

fn bench(c: &mut Criterion) {
    let dir = directory();
    let seed = seed();
    c.bench_function("parse seed plan (24 KB)", |b| {
        b.iter(|| parse_bytes(black_box(&seed), "seed.txt", &dir).map(|p| p.items.len()))
    });
    let big = generated_plan(1024 * 1024);
    c.bench_function("parse generated 1 MB plan", |b| {
        b.iter(|| parse_bytes(black_box(&big), "big.txt", &dir).map(|p| p.items.len()))
    });
    // Task tables printed to PDF, with and without rules, each beside the web page it was
    // printed from: the PDF's cost is read as a ratio to the page's.
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in ["ruled-table-pages", "unruled-table-overleaf"] {
        for file in [format!("{name}.pdf"), format!("{name}.source.html")] {
            let Ok(bytes) = std::fs::read(fixtures.join(&file)) else {
                continue;
            };
            c.bench_function(&format!("parse {file} (24 rows)"), |b| {
                b.iter(|| parse_bytes(black_box(&bytes), &file, &dir).map(|p| p.items.len()))
            });
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
