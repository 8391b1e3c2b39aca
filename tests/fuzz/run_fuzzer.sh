#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS over its committed seeds (and whatever it finds on
# the way, kept in a temporary corpus). Exit 0: no finding. Otherwise the input that
# failed is kept under FINDINGS_DIR; replay it with `FUZZER FINDINGS_DIR/crash-...`.
#
#   tests/fuzz/run_fuzzer.sh FUZZER SEEDS_DIR SECONDS FINDINGS_DIR [extra libFuzzer flags]
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3 findings=$4
shift 4
[ -d "$seeds" ] || { echo "run_fuzzer.sh: no seeds in $seeds" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$findings"
# The targets' scratch files go to $TMPDIR; -malloc_limit_mb makes a single allocation
# above 256 MB a finding (no input here justifies one); -timeout=5: a slow input is one.
TMPDIR=$work "$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=256 \
  -max_len=16384 -print_final_stats=1 -artifact_prefix="$findings/$(basename "$fuzzer")-" "$@" \
  "$work/corpus" "$seeds" 2> "$work/log" || status=$?
# libFuzzer's closing lines: runs, speed, coverage, corpus.
grep -E "^(#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|stat::new_units_added)" "$work/log" || true
if [ "${status:-0}" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "run_fuzzer.sh: $(basename "$fuzzer") found a failing input (kept in $findings)" >&2
  exit 1
fi
