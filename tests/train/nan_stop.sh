#!/usr/bin/env bash
# A NaN in the gradient stops training with a message naming the step and the last good
# checkpoint, which is kept intact: resuming from it finishes the run.
#   nan_stop.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" --debug-nan-at 30 > "$tmp/out" 2>&1
status=$?
[ $status -ne 0 ] || fail "training went on after a NaN gradient"
grep -q "step 30: the gradient norm is nan: training stopped" "$tmp/out" || fail "message: $(tail -2 "$tmp/out")"
grep -q "last good checkpoint is .*step-00000028" "$tmp/out" || fail "the message does not name checkpoint 28: $(tail -1 "$tmp/out")"
[ "$(cat "$tmp/run/checkpoints/latest")" = step-00000028 ] || fail "latest moved past the last good checkpoint"
[ ! -e "$tmp/run/summary.json" ] || fail "a diverged run wrote summary.json"
grep -q '"step":30' "$tmp/run/metrics.jsonl" && fail "the NaN step was logged"
"$nmtx" train --resume "$tmp/run" > "$tmp/resume.out" 2>&1 || fail "resuming from the kept checkpoint failed: $(tail -3 "$tmp/resume.out")"
[ -e "$tmp/run/summary.json" ] || fail "the resumed run did not finish"
echo "PASS (exit status $status)"
