//! Parse one file many times (for profiling with perf): `profile_loop FILE|gen N`.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "../benches/generate.rs"]
mod generate;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    // "gen" parses the benchmark's generated 1 MB plan.
    let bytes = if file == "gen" {
        generate::generated_plan(1024 * 1024)
    } else {
        std::fs::read(&file).unwrap_or_default()
    };
    let dir = common::units();
    let start = std::time::Instant::now();
    let mut items = 0;
    for _ in 0..n {
        items += qx_plan::parse_bytes(&bytes, &file, &dir)
            .map(|p| p.items.len())
            .unwrap_or(0);
    }
    println!("{items} items, {:?} per parse", start.elapsed() / n as u32);
}
