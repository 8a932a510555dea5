#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (called by `make fuzz`, `make fuzz-short`; see README.md).
#   Fuzz/run.sh build                      build every target (-sanitize=fuzzer,address)
#   Fuzz/run.sh run SECONDS [TARGET...]    replay Crashes/, then fuzz each target SECONDS from Corpus/
#   Fuzz/run.sh merge [TARGET...]          minimise the work corpus into Corpus/ (-merge=1)
# Targets: query json ingest segment. Release builds by default (FUZZ_CONFIGURATION=debug for a
# faster build and a slower run: debug code runs ~50x slower). The work corpus and artifacts live in $FUZZ_WORK
# (default .build-fuzz/ at the repository root, ignored by git); Corpus/ only changes on merge.
# FUZZ_SEED fixes libFuzzer's seed.
# Exit status: 0 when no target crashed, hung or ran out of memory; 1 otherwise (artifacts named).
set -uo pipefail
# Swift's own crash handler runs before libFuzzer's and trips ASan; without it a trap is reported
# by libFuzzer ("deadly signal") with the stack.
export SWIFT_BACKTRACE=enable=no
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="${FUZZ_WORK:-$root/.build-fuzz}"
all_targets=(query json ingest segment)
# -sanitize=fuzzer and -sanitize=address must be one flag: swiftc keeps only the last -sanitize=.
# Products one at a time: building the whole graph would also link the logq CLI against libFuzzer.
config="${FUZZ_CONFIGURATION:-release}"
build_flags=(-c "$config" -Xswiftc -sanitize=fuzzer,address)
# A hang is an input that runs 10 s (a query's own budgets are 2 s); memory is capped below the machine's.
# Leaks are not checked (-detect_leaks=0), as in the sanitizer test runs: LeakSanitizer reports the Swift
# runtime's caches, and one small parser leak (Fuzz/Findings/query/leak-*, 96 bytes per input) is open.
fuzz_flags=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -detect_leaks=0)
# Inputs up to the largest seed: segments reach 34 KB; 4,000 nested parentheses are 8 KB.
max_len() { case "$1" in segment) echo 65536;; *) echo 16384;; esac; }

product() { case "$1" in query) echo FuzzQuery;; json) echo FuzzJSON;; ingest) echo FuzzIngest;; segment) echo FuzzSegment;;
            *) echo "unknown fuzz target '$1' (one of: ${all_targets[*]})" >&2; exit 2;; esac; }

build() {
    for t in "${all_targets[@]}"; do
        p=$(product "$t")
        (cd "$here" && swift build "${build_flags[@]}" --product "$p" 2>&1 | grep -E "error|Compiling|Build of product" | grep -v "^\[" ) || true
        [ -x "$here/.build/$config/$p" ] || { echo "fuzz: building $p failed" >&2; exit 1; }
    done
}

run() {
    local seconds="$1"; shift
    local targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
    local failed=()
    for t in "${targets[@]}"; do
        p=$(product "$t"); bin="$here/.build/$config/$p"
        [ -x "$bin" ] || { echo "fuzz: $bin is not built (run: Fuzz/run.sh build)" >&2; exit 1; }
        mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
        cp -n "$here/Corpus/$t/"* "$work/corpus/$t/" 2>/dev/null || true
        # Every fixed crash stays fixed: its reproducer runs first.
        if compgen -G "$here/Crashes/$t/*" >/dev/null; then
            if ! "$bin" "${fuzz_flags[@]}" "$here/Crashes/$t/"* >"$work/$t.replay.log" 2>&1; then
                echo "fuzz $t: a reproducer in Fuzz/Crashes/$t crashes again (see $work/$t.replay.log)"; failed+=("$t"); continue
            fi
        fi
        echo "== fuzz $t for ${seconds}s"
        extra=(); [ -f "$here/$t.dict" ] && extra=(-dict="$here/$t.dict")
        [ -n "${FUZZ_SEED:-}" ] && extra+=(-seed="$FUZZ_SEED")
        "$bin" "${fuzz_flags[@]}" "${extra[@]}" -max_len="$(max_len "$t")" -max_total_time="$seconds" -artifact_prefix="$work/artifacts/$t/" \
            "$work/corpus/$t" >"$work/$t.log" 2>&1
        rc=$?
        # The last status line (executions, coverage, features, corpus) and the final stats.
        grep -E "^#[0-9]+" "$work/$t.log" | tail -1
        grep -E "stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$work/$t.log" | tr '\n' ' '; echo
        if [ $rc -ne 0 ]; then
            echo "fuzz $t: FAILED (exit $rc); log $work/$t.log, input:"; grep -E "^(artifact_prefix|Test unit written to)" "$work/$t.log"
            grep -m1 -E "ERROR: |Fatal error|==ERROR" "$work/$t.log"
            failed+=("$t")
        fi
    done
    if [ ${#failed[@]} -gt 0 ]; then echo "fuzz: failures in: ${failed[*]}"; return 1; fi
    echo "fuzz: no crash, hang or out-of-memory in: ${targets[*]}"
}

merge() {
    local targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
    for t in "${targets[@]}"; do
        p=$(product "$t"); bin="$here/.build/$config/$p"
        mkdir -p "$here/Corpus/$t.new"
        "$bin" "${fuzz_flags[@]}" -merge=1 "$here/Corpus/$t.new" "$here/Corpus/$t" "$work/corpus/$t" >"$work/$t.merge.log" 2>&1 \
            || { echo "fuzz: merging $t failed (see $work/$t.merge.log)"; rm -rf "$here/Corpus/$t.new"; return 1; }
        rm -rf "$here/Corpus/$t" && mv "$here/Corpus/$t.new" "$here/Corpus/$t"
        echo "fuzz $t: corpus $(ls "$here/Corpus/$t" | wc -l) files, $(du -sh "$here/Corpus/$t" | cut -f1)"
    done
}

cmd="${1:-}"; shift || true
case "$cmd" in
    build) build ;;
    run) [ $# -ge 1 ] || { echo "usage: Fuzz/run.sh run SECONDS [TARGET...]" >&2; exit 2; }; run "$@" ;;
    merge) merge "$@" ;;
    *) echo "usage: Fuzz/run.sh build | run SECONDS [TARGET...] | merge [TARGET...]" >&2; exit 2 ;;
esac
