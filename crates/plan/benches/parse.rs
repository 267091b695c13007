//! Parse speed: the seed plan (budget 2 ms) and a generated 1 MB plan (budget 100 ms).
//!
//! The 1 MB plan repeats the seed's task section with varied numbers, units and
//! numbering, seeded so every run measures the same document.

use criterion::{Criterion, criterion_group, criterion_main};
use qx_plan::{UnitDirectory, parse_bytes};
use std::hint::black_box;
use std::path::PathBuf;

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

/// A plan of at least `bytes` bytes: a goal section, then task sections numbered on and on.
fn generated_plan(bytes: usize) -> Vec<u8> {
    const CN: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let units = [
        "县经信局",
        "县科技局",
        "县财政局、县发改局",
        "县招商局、县委组织部",
        "各镇乡街道",
        "县市场监管局",
    ];
    let goods = ["家", "个", "项", "亿元", "万平方米", "%", "名"];
    let mut out = String::from("象山县工业强县2018年工作推进方案\n\n一、工作目标\n");
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for k in 1..=8 {
        out.push_str(&format!(
            "  （{}）实现规上工业产值同比增长{}%；新增规上企业{}家，亿元以上项目{}个。\n",
            CN[k % 10],
            next() % 20,
            next() % 100,
            next() % 50
        ));
    }
    let mut section = 1;
    let mut task = 1;
    while out.len() < bytes {
        section += 1;
        out.push_str(&format!(
            "{}、工作任务第{}部分\n",
            CN[section % 10],
            section
        ));
        for sub in 1..=5 {
            out.push_str(&format!("（{}）推进第{}项重点工作\n", CN[sub % 10], sub));
            for _ in 0..4 {
                out.push_str(&format!("  {task}．加快项目建设，提升发展水平。\n"));
                task += 1;
                for m in 1..=4 {
                    out.push_str(&format!(
                        "  （{m}）落实具体措施。全年完成投资{}{}，培育企业{}家以上，力争达到{}—{}个。（责任单位：{}）\n",
                        next() % 1000,
                        goods[next() % goods.len()],
                        next() % 90,
                        next() % 10,
                        10 + next() % 10,
                        units[next() % units.len()]
                    ));
                }
            }
        }
    }
    out.into_bytes()
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
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
