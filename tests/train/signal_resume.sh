#!/usr/bin/env bash
# Ctrl-C (SIGINT) and SIGTERM stop `nmtx train` as Marian's save-and-exit does: the step in
# progress finishes, a checkpoint is written, the process says where --resume continues
# and exits non-zero (128 + the signal); a second signal ends it at once. A run stopped
# this way at random moments, and resumed each time, ends byte-identical to an
# uninterrupted run (parameters, optimiser state, metrics.jsonl, scores). Stopped before
# its first step, --resume says it starts over.
#   signal_resume.sh NMTX RECIPE [SEED]
set -uo pipefail
nmtx=$1 recipe=$2
RANDOM=${3:-$$}
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; echo "work dir $tmp"
settings=(--set data.toy.train_size=2000 --set data.toy.dev_size=100 --set data.toy.test_size=100
          --set data.toy.symbols=10 --set data.toy.max_length=8 --set model.embed=16 --set model.hidden=16
          --set model.dropout=0.2 --set training.steps=600 --set training.epochs=0 --set validation.every=50
          --set checkpoint.every=100 --set training.log_every=5 --set training.schedule=plateau
          --set training.plateau_patience=0 --set validation.metric=ppl)
. "$(dirname "$0")/common.sh"

"$nmtx" train "$recipe" --out "$tmp/a" "${settings[@]}" > "$tmp/a.out" 2>&1 || fail "uninterrupted run: $(tail -3 "$tmp/a.out")"

# Stopped before the first step: no checkpoint, and --resume says it starts over.
"$nmtx" train "$recipe" --out "$tmp/b" "${settings[@]}" --debug-signal-at-step 0 > "$tmp/b.out" 2>&1
[ $? -eq 130 ] || fail "a run stopped before its first step exited $? (130 expected)"
grep -q "stopped before the first step (no checkpoint); \`nmtx train --resume $tmp/b\` starts over" "$tmp/b.out" ||
  fail "no 'starts over' note: $(tail -2 "$tmp/b.out")"
[ ! -e "$tmp/b/checkpoints/latest" ] || fail "a checkpoint was written before the first step"
# Resumed, then stopped at step 23 (between two checkpoints; the interval lines mid-way).
"$nmtx" train --resume "$tmp/b" --debug-signal-at-step 23 > "$tmp/b1.out" 2>&1
[ $? -eq 130 ] || fail "the resumed run was not stopped at step 23"
grep -q "has no checkpoint yet: training starts over from step 0" "$tmp/b1.out" || fail "resume did not say it starts over"
grep -q "stopped after step 23; \`nmtx train --resume $tmp/b\` continues exactly" "$tmp/b1.out" ||
  fail "no stop message: $(tail -2 "$tmp/b1.out")"
[ "$(cat "$tmp/b/checkpoints/latest")" = step-00000023 ] || fail "latest is $(cat "$tmp/b/checkpoints/latest"), not step-00000023"
[ ! -f "$tmp/b/summary.json" ] || fail "a stopped run wrote its summary"

# Then real signals from outside, at random moments: once the session has logged a random
# number of intervals (an event, not a time), SIGINT or SIGTERM, sometimes twice at once.
stops=0 doubles=0
for attempt in $(seq 1 40); do
  [ -f "$tmp/b/summary.json" ] && break
  out="$tmp/b-$attempt.out"
  "$nmtx" train --resume "$tmp/b" > "$out" 2>&1 &
  pid=$!
  if [ "$attempt" -lt 12 ]; then
    want=$((1 + RANDOM % 12))
    while kill -0 "$pid" 2> /dev/null && [ "$(grep -c '  step ' "$out")" -lt "$want" ]; do sleep 0.01; done
    sig=INT; [ $((RANDOM % 3)) = 0 ] && sig=TERM
    kill -$sig "$pid" 2> /dev/null
    if [ $((attempt % 4)) = 3 ]; then kill -$sig "$pid" 2> /dev/null && doubles=$((doubles + 1)); fi
  fi
  wait "$pid"
  status=$?
  if [ "$status" -ne 0 ]; then
    [ "$status" -eq 130 ] || [ "$status" -eq 143 ] || fail "attempt $attempt exited $status: $(tail -3 "$out")"
    stops=$((stops + 1))
    if [ $((attempt % 4)) != 3 ]; then  # one signal: the graceful stop, and its checkpoint is the latest
      step=$(sed -n 's/^stopped after step \([0-9]*\); .*/\1/p' "$out")
      [ -n "$step" ] || fail "attempt $attempt: no 'stopped after step N' line: $(tail -3 "$out")"
      [ "$(cat "$tmp/b/checkpoints/latest")" = "$(printf 'step-%08d' "$step")" ] ||
        fail "attempt $attempt stopped after step $step but latest is $(cat "$tmp/b/checkpoints/latest")"
    fi
  fi
done
[ -f "$tmp/b/summary.json" ] || fail "the resumed run never finished"
[ "$stops" -ge 5 ] || fail "only $stops sessions were stopped by a signal"
echo "run b was stopped $((stops + 2)) times ($doubles with a second signal)"

same_end "$tmp/a" "$tmp/b"
