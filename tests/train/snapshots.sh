#!/usr/bin/env bash
# Attention over training (validation.snapshots): a small reverse run records, at each of
# its validations, the watched dev sentences' greedy outputs and attention (and their
# references' attention under forced decoding), kept when the
# checkpoints are pruned; the sentences are those at the dev set's length quantiles
# (recomputed here from the dev files); their gold links are the task's; each output is the
# one validation decoded (validations/dev-step-N.txt); metrics.jsonl's AER at the last
# validation equals `nmtx align` + `nmtx aer` on that step's checkpoint; 0 records nothing.
# Equality after kill and resume is checked by kill_resume.sh and signal_resume.sh
# (same_end), and under mpirun by dist's data_parallel.sh.
#   snapshots.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; echo "work dir $tmp"
. "$(dirname "$0")/common.sh"
settings=("${tiny[@]}" --set training.steps=300 --set validation.every=50 --set checkpoint.keep_last=1
          --set checkpoint.every=0 --set data.toy.max_length=12)

"$nmtx" train "$recipe" --out "$tmp/run" "${settings[@]}" > "$tmp/out" 2>&1 || fail "training: $(tail -3 "$tmp/out")"
[ "$(ls "$tmp/run/checkpoints" | grep -c '^step-')" -le 2 ] || fail "checkpoints were not pruned"

/usr/bin/python3 - "$tmp/run" <<'PY' || exit 1
import json, os, sys
run = sys.argv[1]
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
valid = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if '"type":"valid"' in l]
steps = sorted(int(n[5:13]) for n in os.listdir(f"{run}/snapshots") if n.startswith("step-") and n.endswith(".json"))
if len(valid) != 6 or steps != [v["step"] for v in valid]:
    fail(f"snapshot steps {steps} against validations {[v['step'] for v in valid]}")
if sorted(os.listdir(f"{run}/snapshots")) != ["sentences.json"] + [f"step-{s:08d}.json" for s in steps]:
    fail(f"unexpected files: {os.listdir(f'{run}/snapshots')}")
# The watched sentences: the middle of each of 8 equal parts of the dev set sorted by
# source length (ties in file order).
src = [l.split() for l in open(f"{run}/data/dev.src")]
tgt = [l.split() for l in open(f"{run}/data/dev.tgt")]
gold = [l.split() for l in open(f"{run}/data/dev.align")]
order = sorted(range(len(src)), key=lambda i: (len(src[i]), i))
want = sorted(order[(2 * q + 1) * len(src) // 16] for q in range(8))
watched = json.load(open(f"{run}/snapshots/sentences.json"))["sentences"]
if len(watched) != 8:
    fail(f"{len(watched)} watched sentences")
if [s["index"] for s in watched] != want:
    fail(f"watched {[s['index'] for s in watched]}, expected {want}")
lengths = [len(src[i]) for i in want]
if max(lengths) - min(lengths) < 6:
    fail(f"the watched sentences do not spread over the lengths: {lengths}")
for s in watched:
    i = s["index"]
    if s["line"] != i + 1 or s["source"] != src[i] or s["reference"] != tgt[i]:
        fail(f"sentence {i}: line, source or reference differ from the dev files")
    links = sorted([int(a), int(b)] for a, b in (x.split("-") for x in gold[i]))
    if sorted(s["gold"]["sure"]) != links or sorted(s["gold"]["possible"]) != links:
        fail(f"sentence {i}: gold links differ from data/dev.align")
for step in steps:
    snap = json.load(open(f"{run}/snapshots/step-{step:08d}.json"))
    if snap["step"] != step or len(snap["sentences"]) != 8:
        fail(f"step {step}: {len(snap['sentences'])} sentences")
    hyps = open(f"{run}/validations/dev-step-{step:08d}.txt").read().split("\n")
    for s, o in zip(watched, snap["sentences"]):
        rows, out = o["attention"], o["output"]
        if len(rows) != len(out) or any(len(r) != len(s["source"]) for r in rows):
            fail(f"step {step}, sentence {s['index']}: attention {len(rows)} rows for {len(out)} outputs")
        if any(abs(sum(r) - 1) > 1e-5 for r in rows):
            fail(f"step {step}, sentence {s['index']}: a row does not sum to 1")
        forced = o["reference_attention"]  # the reference's tokens and </s>: the same rows at every step
        if len(forced) != len(s["reference"]) + 1 or any(len(r) != len(s["source"]) or abs(sum(r) - 1) > 1e-5 for r in forced):
            fail(f"step {step}, sentence {s['index']}: reference attention {len(forced)} rows for {len(s['reference'])} tokens")
        words = out[:-1] if out and out[-1] == "</s>" else out
        if " ".join(words) != hyps[s["index"]]:
            fail(f"step {step}, sentence {s['index']}: output {words} is not validation's {hyps[s['index']]!r}")
for v in valid:
    for key in ("aer", "argmax_accuracy", "entropy"):
        if key not in v:
            fail(f"validation at step {v['step']} has no {key}")
if not valid[-1]["aer"] < valid[0]["aer"]:
    fail(f"AER did not fall over training: {[v['aer'] for v in valid]}")
print(f"PASS: {len(steps)} snapshots of 8 sentences (source lengths {lengths}), AER {valid[0]['aer']:.3f} -> {valid[-1]['aer']:.3f}")
PY

# The last validation's AER is what align + aer give on that step's checkpoint.
last=$(cat "$tmp/run/checkpoints/latest")
"$nmtx" align --model "$tmp/run" --checkpoint "$last" --src "$tmp/run/data/dev.src" --tgt "$tmp/run/data/dev.tgt" \
  -o "$tmp/dev.links" 2> /dev/null || fail "align"
"$nmtx" aer --gold "$tmp/run/data/dev.align" --test "$tmp/dev.links" > "$tmp/aer.txt" || fail "aer"
/usr/bin/python3 - "$tmp/run/metrics.jsonl" "$tmp/aer.txt" <<'PY' || exit 1
import json, re, sys
last = [json.loads(l) for l in open(sys.argv[1]) if '"type":"valid"' in l][-1]
text = open(sys.argv[2]).read()
m = re.search(r"test links (\d+), sure (\d+), test links in sure (\d+), in possible (\d+)", text)
a, s, a_s, a_p = map(int, m.groups())
aer = 1 - (a_s + a_p) / (a + s)
if abs(aer - last["aer"]) > 1e-12:
    print(f"FAIL: metrics.jsonl's AER {last['aer']} but align + aer give {aer}"); sys.exit(1)
print(f"PASS: AER at step {last['step']} = {aer:.6f}, as nmtx align + nmtx aer")
PY

"$nmtx" train "$recipe" --out "$tmp/none" "${settings[@]}" --set validation.snapshots=0 --set training.steps=100 \
  > "$tmp/none.out" 2>&1 || fail "training without snapshots"
[ ! -e "$tmp/none/snapshots" ] || fail "validation.snapshots=0 recorded $(ls "$tmp/none/snapshots")"
grep -q '"aer"' "$tmp/none/metrics.jsonl" && fail "validation.snapshots=0 still measured the attention"
echo "PASS: validation.snapshots=0 records nothing"
