#!/usr/bin/env bash
# A finished run trained further: `nmtx train --resume RUN --set training.epochs=5` on a
# 3-epoch run (validating every epoch) equals a 5-epoch run from the start, bit for bit;
# --resume on a finished run with nothing raised says so and leaves summary.json alone; a
# key that would change the run is refused, naming the key and both values.
#   resume_budget.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
s=("${tiny[@]}" --set training.steps=0 --set validation.every=0 --set checkpoint.every=0)
"$nmtx" train "$recipe" --out "$tmp/e3" "${s[@]}" --set training.epochs=3 > "$tmp/e3.out" 2>&1 || fail "3 epochs: $(tail -3 "$tmp/e3.out")"
"$nmtx" train "$recipe" --out "$tmp/e5" "${s[@]}" --set training.epochs=5 > "$tmp/e5.out" 2>&1 || fail "5 epochs: $(tail -3 "$tmp/e5.out")"

# Finished, nothing raised: a note, summary.json untouched.
cp "$tmp/e3/summary.json" "$tmp/summary-before"
"$nmtx" train --resume "$tmp/e3" > "$tmp/again.out" 2>&1 || fail "--resume on a finished run failed: $(tail -3 "$tmp/again.out")"
grep -q "$tmp/e3 has finished (step [0-9]*, epoch 3: epochs) and holds its summary.json: nothing to do" "$tmp/again.out" ||
  fail "no 'has finished' note: $(cat "$tmp/again.out")"
grep -q "evaluating" "$tmp/again.out" && fail "a finished run was evaluated again"
cmp -s "$tmp/summary-before" "$tmp/e3/summary.json" || fail "summary.json was rewritten"

# Refused: a key that is not about the run's length, with the key and both values.
"$nmtx" train --resume "$tmp/e3" --set model.hidden=64 > /dev/null 2> "$tmp/err" && fail "--resume --set model.hidden was accepted"
grep -q "model.hidden cannot change when resuming $tmp/e3 (the run has 32, --set gives 64)" "$tmp/err" || fail "refusal: $(cat "$tmp/err")"
grep -q "training.epochs, training.steps" "$tmp/err" || fail "the refusal does not list the keys that can change"
"$nmtx" train --resume "$tmp/e3" --set training.epochs=x > /dev/null 2> "$tmp/err" && fail "a bad value was accepted"
grep -q -- "--set training.epochs=x" "$tmp/err" || fail "a bad value's message does not name the --set: $(cat "$tmp/err")"
cmp -s "$tmp/summary-before" "$tmp/e3/summary.json" || fail "a refused resume touched summary.json"

# Raised to 5 epochs: trains on, and ends as the 5-epoch run.
"$nmtx" train --resume "$tmp/e3" --set training.epochs=5 > "$tmp/more.out" 2>&1 || fail "--set training.epochs=5: $(tail -3 "$tmp/more.out")"
grep -q "had finished at step [0-9]* (epochs); training on" "$tmp/more.out" || fail "no 'training on' note"
grep -q "^  epochs: 5$" "$tmp/e3/config.yaml" || fail "config.yaml does not record training.epochs 5"
cmp "$tmp/e3/metrics.jsonl" "$tmp/e5/metrics.jsonl" || fail "metrics.jsonl differs from the 5-epoch run"
for f in dev.hyp test.hyp checkpoints/latest checkpoints/best; do cmp -s "$tmp/e3/$f" "$tmp/e5/$f" || fail "$f differs"; done
n=0
for f in "$tmp/e5/checkpoints/$(cat "$tmp/e5/checkpoints/latest")"/{params,optimizer}/*.npy; do
  cmp -s "$f" "$tmp/e3/${f#"$tmp/e5/"}" || fail "${f#"$tmp/e5/"} differs"
  n=$((n + 1))
done
[ "$n" -gt 10 ] || fail "only $n arrays compared"
for key in dev_bleu test_bleu steps best_step; do
  [ "$(grep "^  \"$key\"" "$tmp/e3/summary.json")" = "$(grep "^  \"$key\"" "$tmp/e5/summary.json")" ] || fail "summary $key differs"
done
echo "PASS: 3 epochs resumed to 5 = 5 epochs ($n arrays, $(wc -l < "$tmp/e5/metrics.jsonl") metrics lines)"
