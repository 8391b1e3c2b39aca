#!/usr/bin/env bash
# nmtx translate / score / align / aer as a user runs them on a small trained model.
#   translate_cli.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" > "$tmp/train.out" 2>&1 || fail "training failed: $(tail -3 "$tmp/train.out")"
head -20 "$tmp/run/data/test.src" > "$tmp/src"
head -20 "$tmp/run/data/test.tgt" > "$tmp/tgt"
head -20 "$tmp/run/data/test.align" > "$tmp/gold"

"$nmtx" translate --model "$tmp/run" < "$tmp/src" > "$tmp/greedy" || fail "translate (stdin) failed"
[ "$(wc -l < "$tmp/greedy")" = 20 ] || fail "20 lines expected"
"$nmtx" translate --model "$tmp/run" -i "$tmp/src" -o "$tmp/beam1" --beam 1 || fail "translate --beam 1 failed"
cmp -s "$tmp/greedy" "$tmp/beam1" || fail "--beam 1 differs from greedy"
"$nmtx" translate --model "$tmp/run" -i "$tmp/src" --beam 4 --n-best 2 > "$tmp/nbest" || fail "n-best failed"
[ "$(wc -l < "$tmp/nbest")" = 40 ] || fail "n-best: 2 lines per sentence expected"
grep -Eqv '^[0-9]+ \|\|\| .* \|\|\| -?[0-9.]+(e-?[0-9]+)?$' "$tmp/nbest" && fail "n-best lines are not 'i ||| hyp ||| score'"
[ "$(head -1 "$tmp/nbest" | cut -d' ' -f1)" = 0 ] || fail "n-best numbering starts at 0"
"$nmtx" translate --model "$tmp/run" -i "$tmp/src" --beam 4 --alpha 0.6 --checkpoint latest --monotonic > /dev/null ||
  fail "beam with alpha, latest checkpoint and monotonic attention failed"

# score: one log-probability per pair; the best n-best hypothesis of sentence 0 scores
# what the n-best list says (alpha 0: its log-probability).
head -1 "$tmp/nbest" | awk -F' \\|\\|\\| ' '{ print $2 }' > "$tmp/hyp0"
head -1 "$tmp/src" > "$tmp/src0"
"$nmtx" score --model "$tmp/run" --src "$tmp/src0" --tgt "$tmp/hyp0" > "$tmp/score0" 2> "$tmp/score.err" || fail "score failed"
want=$(head -1 "$tmp/nbest" | awk -F' \\|\\|\\| ' '{ print $3 }')
awk -v a="$(cat "$tmp/score0")" -v b="$want" 'BEGIN { d = a - b; exit !(d < 1e-3 && d > -1e-3) }' ||
  fail "score $(cat "$tmp/score0") differs from the n-best score $want"
grep -q "perplexity" "$tmp/score.err" || fail "score prints no perplexity"
# Log-probabilities in the shortest form that reads back as the same double (not 6
# decimals): every pair's, compared with what the same text gives after a round trip.
"$nmtx" score --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt" > "$tmp/scores" 2> /dev/null || fail "score failed"
[ "$(wc -l < "$tmp/scores")" = 20 ] || fail "score: 20 lines expected"
/usr/bin/python3 - "$tmp/scores" <<'PY' || fail "score lines are not the shortest round-trip form"
import sys
lines = open(sys.argv[1]).read().split()
assert len(lines) == 20
assert all(repr(float(x)) == x or repr(float(x)) == x.replace("e-0", "e-") for x in lines), lines
assert any(len(x.lstrip("-").split("e")[0].replace(".", "").lstrip("0")) > 6 for x in lines), lines  # more than 6 digits
PY
# --per-token: a value per target token and one for </s>, summing in order to the pair's score.
"$nmtx" score --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt" --per-token > "$tmp/tokens" 2> /dev/null ||
  fail "score --per-token failed"
/usr/bin/python3 - "$tmp/scores" "$tmp/tokens" "$tmp/tgt" <<'PY' || fail "score --per-token does not add up to score"
import sys
sums = [float(x) for x in open(sys.argv[1]).read().split()]
rows = [[float(x) for x in line.split()] for line in open(sys.argv[2]).read().splitlines()]
targets = open(sys.argv[3]).read().splitlines()
assert len(rows) == len(sums) == len(targets) == 20, (len(rows), len(sums))
for row, total, target in zip(rows, sums, targets):
    assert len(row) == len(target.split()) + 1, (row, target)
    acc = 0.0
    for x in row:
        acc += x
    assert acc == total, (acc, total)
PY

# On a terminal (a pseudo-terminal here), translate answers each line as it is typed, after
# a prompt, with what the batch gives; unknown words are named on stderr.
/usr/bin/python3 - "$nmtx" "$tmp/run" "$tmp/src" "$tmp/greedy" <<'PY' || fail "translate on a terminal"
import os, pty, select, sys, time
nmtx, run, src, greedy = sys.argv[1:5]
lines, want = open(src).read().splitlines()[:2], open(greedy).read().splitlines()[:2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(nmtx, [nmtx, "translate", "--model", run])
seen = b""
def wait_for(predicate, what):  # the event, not a time: the limit only ends a hung test
    global seen
    end = time.time() + 60
    while not predicate(seen):
        assert time.time() < end, f"no {what}; the terminal shows {seen!r}"
        if select.select([fd], [], [], 0.1)[0]:
            seen += os.read(fd, 4096)
wait_for(lambda b: b.endswith(b"> "), "prompt")
os.write(fd, (lines[0] + "\n").encode())
wait_for(lambda b: b.count(b"> ") == 2, "answer to the first line before the second is typed")
assert want[0].encode() in seen.split(b"\n", 2)[1], (want[0], seen)
os.write(fd, (lines[1] + " zz9\n").encode())
wait_for(lambda b: b.count(b"> ") == 3, "answer to the second line")
assert b"(1 unknown to the model, read as <unk>: zz9)" in seen, seen
os.write(fd, b"\x04")
wait_for(lambda b: b"1 of " in b and b"read as <unk>" in b.split(b"zz9)", 1)[1], "the closing count")
os.waitpid(pid, 0)
PY
# Unknown source words: counted on stderr, and shown as <unk> in the attention export.
printf '%s zz9 zz8\n' "$(head -1 "$tmp/src")" > "$tmp/unknown"
"$nmtx" translate --model "$tmp/run" -i "$tmp/unknown" --attention "$tmp/att-unk" > /dev/null 2> "$tmp/unk.err" ||
  fail "translate with unknown words"
grep -q "^2 of [0-9]* source tokens are not in the model's source vocabulary and were read as <unk>" "$tmp/unk.err" ||
  fail "no count of unknown words: $(cat "$tmp/unk.err")"
grep -q '"source":\[.*"<unk>","<unk>"\]' "$tmp/att-unk/000000.json" || fail "the export does not show <unk>: $(head -c 300 "$tmp/att-unk/000000.json")"
"$nmtx" translate --model "$tmp/run" -i "$tmp/src" > /dev/null 2> "$tmp/known.err" || fail "translate"
grep -q "<unk>" "$tmp/known.err" && fail "unknown words reported where there are none"

# Checkpoints as people name them: step-N without the zero padding; a checkpoint's path
# where the run belongs (the OpenNMT / fairseq habit) gets the right form back; a
# checkpoint that is not there lists those that are.
last=$(cat "$tmp/run/checkpoints/latest")
"$nmtx" translate --model "$tmp/run" --checkpoint "step-$((10#${last#step-}))" < "$tmp/src" > "$tmp/unpadded" ||
  fail "--checkpoint step-N without zero padding refused"
"$nmtx" translate --model "$tmp/run" --checkpoint latest < "$tmp/src" | cmp -s - "$tmp/unpadded" || fail "step-N is not the same checkpoint"
"$nmtx" translate --model "$tmp/run/checkpoints/$last" < "$tmp/src" > /dev/null 2> "$tmp/err" && fail "a checkpoint path as --model was accepted"
grep -q -- "--model $tmp/run/checkpoints/$last is a checkpoint, not a run directory: give --model $tmp/run --checkpoint $last" "$tmp/err" ||
  fail "no suggestion for a checkpoint path: $(cat "$tmp/err")"
"$nmtx" translate --model "$tmp/run" --checkpoint step-99999 < "$tmp/src" > /dev/null 2> "$tmp/err" && fail "a missing checkpoint was accepted"
grep -q "no checkpoint step-99999 in $tmp/run: it has .*$last (and best, latest)" "$tmp/err" || fail "the available checkpoints are not listed: $(cat "$tmp/err")"

# align + aer against the toy task's gold alignments.
"$nmtx" align --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt" -o "$tmp/test.align" --attention "$tmp/att" ||
  fail "align failed"
[ "$(wc -l < "$tmp/test.align")" = 20 ] || fail "align: 20 lines expected"
[ -f "$tmp/att/000019.npy" ] && [ -f "$tmp/att/index.html" ] || fail "align --attention wrote no export"
# numpy reads the matrices with the documented shape: (output tokens with </s>, source tokens).
if /usr/bin/python3 -c "import numpy" 2> /dev/null; then
  /usr/bin/python3 - "$tmp/att" "$tmp/src" "$tmp/tgt" <<'PY' || fail "numpy cannot read the exported matrices with the documented shape"
import json, sys, numpy
d, src, tgt = sys.argv[1], open(sys.argv[2]).read().splitlines(), open(sys.argv[3]).read().splitlines()
for i in range(len(src)):
    m = numpy.load(f"{d}/{i:06d}.npy")
    j = json.load(open(f"{d}/{i:06d}.json"))
    assert m.dtype == numpy.float32 and m.shape == (len(tgt[i].split()) + 1, len(src[i].split())), (i, m.shape)
    assert j["output"][-1] == "</s>" and m.shape == tuple(j["shape"])
    assert numpy.allclose(m.sum(axis=1), 1.0, atol=1e-4)  # every row a distribution over the source
PY
elif [ "${CI:-}" = true ]; then
  fail "python3-numpy is missing (scripts/setup.sh --test-deps installs it)"
fi
# Multi-head attention: numpy reads each head, (heads, output tokens with </s>, source
# tokens), the JSON's "heads" are the same numbers, and their mean is the exported matrix.
"$nmtx" train "$recipe" --out "$tmp/heads" "${tiny[@]}" --set model.attention.score=multi-head --set training.steps=100 \
  > "$tmp/heads.out" 2>&1 || fail "training a multi-head run failed: $(tail -3 "$tmp/heads.out")"
"$nmtx" translate --model "$tmp/heads" -i "$tmp/src" --beam 3 --attention "$tmp/att-heads" > /dev/null 2>&1 ||
  fail "translate --attention of a multi-head run failed"
if /usr/bin/python3 -c "import numpy" 2> /dev/null; then
  /usr/bin/python3 - "$tmp/att-heads" "$tmp/src" <<'PY' || fail "numpy cannot read the exported heads as documented"
import json, os, sys, numpy
d, src = sys.argv[1], open(sys.argv[2]).read().splitlines()
for i in range(len(src)):
    heads, mean = numpy.load(f"{d}/{i:06d}.heads.npy"), numpy.load(f"{d}/{i:06d}.npy")
    j = json.load(open(f"{d}/{i:06d}.json"))
    assert heads.dtype == numpy.float32 and heads.shape == (4,) + mean.shape and mean.shape[1] == len(src[i].split()), (i, heads.shape)
    assert numpy.array_equal(heads, numpy.array(j["heads"], dtype=numpy.float32)), i
    assert numpy.allclose(heads.mean(axis=0), mean, atol=1e-6), i
    assert numpy.allclose(heads.sum(axis=2), 1.0, atol=1e-4), i  # each head a distribution per row
    assert all(os.path.exists(f"{d}/{i:06d}.head-{h}.svg") for h in range(4)), i
PY
elif [ "${CI:-}" = true ]; then
  fail "python3-numpy is missing (scripts/setup.sh --test-deps installs it)"
fi
"$nmtx" aer --gold "$tmp/gold" --test "$tmp/test.align" > "$tmp/aer" || fail "aer failed"
grep -Eq '^AER = 0\.[0-9]{4}$|^AER = 1\.0000$' "$tmp/aer" || fail "aer printed: $(cat "$tmp/aer")"
# align --gold: the same AER on standard error, each sentence's gold links and AER in the export.
"$nmtx" align --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt" --gold "$tmp/gold" --attention "$tmp/att-gold" \
  > /dev/null 2> "$tmp/align-gold.err" || fail "align --gold failed: $(cat "$tmp/align-gold.err")"
grep -q "AER against $tmp/gold: $(sed -n 's/^AER = //p' "$tmp/aer")" "$tmp/align-gold.err" ||
  fail "align --gold's AER differs from nmtx aer's: $(cat "$tmp/align-gold.err") vs $(cat "$tmp/aer")"
/usr/bin/python3 - "$tmp/att-gold" "$tmp/gold" <<'PY' || fail "align --gold's export"
import json, sys
d, gold = sys.argv[1], open(sys.argv[2]).read().splitlines()
for i, line in enumerate(gold):
    j = json.load(open(f"{d}/{i:06d}.json"))
    links = sorted([int(a), int(b)] for a, b in (x.split("-") for x in line.split()))
    assert sorted(j["gold"]["sure"]) == links, (i, j["gold"]["sure"], links)
    rows = len(j["output"]) - 1  # the </s> row has no link
    hard = {(max(range(len(r)), key=r.__getitem__), t) for t, r in enumerate(j["attention"][:rows])}
    sure = {tuple(x) for x in j["gold"]["sure"]}
    aer = 1 - 2 * len(hard & sure) / (len(hard) + len(sure))
    assert abs(aer - j["aer"]) < 1e-12, (i, aer, j["aer"])
    svg = open(f"{d}/{i:06d}.svg").read()
    assert svg.count('class="gold sure"') == len(links), i
PY
head -3 "$tmp/gold" > "$tmp/gold3"
"$nmtx" align --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt" --gold "$tmp/gold3" > /dev/null 2> "$tmp/err" &&
  fail "a gold file of 3 lines for 20 pairs was accepted"
grep -q "gold3: 3 lines for 20 sentence pairs" "$tmp/err" || fail "gold line count: $(cat "$tmp/err")"

# scripts/plot_attention.py reads the export (matplotlib from Debian's python3-matplotlib).
plot=$(dirname "$0")/../../scripts/plot_attention.py
if /usr/bin/python3 -c "import matplotlib" 2> /dev/null; then
  /usr/bin/python3 "$plot" "$tmp/att" --sentences 0 5 --out "$tmp/plots" > /dev/null || fail "plot_attention.py failed"
  [ -s "$tmp/plots/000000.png" ] && [ -s "$tmp/plots/000005.png" ] || fail "plot_attention.py wrote no PNGs"
  /usr/bin/python3 "$plot" "$tmp/nowhere" > /dev/null 2>&1 && fail "plot_attention.py accepted a missing directory"
  # As a user runs it (its own shebang), on an export with an empty line: the empty
  # sentence is skipped with a note, the others are drawn.
  printf '%s\n\n%s\n' "$(sed -n 1p "$tmp/src")" "$(sed -n 2p "$tmp/src")" > "$tmp/with-empty"
  "$nmtx" translate --model "$tmp/run" -i "$tmp/with-empty" --attention "$tmp/att-empty/" > /dev/null 2>&1 ||
    fail "translate --attention DIR/ with an empty line failed"
  "$plot" "$tmp/att-empty" > "$tmp/plot.out" 2> "$tmp/plot.err" || fail "plot_attention.py on an empty sentence: $(cat "$tmp/plot.err")"
  [ -s "$tmp/att-empty/plots/000000.png" ] && [ -s "$tmp/att-empty/plots/000002.png" ] && [ ! -e "$tmp/att-empty/plots/000001.png" ] ||
    fail "plot_attention.py: figures 0 and 2 expected, none for the empty sentence 1"
  grep -q "sentence 1 is empty" "$tmp/plot.err" && grep -q "^2 figures written" "$tmp/plot.out" || fail "plot_attention.py: $(cat "$tmp/plot.out" "$tmp/plot.err")"
  # An interpreter without matplotlib (site-packages off): a message saying what to
  # install, not a traceback.
  /usr/bin/python3 -S "$plot" "$tmp/att" > /dev/null 2> "$tmp/plot.err" && fail "plot_attention.py ran without matplotlib"
  grep -q "python3-matplotlib" "$tmp/plot.err" && ! grep -q Traceback "$tmp/plot.err" || fail "without matplotlib: $(cat "$tmp/plot.err")"
elif [ "${CI:-}" = true ]; then
  fail "python3-matplotlib is missing (scripts/setup.sh --test-deps installs it)"
fi

# nmtx average: the last 3 checkpoints into checkpoints/average-last-3, each parameter the
# float32 rounding of numpy's float64 mean; translate loads it by name.
"$nmtx" average "$tmp/run" --last 3 > "$tmp/average.out" 2>&1 || fail "average failed: $(cat "$tmp/average.out")"
grep -q "averaged 3 checkpoints" "$tmp/average.out" || fail "average: $(cat "$tmp/average.out")"
/usr/bin/python3 - "$tmp/run/checkpoints" <<'PY' || fail "the average is not numpy's"
import json, os, sys
import numpy as np
root = sys.argv[1]
sources = json.load(open(os.path.join(root, "average-last-3", "average.json")))["checkpoints"]
steps = sorted(d for d in os.listdir(root) if d.startswith("step-"))
assert sources == steps[-3:], (sources, steps)
names = sorted(os.listdir(os.path.join(root, "average-last-3", "params")))
assert names and names == sorted(os.listdir(os.path.join(root, sources[0], "params"))), names
for name in names:
    mean = np.mean([np.load(os.path.join(root, s, "params", name)).astype(np.float64) for s in sources], axis=0)
    got = np.load(os.path.join(root, "average-last-3", "params", name))
    assert got.dtype == np.float32 and got.shape == mean.shape, (name, got.dtype, got.shape)
    assert np.array_equal(got, mean.astype(np.float32)), name
PY
"$nmtx" translate --model "$tmp/run" --checkpoint average-last-3 -i "$tmp/src" -o "$tmp/averaged" || fail "translate with the average failed"
[ "$(wc -l < "$tmp/averaged")" = 20 ] || fail "average: 20 translations expected"
"$nmtx" average "$tmp/run" --last 99 > /dev/null 2> "$tmp/err" && fail "averaging 99 checkpoints was accepted"
grep -q "fewer than the 99" "$tmp/err" || fail "average --last 99: $(cat "$tmp/err")"

# Bad input: clear errors, non-zero exits, no output file.
"$nmtx" translate --model "$tmp/none" < "$tmp/src" > /dev/null 2> "$tmp/err" && fail "a missing model was accepted"
grep -q "no such run directory" "$tmp/err" || fail "missing model: $(cat "$tmp/err")"
head -3 "$tmp/tgt" > "$tmp/tgt3"
"$nmtx" score --model "$tmp/run" --src "$tmp/src" --tgt "$tmp/tgt3" -o "$tmp/never" 2> "$tmp/err" && fail "mismatched lines accepted"
grep -q "tgt3: has 3 lines but" "$tmp/err" || fail "mismatch: $(cat "$tmp/err")"
[ ! -e "$tmp/never" ] || fail "an output file was written after an error"
"$nmtx" aer --gold "$tmp/gold" --test "$tmp/tgt3" > /dev/null 2> "$tmp/err" && fail "aer with bad links accepted"
grep -q "tgt3:1: alignment link" "$tmp/err" || fail "aer bad link: $(cat "$tmp/err")"
"$nmtx" translate --model "$tmp/run" --checkpoint step-99999 < "$tmp/src" > /dev/null 2> "$tmp/err" && fail "a missing checkpoint was accepted"
grep -q "checkpoint step-99999" "$tmp/err" || fail "missing checkpoint: $(cat "$tmp/err")"
echo PASS
