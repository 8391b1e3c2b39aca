#!/usr/bin/env bash
# Kill-and-resume equals uninterrupted: a toy run is killed with SIGKILL at random
# moments (and deterministically in the middle of writing a checkpoint) and resumed
# until it finishes; its final parameters, optimiser state and metrics.jsonl must be
# byte-identical to those of an uninterrupted run of the same recipe.
#   kill_resume.sh NMTX RECIPE [SEED]
set -uo pipefail
nmtx=$1 recipe=$2
RANDOM=${3:-$$}
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; echo "work dir $tmp"
settings=(--set data.toy.train_size=2000 --set data.toy.dev_size=100 --set data.toy.test_size=100
          --set data.toy.symbols=10 --set data.toy.max_length=8 --set model.embed=16 --set model.hidden=16
          --set model.dropout=0.2 --set training.steps=800 --set training.epochs=0 --set validation.every=50 --set checkpoint.every=7
          --set training.log_every=5 --set validation.metric=ppl --set training.schedule=plateau
          --set training.plateau_patience=0)
. "$(dirname "$0")/common.sh"

"$nmtx" train "$recipe" --out "$tmp/a" "${settings[@]}" > "$tmp/a.out" 2>&1 || fail "uninterrupted run: $(tail -3 "$tmp/a.out")"

# Run b: killed inside two checkpoint writes first (deterministic), then at random times.
"$nmtx" train "$recipe" --out "$tmp/b" "${settings[@]}" --debug-kill-in-checkpoint 21 > "$tmp/b.out" 2>&1
[ $? -eq 137 ] || fail "the run was not killed in its checkpoint at step 21"
[ -z "$(ls -d "$tmp"/b/checkpoints/step-00000021 2>/dev/null)" ] || fail "a half-written checkpoint got its real name"
"$nmtx" train --resume "$tmp/b" --debug-kill-in-checkpoint 35 --debug-kill-stage renamed >> "$tmp/b.out" 2>&1
[ $? -eq 137 ] || fail "the resumed run was not killed after renaming checkpoint 35"
kills=2
for attempt in $(seq 1 60); do
  [ -f "$tmp/b/summary.json" ] && break
  "$nmtx" train --resume "$tmp/b" >> "$tmp/b.out" 2>&1 &
  pid=$!
  if [ "$attempt" -lt 40 ]; then
    sleep "0.$(printf '%02d' $((5 + RANDOM % 60)))"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null
done
[ -f "$tmp/b/summary.json" ] || fail "the resumed run never finished; log: $(tail -5 "$tmp/b.out")"
echo "run b was killed $kills times"

same_end "$tmp/a" "$tmp/b"
