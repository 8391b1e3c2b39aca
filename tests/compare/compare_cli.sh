#!/usr/bin/env bash
# nmtx compare on small versions of the reverse recipe: the table (Markdown, CSV) has a
# row per variant with numbers taken from the runs' own files; a diverging variant is
# reported, not dropped; a killed comparison resumes to the same table; report.html
# shows a heatmap per variant and fixed sentence and three learning curves, checked in
# headless chromium (no console errors, not blank).
#   compare_cli.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small=("${tiny[@]}" --set training.steps=150 --set validation.every=50 --set compare.sentences=[0,4])
variants=luong-general,local-p,bahdanau

"$nmtx" compare "$recipe" --variants "$variants" --out "$tmp/c" "${small[@]}" --debug-nan bahdanau:60 > "$tmp/out" 2>&1 ||
  fail "compare failed: $(tail -5 "$tmp/out")"
for f in results.md results.csv report.html compare.yaml runs/luong-general/compare.json runs/local-p/summary.json; do
  [ -e "$tmp/c/$f" ] || fail "missing $f"
done
[ "$(grep -c '^| ' "$tmp/c/results.md")" = 4 ] || fail "results.md: a header and 3 rows expected: $(cat "$tmp/c/results.md")"
grep -q '^| bahdanau | diverged: step 60: the gradient norm is nan' "$tmp/c/results.md" || fail "the diverged variant is not reported"
[ "$(wc -l < "$tmp/c/results.csv")" = 4 ] || fail "results.csv: 4 lines expected"
# Every number comes from the run's own files: the greedy BLEU is summary.json's test_bleu.
bleu=$(sed -n 's/.*"test_bleu": \([0-9.e+-]*\),*$/\1/p' "$tmp/c/runs/local-p/summary.json")
csv_bleu=$(grep '^local-p,' "$tmp/c/results.csv" | cut -d, -f8)
awk -v a="$bleu" -v b="$csv_bleu" 'BEGIN { d = a - b; exit !(d < 1e-3 && d > -1e-3) }' || fail "CSV BLEU $csv_bleu != summary $bleu"
# BLEU by source length: every test sentence in one bucket of each trained variant.
/usr/bin/python3 - "$tmp/c/runs/local-p/compare.json" <<'PY' || fail "compare.json: BLEU by source length"
import json, sys
row = json.load(open(sys.argv[1]))
assert sum(b["sentences"] for b in row["buckets"]) == 100, row["buckets"]
assert all(0 <= b["bleu"] <= 100 and b["from"] <= b["to"] for b in row["buckets"]), row["buckets"]
PY
grep -q 'test BLEU (beam) by source length' "$tmp/c/report.html" || fail "report.html has no BLEU-by-length chart"
grep '^local-p,' "$tmp/c/results.csv" | cut -d, -f10 | grep -Eq '^0\.[0-9]+$|^1\.0+$' || fail "local-p has no AER against the toy gold"
# The heatmaps of report.html outline the toy task's gold links of each fixed sentence.
for i in 0 4; do
  links=$(sed -n "$((i + 1))p" "$tmp/c/runs/local-p/data/test.align" | wc -w)
  marks=$(grep -o 'class="gold sure"' "$tmp/c/runs/local-p/compare_attention/00000$i.svg" | wc -l)
  [ "$links" -gt 0 ] && [ "$marks" = "$links" ] || fail "sentence $i: $marks gold marks for $links gold links"
done
[ "$(grep -o 'class="gold sure"' "$tmp/c/report.html" | wc -l)" -gt 0 ] || fail "report.html draws no gold links"
grep -q 'gold link (sure' "$tmp/c/report.html" || fail "report.html's heatmaps have no legend for the gold marks"

# Resume: a rerun keeps everything; a comparison killed mid-way finishes on rerun with the same table.
"$nmtx" compare "$recipe" --variants "$variants" --out "$tmp/c" "${small[@]}" > "$tmp/again" 2>&1 || fail "rerun failed"
[ "$(grep -c 'already evaluated' "$tmp/again")" = 3 ] || fail "the rerun did not reuse the finished variants"
# Killed (SIGKILL, from inside: the moment is the same on every machine) once local-p, the
# second variant, has taken step 80 of 150: luong-general finished and evaluated, local-p
# in the middle of training with checkpoints behind it.
"$nmtx" compare "$recipe" --variants luong-general,local-p --out "$tmp/k" "${small[@]}" --debug-kill local-p:80 \
  > "$tmp/k.out" 2>&1
status=$?
[ "$status" = 137 ] || fail "the comparison was not killed (status $status): $(tail -3 "$tmp/k.out")"
[ -e "$tmp/k/runs/luong-general/compare.json" ] || fail "luong-general was not evaluated before the kill"
[ -e "$tmp/k/runs/local-p/checkpoints/latest" ] || fail "local-p had no checkpoint when killed"
[ ! -e "$tmp/k/runs/local-p/summary.json" ] && [ ! -e "$tmp/k/results.md" ] || fail "nothing was interrupted"
"$nmtx" compare "$recipe" --variants luong-general,local-p --out "$tmp/k" "${small[@]}" > "$tmp/k.resumed" 2>&1 ||
  fail "resumed comparison failed: $(tail -3 "$tmp/k.resumed")"
[ "$(grep -c "already evaluated" "$tmp/k.resumed")" = 1 ] || fail "the finished variant was not reused: $(head -3 "$tmp/k.resumed")"
grep -q "resuming from .*local-p/checkpoints/step-000000[0-9][0-9]" "$tmp/k.resumed" ||
  fail "local-p did not resume from its checkpoint: $(grep -m3 local-p "$tmp/k.resumed")"
diff <(grep -v '^|---' "$tmp/c/results.md" | head -3 | cut -d'|' -f2,3,4,5,8,9,10,11,12,13) \
     <(grep -v '^|---' "$tmp/k/results.md" | cut -d'|' -f2,3,4,5,8,9,10,11,12,13) > "$tmp/diff" ||
  fail "the resumed comparison's table differs (times aside): $(cat "$tmp/diff")"
"$nmtx" compare "$recipe" --variants luong-general --out "$tmp/c" "${small[@]}" --set training.seed=9 > /dev/null 2> "$tmp/err" &&
  fail "a different recipe reused the directory"
grep -q "holds a different recipe: training.seed is 1 there and 9 here" "$tmp/err" || fail "reuse message: $(cat "$tmp/err")"
# More budget for a finished comparison: each variant resumes to 200 steps (it validated
# at its old end, step 150, as a 200-step run does), the table is remade, and a variant's
# run equals the same variant trained for 200 steps from the start.
"$nmtx" compare "$recipe" --variants luong-general,local-p --out "$tmp/k" "${small[@]}" --set training.steps=200 \
  > "$tmp/k2.out" 2>&1 || fail "more budget: $(tail -3 "$tmp/k2.out")"
[ "$(grep -c 'had finished at step 150 (steps); training on' "$tmp/k2.out")" = 2 ] || fail "the variants were not resumed: $(tail -5 "$tmp/k2.out")"
grep -q '"steps": 200' "$tmp/k/runs/local-p/summary.json" || fail "local-p did not train to step 200"
"$nmtx" train "$recipe" --out "$tmp/lp200" "${small[@]}" --set training.steps=200 --set model.attention.type=local-p \
  > /dev/null 2>&1 || fail "local-p, 200 steps from the start"
cmp -s "$tmp/lp200/metrics.jsonl" "$tmp/k/runs/local-p/metrics.jsonl" || fail "local-p resumed to 200 steps differs from 200 steps at once"
cmp -s "$tmp/lp200/test.hyp" "$tmp/k/runs/local-p/test.hyp" || fail "local-p's test translations differ"
grep -q "steps: 200" "$tmp/k/compare.yaml" || fail "compare.yaml does not record the new budget"
"$nmtx" compare "$recipe" --variants luong-general,local-p --out "$tmp/k" "${small[@]}" --set training.steps=200 \
  > "$tmp/k3.out" 2>&1 || fail "rerun after more budget"
[ "$(grep -c 'already evaluated' "$tmp/k3.out")" = 2 ] || fail "the rerun with the same budget did not reuse the variants"
"$nmtx" compare "$recipe" --variants luong-nonsense --out "$tmp/x" > /dev/null 2> "$tmp/err" && fail "a bad variant was accepted"
grep -q "luong-general" "$tmp/err" || fail "bad variant message lists no valid names: $(cat "$tmp/err")"
"$nmtx" compare --help | grep -q "local-p" || fail "compare --help does not list the variants"

# The report in a real browser.
open_in_chromium "$tmp/c/report.html" 1300x1600 "$tmp"
[ $? -eq 77 ] && { echo "PASS (browser check skipped: no chromium)"; exit 0; }
[ "$(grep -o 'class="heatmap"' "$tmp/dom.html" | wc -l)" = 4 ] || fail "2 sentences × 2 trained variants = 4 heatmaps expected"
[ "$(grep -o 'class="chart"' "$tmp/dom.html" | wc -l)" = 4 ] || fail "3 learning-curve charts and the length chart expected"
echo PASS
