#!/usr/bin/env bash
# nmtx report RUN: a small reverse run's report.html holds its results, every learning
# curve (loss, perplexity, BLEU, learning rate, and with the toy task's gold AER and
# entropy) and test BLEU by source length, each watched dev sentence's attention at every
# validation (4 here) with its gold links outlined, and dev translations; opened in headless
# chromium it has no console error and is not blank. A run without snapshots says so; a
# path that is no run is refused.
#   run_report.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" --set validation.every=100 > "$tmp/out" 2>&1 ||
  fail "training: $(tail -3 "$tmp/out")"
"$nmtx" report "$tmp/run" 2> "$tmp/err" || fail "nmtx report: $(cat "$tmp/err")"
grep -q "wrote $tmp/run/report.html" "$tmp/err" || fail "no note of the page written: $(cat "$tmp/err")"
page=$tmp/run/report.html
[ "$(grep -o 'class="chart"' "$page" | wc -l)" = 7 ] || fail "7 charts expected: $(grep -o '<title>[^<]*' "$page" | head -20)"
for title in "training loss" "dev perplexity" "dev BLEU (greedy)" "learning rate" "dev AER (references, forced)" \
             "attention entropy" "test BLEU (greedy) by source length"; do
  grep -q ">$title<" "$page" || fail "no chart \"$title\""
done
[ "$(grep -o '<figure class="heatmap">' "$page" | wc -l)" = 32 ] || fail "8 watched sentences x 4 validations = 32 heatmaps expected"
[ "$(grep -c '^<h3>dev sentence ' "$page")" = 8 ] || fail "a row per watched sentence expected"
/usr/bin/python3 - "$tmp/run" "$page" <<'PY' || fail "the heatmaps are not the snapshots"
import json, re, sys
run, page = sys.argv[1], open(sys.argv[2]).read()
watched = json.load(open(f"{run}/snapshots/sentences.json"))["sentences"]
figures = re.findall(r'<figure class="heatmap"><figcaption>step (\d+)</figcaption>\n(.*?)</figure>', page, re.S)
steps = sorted({int(s) for s, _ in figures})
valid = [json.loads(l)["step"] for l in open(f"{run}/metrics.jsonl") if '"type":"valid"' in l]
assert steps == valid, (steps, valid)
for k, s in enumerate(watched):
    last = figures[k * len(steps) + len(steps) - 1][1]
    assert last.count('class="gold sure"') == len(s["gold"]["sure"]), k
    assert last.count('<rect x=') == (len(s["reference"]) + 1) * len(s["source"]), k  # a cell per row and source token
PY
[ "$(grep -c '^<tr><td>[0-9]</td><td style' "$page")" = 5 ] || fail "5 dev translations expected"

# In a real browser: no console error, not blank.
open_in_chromium "$page" 1280x1600 "$tmp"
[ $? -eq 77 ] && { echo "skipped: no chromium"; exit 77; }
[ "$(grep -o 'class="chart"' "$tmp/dom.html" | wc -l)" = 7 ] || fail "the browser's page lost charts"

# Without snapshots, the page says so; -o writes elsewhere; no run, no page.
"$nmtx" train "$recipe" --out "$tmp/plain" "${tiny[@]}" --set validation.snapshots=0 --set training.steps=200 > /dev/null 2>&1 ||
  fail "training without snapshots"
"$nmtx" report "$tmp/plain" -o "$tmp/plain.html" 2> /dev/null || fail "report -o"
grep -q "This run has no attention snapshots" "$tmp/plain.html" || fail "no note of the missing snapshots"
[ ! -e "$tmp/plain/report.html" ] || fail "-o still wrote RUN/report.html"
"$nmtx" report "$tmp/nowhere" > /dev/null 2> "$tmp/err" && fail "a missing run was accepted"
grep -q "nowhere: no such run directory" "$tmp/err" || fail "missing run: $(cat "$tmp/err")"
mkdir "$tmp/empty"
"$nmtx" report "$tmp/empty" > /dev/null 2> "$tmp/err" && fail "a directory without config.yaml was accepted"
grep -q "config.yaml is missing: not a run directory" "$tmp/err" || fail "not a run: $(cat "$tmp/err")"
[ -z "$(ls "$tmp/empty")" ] || fail "a refused report left files: $(ls "$tmp/empty")"
echo PASS
