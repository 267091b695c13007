#!/usr/bin/env bash
# Bounded fuzz run of the plan parser: `crates/plan/fuzz/run.sh SECONDS` (default 60).
# Needs: cargo-fuzz (`cargo install cargo-fuzz`) and a C++ toolchain (libFuzzer is built
# from source by libfuzzer-sys). Works on stable Rust through RUSTC_BOOTSTRAP=1.
# The corpus is seeded from the test fixtures and the shared seed plan.
set -euo pipefail
SECONDS_TO_RUN="${1:-60}"
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
CORPUS="$HERE/corpus/parse_bytes"
mkdir -p "$CORPUS"
cp -n "$HERE"/../tests/fixtures/*.txt "$HERE"/../tests/fixtures/*.html "$CORPUS"/ 2>/dev/null || true
for seed in "$HERE/../../../../shared/seed/xiangshan-2017-plan.txt" /work/shared/seed/xiangshan-2017-plan.txt; do
  [ -f "$seed" ] && cp -n "$seed" "$CORPUS"/ && break
done
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HERE/target}"
exec cargo fuzz run parse_bytes "$CORPUS" -- -max_total_time="$SECONDS_TO_RUN" -max_len=200000 -rss_limit_mb=2048
