#!/usr/bin/env bash
# training.ema_decay (train/ema.h): checkpoints hold the moving average in params/ and the
# optimiser's parameters in training-params/; numpy recomputes the average from them step
# by step; validation uses the average; a run killed in a checkpoint and resumed ends
# identical to an uninterrupted one (parameters, training parameters, optimiser state,
# metrics).
#   ema.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
here=$(dirname "$0")
source "$here/common.sh"
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
python=/usr/bin/python3
settings=("${tiny[@]}" --set training.steps=120 --set validation.every=40 --set checkpoint.every=1
          --set checkpoint.keep_last=200 --set training.ema_decay=0.95 --set training.log_every=10)

"$nmtx" train "$recipe" --out "$tmp/a" "${settings[@]}" > "$tmp/a.out" 2>&1 || fail "EMA run: $(tail -3 "$tmp/a.out")"
[ -d "$tmp/a/checkpoints/step-00000003/training-params" ] || fail "no training-params/ in an EMA checkpoint"
# θ̄_t = d_t θ̄_{t-1} + (1 - d_t) θ_t with d_t = min(0.95, (1 + t) / (10 + t)), in float32.
"$python" - "$tmp/a/checkpoints" <<'PY' || fail "the moving average is not the formula's"
import glob, os, sys
import numpy as np
root = sys.argv[1]
def load(step, part):
    d = os.path.join(root, "step-%08d" % step, part)
    return {os.path.basename(f): np.load(f) for f in sorted(glob.glob(d + "/*.npy"))}
checked = 0
for t in (2, 3, 50, 120):
    prev, avg, raw = load(t - 1, "params"), load(t, "params"), load(t, "training-params")
    d = np.float32(min(0.95, (1 + t) / (10 + t)))
    for name in avg:
        want = d * prev[name] + (np.float32(1) - d) * raw[name]
        assert np.allclose(avg[name], want, rtol=1e-6, atol=1e-7), (t, name)
        checked += 1
    assert any(not np.array_equal(avg[n], raw[n]) for n in avg), "the average equals the parameters"
print("moving average checked for", checked, "arrays")
PY

# A run without the average validates other numbers (so validation does use θ̄).
"$nmtx" train "$recipe" --out "$tmp/plain" "${settings[@]}" --set training.ema_decay=0 > /dev/null 2>&1 || fail "plain run"
a_valid=$(grep '"valid"' "$tmp/a/metrics.jsonl" | head -1) p_valid=$(grep '"valid"' "$tmp/plain/metrics.jsonl" | head -1)
[ "$a_valid" != "$p_valid" ] || fail "validation ignored the moving average"
a_train=$(grep '"train"' "$tmp/a/metrics.jsonl") p_train=$(grep '"train"' "$tmp/plain/metrics.jsonl")
[ "$a_train" = "$p_train" ] || fail "the moving average changed training itself"

# Killed while writing checkpoint 61, resumed: identical to the uninterrupted run.
"$nmtx" train "$recipe" --out "$tmp/b" "${settings[@]}" --debug-kill-in-checkpoint 61 > "$tmp/b.out" 2>&1
[ $? -eq 137 ] || fail "the run was not killed at step 61"
"$nmtx" train --resume "$tmp/b" >> "$tmp/b.out" 2>&1 || fail "resume: $(tail -3 "$tmp/b.out")"
cmp "$tmp/a/metrics.jsonl" "$tmp/b/metrics.jsonl" || fail "metrics.jsonl differs after resume"
n=0
for f in "$tmp"/a/checkpoints/step-00000120/{params,training-params,optimizer}/*.npy; do
  rel=${f#"$tmp/a/"}
  cmp -s "$f" "$tmp/b/$rel" || fail "$rel differs after resume"
  n=$((n + 1))
done
[ "$n" -gt 20 ] || fail "only $n arrays compared"
for key in dev_bleu test_bleu dev_ppl; do
  x=$(json_field "$tmp/a/summary.json" $key) y=$(json_field "$tmp/b/summary.json" $key)
  [ -n "$x" ] && [ "$x" != null ] || fail "summary.json has no $key"
  [ "$x" = "$y" ] || fail "summary $key differs: $x vs $y"
done
echo "PASS: $n arrays and metrics.jsonl identical after resume; validation uses the average"
