#!/usr/bin/env bash
# Bounded fuzz runs: `crates/plan/fuzz/run.sh SECONDS` (default 60) split between the two
# targets: parse_bytes (the plan parser on any bytes under any file name) and read_upload
# (the bounded .xlsx/.docx upload reader of qx-upload).
# Needs: cargo-fuzz (`cargo install cargo-fuzz`) and a C++ toolchain (libFuzzer is built
# from source by libfuzzer-sys). Works on stable Rust through RUSTC_BOOTSTRAP=1.
# The corpora are seeded from the test fixtures, the shared seed plan and seeds/ (small
# hand-made .xlsx and .docx files).
set -euo pipefail
SECONDS_TO_RUN="${1:-60}"
EACH=$(( SECONDS_TO_RUN / 2 > 0 ? SECONDS_TO_RUN / 2 : 1 ))
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
CORPUS="$HERE/corpus/parse_bytes"
mkdir -p "$CORPUS"
cp -n "$HERE"/../tests/fixtures/*.txt "$HERE"/../tests/fixtures/*.html "$HERE"/../tests/fixtures/*.pdf "$CORPUS"/ 2>/dev/null || true
for seed in "$HERE/../../../../shared/seed/xiangshan-2017-plan.txt" /work/shared/seed/xiangshan-2017-plan.txt; do
  [ -f "$seed" ] && cp -n "$seed" "$CORPUS"/ && break
done
UPLOADS="$HERE/corpus/read_upload"
mkdir -p "$UPLOADS"
cp -n "$HERE"/seeds/read_upload/* "$UPLOADS"/
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HERE/target}"
cargo fuzz run parse_bytes "$CORPUS" -- -max_total_time="$EACH" -max_len=200000 -rss_limit_mb=2048
cargo fuzz run read_upload "$UPLOADS" -- -max_total_time="$EACH" -max_len=200000 -rss_limit_mb=2048
