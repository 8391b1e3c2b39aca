#!/usr/bin/env bash
# nmtx bleu -i BASELINE SYSTEM ... --paired-bs / --paired-ar as sacreBLEU 2.6 runs them:
# -f json prints sacreBLEU's JSON with its numbers (../shared/data's golden files: every
# BLEU, chrF2 and TER score, mean, interval and p-value, equal as printed); nmtx ter prints
# sacreBLEU's TER for each of its options (ter.tsv); the table marks
# p < 0.05, signatures name the test; SACREBLEU_SEED is read as sacreBLEU reads it; bad
# usage is refused with what to type.
#   significance_cli.sh NMTX SHARED_DATA
set -uo pipefail
nmtx=$1 shared=$2/wmt17_newstest2017_en-de_systems
if [ ! -d "$shared/expected_significance" ]; then
  [ "${CI:-}" = true ] && { echo "FAIL: $shared/expected_significance missing under CI"; exit 1; }
  echo "skipped: $shared/expected_significance missing"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp" || exit 1
zcat "$shared/newstest2017-ende-ref.de.gz" > ref
zcat "$shared/systems/newstest2017.uedin-nmt.4722.en-de.gz" > uedin
for m in mix-uedin-lium-20 mix-uedin-lium-7 mix-uedin-c3ma-15; do zcat "$shared/expected_significance/$m.de.gz" > "$m.de"; done
systems=(uedin mix-uedin-lium-20.de mix-uedin-lium-7.de mix-uedin-c3ma-15.de)

for test in bs ar; do
  "$nmtx" bleu ref -i "${systems[@]}" -m bleu chrf ter --paired-$test -f json > "$test.json" 2> err || fail "--paired-$test: $(cat err)"
  /usr/bin/python3 - "$test.json" "$shared/expected_significance/paired-$test.json" <<'PY' || fail "--paired-$test -f json differs from sacreBLEU 2.6.0's"
import json, sys
got, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert len(got) == len(want) == 4, len(got)
assert got[0]["system"] == "Baseline: uedin" and [g["system"] for g in got[1:]] == [w["system"] for w in want[1:]], [g["system"] for g in got]
assert list(got[0].keys()) == ["system", "BLEU", "chrF2", "TER"], list(got[0].keys())  # sacreBLEU's order
for g, w in zip(got, want):
    for metric in ("BLEU", "chrF2", "TER"):
        assert list(g[metric].keys()) == ["score", "p_value", "mean", "ci"], g[metric].keys()
        assert g[metric] == w[metric], (g["system"], metric, g[metric], w[metric])
PY
done
grep -q '^        "system": "Baseline: uedin",$' bs.json || fail "the JSON is not indented as sacreBLEU's json.dumps(indent=4)"

# nmtx ter: sacreBLEU's TER (-b -w 4) of four WMT17 systems with each option, and its signature.
while IFS=$'\t' read -r system option want; do
  [ "$system" = system ] && continue
  zcat "$shared/systems/$system.gz" > hyp
  opts=()
  [ "$option" = "(defaults)" ] || opts=("$option")
  got=$("$nmtx" ter ref "${opts[@]}" --score-only -w 4 < hyp 2> err) || fail "nmtx ter $option: $(cat err)"
  [ "$(printf '%.4f' "$got")" = "$want" ] || fail "TER of $system with $option: $got, sacreBLEU $want"
done < "$shared/expected_significance/ter.tsv"
[ "$("$nmtx" ter ref --ter-normalized < uedin | tail -1)" = "nrefs:1|case:lc|tok:tercom|norm:yes|punct:yes|asian:no|version:2.0.0" ] ||
  fail "TER's signature"

# Without a test, sacreBLEU's JSON holds each system's formatted score.
"$nmtx" bleu ref -i uedin mix-uedin-lium-7.de -m bleu chrf -f json > plain.json || fail "-f json without a test"
/usr/bin/python3 -c "
import json, sys
got = json.load(open('plain.json'))
assert got == [{'system': 'uedin', 'BLEU': '28.3', 'chrF2': '57.7'}, {'system': 'mix-uedin-lium-7.de', 'BLEU': '28.1', 'chrF2': '57.5'}], got
" || fail "-f json without a test: $(cat plain.json)"

# The table: one row per system, p-values with * below 0.05, the signature with the test.
"$nmtx" bleu ref -i "${systems[@]}" --paired-bs > table || fail "the table"
grep -q '^mix-uedin-lium-20.de  *28.3 (28.3 ± 0.7) p = 0.0999$' table || fail "row of lium-20: $(cat table)"
grep -q '^mix-uedin-lium-7.de  *28.1 (28.1 ± 0.7) p = 0.0020\*$' table || fail "row of lium-7: $(cat table)"
grep -qx 'BLEU: nrefs:1|bs:1000|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0' table || fail "signature: $(cat table)"
"$nmtx" chrf ref -i uedin mix-uedin-lium-7.de --paired-ar --paired-n 500 | grep -qx 'chrF2: nrefs:1|ar:500|seed:12345|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.0.0' ||
  fail "chrf --paired-ar's signature"

# SACREBLEU_SEED as sacreBLEU reads it: another seed, other draws; "none" from the system.
SACREBLEU_SEED=7 "$nmtx" bleu ref -i uedin mix-uedin-lium-20.de --paired-bs -f json > seed7.json || fail "SACREBLEU_SEED=7"
cmp -s seed7.json <("$nmtx" bleu ref -i uedin mix-uedin-lium-20.de --paired-bs -f json) && fail "SACREBLEU_SEED=7 gave seed 12345's numbers"
SACREBLEU_SEED=None "$nmtx" bleu ref -i uedin mix-uedin-lium-20.de --paired-bs | grep -q "seed:none" || fail "SACREBLEU_SEED=None"
SACREBLEU_SEED=x1 "$nmtx" bleu ref -i uedin mix-uedin-lium-20.de --paired-bs > /dev/null 2> err && fail "SACREBLEU_SEED=x1 accepted"
grep -q 'SACREBLEU_SEED="x1": expected a non-negative integer or "none"' err || fail "seed message: $(cat err)"

# Bad usage: a test without a system to compare, both tests, an unknown metric, unequal systems.
"$nmtx" bleu ref -i uedin --paired-bs > /dev/null 2> err && fail "a paired test of one system accepted"
grep -q "needs a baseline and at least one system: -i BASELINE SYSTEM" err || fail "one system: $(cat err)"
"$nmtx" bleu ref -i uedin uedin --paired-bs --paired-ar > /dev/null 2> err && fail "both tests accepted"
"$nmtx" bleu ref -i uedin uedin -m bleu meteor > /dev/null 2> err && fail "an unknown metric accepted"
grep -q '"meteor" is not one of' err || fail "unknown metric: $(cat err)"
head -5 uedin > short
"$nmtx" bleu ref -i uedin short --paired-bs > /dev/null 2> err && fail "systems of different lengths accepted"
grep -q "short.*has 5 lines but uedin has 3004" err || fail "unequal systems: $(cat err)"
echo "ok"
