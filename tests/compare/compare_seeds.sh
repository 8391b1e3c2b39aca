#!/usr/bin/env bash
# nmtx compare --seeds N: every variant trained with training seeds 1..N on the same data
# and vocabularies; the table's statistics recomputed from the runs' own summary.json and
# compare.json (mean, sample standard deviation, min, max, each seed's value); a diverged
# seed counted and left out; raising N reuses the finished runs; the learning curves have
# a band.
#   compare_seeds.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
small=("${tiny[@]}" --set training.steps=150 --set validation.every=50 --set compare.sentences=[0])
variants=luong-general,bahdanau

"$nmtx" compare "$recipe" --variants "$variants" --out "$tmp/c" "${small[@]}" --seeds 2 > "$tmp/out2" 2>&1 ||
  fail "compare --seeds 2: $(tail -5 "$tmp/out2")"
"$nmtx" compare "$recipe" --variants "$variants" --out "$tmp/c" "${small[@]}" --seeds 3 --debug-nan bahdanau:60:3 \
  > "$tmp/out3" 2>&1 || fail "compare --seeds 3: $(tail -5 "$tmp/out3")"
[ "$(grep -c 'already evaluated' "$tmp/out3")" = 4 ] || fail "raising the seeds did not reuse the 4 finished runs"
for v in luong-general bahdanau; do
  for d in "$v-seed-2" "$v-seed-3"; do
    for f in src.vocab tgt.vocab data/train.src data/test.tgt; do
      cmp -s "$tmp/c/runs/$v/$f" "$tmp/c/runs/$d/$f" || fail "$d/$f differs from seed 1's: data and vocabularies must not"
    done
  done
  grep -q '"seed": 3' "$tmp/c/runs/$v-seed-3/compare.json" || fail "$v-seed-3/compare.json has no seed 3"
done
grep -q "^  seed: 3$" "$tmp/c/runs/luong-general-seed-3/config.yaml" || fail "seed 3's run was not trained with seed 3"
[ "$(wc -l < "$tmp/c/results.csv")" = 7 ] || fail "results.csv: a header and 6 runs expected"
grep -q '^bahdanau,3,"diverged: step 60' "$tmp/c/results.csv" || fail "the diverged seed is not in results.csv"
grep -q '^| bahdanau | 2 | 1 | ' "$tmp/c/results.md" || fail "the diverged seed is not counted: $(cat "$tmp/c/results.md")"
[ "$(grep -c 'class="band"' "$tmp/c/report.html")" -ge 6 ] || fail "report.html: the curves have no bands"
/usr/bin/python3 - "$tmp/c" <<'PY' || fail "the table does not match the runs' own files"
import json, os, statistics, sys
c = sys.argv[1]
table = {}
for line in open(os.path.join(c, "results.md")):
    cells = [x.strip() for x in line.strip().strip("|").split("|")]
    if cells[0] in ("luong-general", "bahdanau"):
        table[cells[0]] = cells
def fmt(values, d):
    if len(values) == 1:
        return f"{values[0]:.{d}f}"
    return (f"{statistics.mean(values):.{d}f} ± {statistics.stdev(values):.{d}f} "
            f"({min(values):.{d}f}–{max(values):.{d}f})")
for v in ("luong-general", "bahdanau"):
    greedy, beam, each = [], [], []
    for seed in (1, 2, 3):
        run = os.path.join(c, "runs", v if seed == 1 else f"{v}-seed-{seed}")
        row = json.load(open(os.path.join(run, "compare.json")))
        if row["status"] != "ok":
            each.append(f"{seed}: diverged")
            continue
        summary = json.load(open(os.path.join(run, "summary.json")))
        greedy.append(summary["test_bleu"])
        beam.append(row["test_bleu_beam"])
        each.append(f"{seed}: {row['test_bleu_beam']:.2f}")
    cells = table[v]
    assert cells[1] == str(len(beam)), (v, cells)
    assert cells[3] == fmt(beam, 2), (v, cells[3], fmt(beam, 2))
    assert cells[4] == fmt(greedy, 2), (v, cells[4], fmt(greedy, 2))
    assert cells[-1] == ", ".join(each), (v, cells[-1])
print("table checked against", sum(1 for _ in table), "variants' runs")
PY
echo "PASS"
