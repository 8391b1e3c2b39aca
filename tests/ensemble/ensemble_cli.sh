#!/usr/bin/env bash
# nmtx translate / score / align with several --model (decode/ensemble.h), as a user runs
# them: two small runs that differ only in training.seed (so they share vocabularies) and
# a third on another task (another target vocabulary).
#   - a model with itself translates identically (greedy; n-best lists hold the same
#     hypotheses) and scores identically (the mean of two equal numbers); that one member
#     is the model bit for bit is tests/test_ensemble.cpp's;
#   - two models: translations, scores (the mean of the members', to 1e-9) and alignments;
#     the attention export holds each member's attention and heatmap;
#   - members with different target vocabularies are refused, naming both runs.
#   ensemble_cli.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
source "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
for seed in 1 2; do
  "$nmtx" train "$recipe" --out "$tmp/s$seed" "${tiny[@]}" --set training.seed=$seed > "$tmp/s$seed.out" 2>&1 ||
    fail "training seed $seed: $(tail -3 "$tmp/s$seed.out")"
done
"$nmtx" train "$recipe" --out "$tmp/other" "${tiny[@]}" --set data.toy.symbols=12 --set training.steps=20 > /dev/null 2>&1 ||
  fail "training the other run"
head -40 "$tmp/s1/data/test.src" > "$tmp/src"
head -40 "$tmp/s1/data/test.tgt" > "$tmp/tgt"
A=(--model "$tmp/s1") B=(--model "$tmp/s2")

for beam in "--beam 1" "--beam 4 --n-best 2"; do
  "$nmtx" translate "${A[@]}" $beam -i "$tmp/src" > "$tmp/a.txt" || fail "translate"
  "$nmtx" translate "${A[@]}" "${A[@]}" $beam -i "$tmp/src" > "$tmp/aa.txt" || fail "translate A A"
  if [ "$beam" = "--beam 1" ]; then
    cmp -s "$tmp/a.txt" "$tmp/aa.txt" || fail "a model with itself translates differently ($beam)"
  else  # n-best scores: the same up to the float rounding of the averaged row
    diff <(cut -d'|' -f1-4 "$tmp/a.txt") <(cut -d'|' -f1-4 "$tmp/aa.txt") > /dev/null ||
      fail "a model with itself gives other n-best lists"
  fi
done
"$nmtx" score "${A[@]}" --src "$tmp/src" --tgt "$tmp/tgt" --per-token > "$tmp/a.score" 2> /dev/null || fail "score"
"$nmtx" score "${A[@]}" "${A[@]}" --src "$tmp/src" --tgt "$tmp/tgt" --per-token > "$tmp/aa.score" 2> /dev/null
cmp -s "$tmp/a.score" "$tmp/aa.score" || fail "a model with itself scores differently"

"$nmtx" translate "${A[@]}" "${B[@]}" --beam 3 -i "$tmp/src" --attention "$tmp/att" > "$tmp/ab.txt" 2> /dev/null ||
  fail "translate A B"
[ "$(wc -l < "$tmp/ab.txt")" -eq 40 ] || fail "translate A B: $(wc -l < "$tmp/ab.txt") lines for 40"
"$nmtx" score "${B[@]}" --src "$tmp/src" --tgt "$tmp/tgt" > "$tmp/b.score1" 2> /dev/null
"$nmtx" score "${A[@]}" --src "$tmp/src" --tgt "$tmp/tgt" > "$tmp/a.score1" 2> /dev/null
"$nmtx" score "${A[@]}" "${B[@]}" --src "$tmp/src" --tgt "$tmp/tgt" > "$tmp/ab.score" 2> /dev/null || fail "score A B"
paste "$tmp/a.score1" "$tmp/b.score1" "$tmp/ab.score" | awk '{ d = ($1 + $2) / 2 - $3; if (d < -1e-9 || d > 1e-9) bad++ }
  END { exit bad > 0 }' || fail "an ensemble's score is not the mean of its members'"
"$nmtx" align "${A[@]}" "${B[@]}" --src "$tmp/src" --tgt "$tmp/tgt" > "$tmp/ab.align" || fail "align A B"
[ "$(wc -l < "$tmp/ab.align")" -eq 40 ] || fail "align A B: wrong line count"
/usr/bin/python3 - "$tmp/att" "$tmp/s1" "$tmp/s2" <<'PY' || fail "the export lacks the members' attention"
import json, os, sys
att, s1, s2 = sys.argv[1:]
j = json.load(open(os.path.join(att, "000000.json")))
assert [m["model"] for m in j["members"]] == [s1, s2], j["members"]
for m in j["members"]:
    assert len(m["attention"]) == len(j["attention"]) and len(m["attention"][0]) == len(m["source"])
# Members reading the source alike: the exported attention is their mean.
for t, row in enumerate(j["attention"]):
    for s, w in enumerate(row):
        mean = (j["members"][0]["attention"][t][s] + j["members"][1]["attention"][t][s]) / 2
        assert abs(w - mean) < 1e-4, (t, s, w, mean)
assert os.path.exists(os.path.join(att, "000000.member-1.svg"))
PY

"$nmtx" translate "${A[@]}" --model "$tmp/other" -i "$tmp/src" > /dev/null 2> "$tmp/err" && fail "different vocabularies accepted"
grep -q "ensemble: $tmp/other and $tmp/s1 have different target vocabularies (id .*)" "$tmp/err" ||
  fail "unclear error: $(cat "$tmp/err")"
echo "PASS"
