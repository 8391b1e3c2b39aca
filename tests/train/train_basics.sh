#!/usr/bin/env bash
# A short toy run learns (its loss falls below a threshold, test BLEU rises), writes what
# a run directory promises, and is deterministic: two processes give identical bytes,
# another seed gives other numbers.
#   train_basics.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nmtx" train "$recipe" --out "$tmp/a" "${tiny[@]}" > "$tmp/a.out" 2>&1 || fail "training failed: $(tail -5 "$tmp/a.out")"
for f in config.yaml src.vocab tgt.vocab data/train.src data/test.align metrics.jsonl train.log summary.json \
         dev.hyp test.hyp checkpoints/latest checkpoints/best validations/dev-step-00000200.txt; do
  [ -e "$tmp/a/$f" ] || fail "run directory lacks $f"
done
first=$(grep '"type":"train"' "$tmp/a/metrics.jsonl" | head -1 | sed 's/.*"loss":\([0-9.e-]*\).*/\1/')
last=$(grep '"type":"train"' "$tmp/a/metrics.jsonl" | tail -1 | sed 's/.*"loss":\([0-9.e-]*\).*/\1/')
echo "train loss per token: first interval $first, last $last"
awk -v f="$first" -v l="$last" 'BEGIN { exit !(f > 2.0 && l < 1.0) }' || fail "loss did not fall below 1.0 (first $first, last $last)"
for key in dev_ppl dev_bleu test_bleu train_seconds steps params; do
  [ -n "$(json_field "$tmp/a/summary.json" $key)" ] || fail "summary.json lacks $key"
done
bleu=$(json_field "$tmp/a/summary.json" test_bleu)
echo "test BLEU $bleu"
awk -v b="$bleu" 'BEGIN { exit !(b > 40) }' || fail "test BLEU $bleu <= 40 (untrained: about 0)"
[ "$(json_field "$tmp/a/summary.json" steps)" = 400 ] || fail "summary steps is not 400"
# Where the session's time went (bench/train_real.sh reads it): parts that add up, a speed
# that is the tokens over the steps' time without validation, memory that grew.
/usr/bin/python3 - "$tmp/a/summary.json" <<'PY' || fail "summary.json's session is inconsistent"
import json, sys
summary = json.load(open(sys.argv[1]))
s = summary["session"]
assert s["steps"] == summary["steps"] == 400, s
assert s["target_tokens"] == summary["target_tokens"], s
parts = ["step_seconds", "batch_seconds", "moving_average_seconds", "validation_seconds", "checkpoint_seconds"]
assert all(s[k] >= 0 for k in parts) and s["other_seconds"] > -1e-6, s
assert abs(sum(s[k] for k in parts) + s["other_seconds"] - s["seconds"]) < 1e-6, s
assert 0 < s["step_seconds"] < s["seconds"] and s["validation_seconds"] > 0 and s["checkpoint_seconds"] > 0, s
training = s["seconds"] - s["validation_seconds"]
assert abs(s["training_tokens_per_second"] - s["target_tokens"] / training) < 1e-6 * s["training_tokens_per_second"], s
assert abs(s["outside_steps_share"] - (training - s["step_seconds"]) / training) < 1e-9, s
assert s["rss_at_start_mib"] > 0 and s["peak_rss_mib"] >= s["rss_at_start_mib"] and s["validation_peak_rss_mib"] > 0, s
PY
[ "$(wc -l < "$tmp/a/data/train.src")" = 3000 ] || fail "the toy training set does not have 3000 lines"

# Same recipe and seed, another process: identical bytes.
"$nmtx" train "$recipe" --out "$tmp/b" "${tiny[@]}" > "$tmp/b.out" 2>&1 || fail "second run failed"
cmp "$tmp/a/metrics.jsonl" "$tmp/b/metrics.jsonl" || fail "metrics.jsonl differs between identical runs"
n=0
for f in "$tmp"/a/checkpoints/step-00000400/params/*.npy; do
  cmp -s "$f" "$tmp/b/${f#"$tmp/a/"}" || fail "${f#"$tmp/a/"} differs between identical runs"
  n=$((n + 1))
done
[ "$n" -gt 10 ] || fail "only $n parameter files"
cmp "$tmp/a/test.hyp" "$tmp/b/test.hyp" || fail "test translations differ between identical runs"

# Another seed: other numbers.
"$nmtx" train "$recipe" --out "$tmp/c" "${tiny[@]}" --set training.seed=2 --set checkpoint.average_last=3 > "$tmp/c.out" 2>&1 ||
  fail "seed 2 failed"
cmp -s "$tmp/a/metrics.jsonl" "$tmp/c/metrics.jsonl" && fail "seed 2 gave the same metrics as seed 1"
grep -q 'seed: 2' "$tmp/c/config.yaml" || fail "config.yaml does not record the overridden seed"
# checkpoint.average_last: the last 3 checkpoints averaged and scored beside the best.
/usr/bin/python3 - "$tmp/c" <<'PY' || fail "checkpoint.average_last: no averaged checkpoint scored in summary.json"
import json, os, sys
run = sys.argv[1]
summary = json.load(open(os.path.join(run, "summary.json")))
average = summary["average"]
steps = sorted(d for d in os.listdir(os.path.join(run, "checkpoints")) if d.startswith("step-"))
assert average["checkpoint"] == "average-last-3" and average["checkpoints"] == steps[-3:], (average, steps)
assert json.load(open(os.path.join(run, "checkpoints", "average-last-3", "average.json")))["checkpoints"] == steps[-3:]
for key in ("dev_bleu", "dev_ppl", "test_bleu", "test_ppl"):
    assert isinstance(average[key], float) and average[key] >= 0, (key, average)
assert isinstance(summary["test_bleu"], float)  # the best checkpoint's numbers stay
PY
grep -q "evaluating average-last-3" "$tmp/c/train.log" || fail "train.log does not report the average"
# SGD with Luong's halving: the rate halves after every epoch from training.halving_start on.
"$nmtx" train "$recipe" --out "$tmp/sgd" "${tiny[@]}" --set training.optimizer=sgd --set training.learning_rate=0.5 \
  --set training.schedule=halving --set training.halving_start=2 --set training.steps=0 --set training.epochs=4 \
  --set training.log_every=10 > "$tmp/sgd.out" 2>&1 || fail "SGD run failed: $(tail -3 "$tmp/sgd.out")"
rates=$(grep '"type":"train"' "$tmp/sgd/metrics.jsonl" | sed 's/.*"epoch":\([0-9]*\).*"learning_rate":\([0-9.e-]*\).*/\1:\2/' | sort -u | tr '\n' ' ')
[ "$rates" = "1:0.5 2:0.5 3:0.25 4:0.125 " ] || fail "halving schedule: epoch:rate pairs $rates"

# The log as a user reads it (in train.log too, not only on a terminal): the totals and an
# ETA in every interval line; at each validation the first dev sentences (source,
# reference, hypothesis); no rank or shard-reduction lines in a single-process run; the
# testing options stay out of --help.
grep -Eq "^epoch [0-9]+  step 200/400  loss [0-9.]+ .* ETA [0-9?]" "$tmp/a/train.log" || fail "no 'step 200/400 ... ETA' line: $(grep -m2 step "$tmp/a/train.log")"
[ "$(grep -c "^  example 0  source     $(sed -n 1p "$tmp/a/data/dev.src")$" "$tmp/a/train.log")" = 2 ] ||
  fail "dev sentence 0's source is not printed at both validations"
grep -q "^  example 2  hypothesis $(sed -n 3p "$tmp/a/validations/dev-step-00000400.txt")$" "$tmp/a/train.log" ||
  fail "dev sentence 2's hypothesis at step 400 is not the validation's"
grep -q "^  example 3 " "$tmp/a/train.log" && fail "more examples than validation.examples (3)"
grep -Eq "rank|shard reduction" "$tmp/a/train.log" && fail "a one-process run logs ranks: $(grep -E 'rank|shard reduction' "$tmp/a/train.log")"
"$nmtx" train --help | grep -q -- "--debug" && fail "nmtx train --help lists the testing options"
# On a terminal, the live line never shows the perfect loss of an interval without steps.
/usr/bin/python3 - "$nmtx" "$recipe" "$tmp/live" "${tiny[@]}" <<'PY' || fail "the live progress line"
import os, pty, sys
nmtx, recipe, out, *settings = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(nmtx, [nmtx, "train", recipe, "--out", out, *settings, "--set", "training.log_every=10"])
seen = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, seen[-500:]
text = seen.decode()
assert "ETA" in text and "/400" in text, text[-500:]
assert "loss 0.0000" not in text, [l for l in text.replace("\r", "\n").splitlines() if "loss 0.0000" in l][:3]
PY

# A recipe that does not name training.shards (copy.yaml) trains with the fast setting:
# as many shards as threads (2), recorded in summary.json; one thread: the batch whole.
copy=$(dirname "$recipe")/copy.yaml
grep -q "shards" "$copy" && fail "copy.yaml names training.shards: it no longer tests the default"
"$nmtx" train "$copy" --out "$tmp/copy" "${tiny[@]}" --set training.steps=20 > "$tmp/copy.out" 2>&1 || fail "copy.yaml: $(tail -3 "$tmp/copy.out")"
/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["data_parallel"]["shards"] == 2, s.get("data_parallel")' \
  "$tmp/copy/summary.json" || fail "a recipe without training.shards did not train with 2 shards"
grep -q "^  shards: 0$" "$tmp/copy/config.yaml" || fail "config.yaml does not record training.shards 0 (as many as threads)"
"$nmtx" train "$copy" --out "$tmp/copy1" "${tiny[@]}" --set training.steps=20 --set training.threads=1 > /dev/null 2>&1 || fail "copy.yaml, one thread"
/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert "data_parallel" not in s, s["data_parallel"]' \
  "$tmp/copy1/summary.json" || fail "one thread still trained in shards"
echo "the default trains in 2 shards on 2 threads, the batch whole on one"
echo "PASS"
