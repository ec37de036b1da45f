#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for a bounded time from the committed seed corpus,
# with a fixed seed: what CI runs. Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds as `cargo fuzz build` does (nightly, AddressSanitizer, libFuzzer's coverage flags) so
# that CI needs no cargo-fuzz install; for interactive fuzzing use
# `cargo +nightly fuzz run TARGET fuzz/corpus/TARGET`.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(template mechanism operation_state stored_row config)

triple=x86_64-unknown-linux-gnu
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$PWD/fuzz/target}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address \
-Cdebug-assertions -Coverflow-checks"
export ASAN_OPTIONS=detect_leaks=0
cargo +nightly build --locked --release --manifest-path fuzz/Cargo.toml --target "$triple" \
    $(printf -- '--bin %s ' "${targets[@]}")

for t in "${targets[@]}"; do
    fresh=$(mktemp -d)   # new inputs land here; the committed corpus is only read
    log=$(mktemp)
    # The harness's token store lives for the whole process and libFuzzer exits without
    # dropping it: its temporary directory goes under one this script removes.
    scratch=$(mktemp -d)
    echo "=== fuzz $t (${secs}s)"
    status=0
    TMPDIR=$scratch "$CARGO_TARGET_DIR/$triple/release/$t" "$fresh" "fuzz/corpus/$t" \
        -max_total_time="$secs" -seed=1 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 ||
        status=$?
    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::new_units_added|INFO: seed corpus)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log"
        echo "fuzz target $t failed (exit $status); the input is in the log above"
        exit 1
    fi
    rm -rf "$fresh" "$log" "$scratch"
done
echo "all fuzz targets ran clean"
