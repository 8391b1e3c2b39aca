#!/usr/bin/env bash
# nmtx bleu / nmtx chrf as a user runs them: sacreBLEU's exact lines and signatures for
# WMT17 systems, and clear errors for bad input.
#   bleu_cli.sh NMTX SHARED_DATA
set -uo pipefail
nmtx=$1 shared=$2/wmt17_newstest2017_en-de_systems
if [ ! -d "$shared" ]; then
  [ "${CI:-}" = true ] && { echo "FAIL: $shared missing under CI"; exit 1; }
  echo "skipped: $shared missing"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
zcat "$shared/newstest2017-ende-ref.de.gz" > "$tmp/ref"
zcat "$shared/systems/newstest2017.uedin-nmt.4722.en-de.gz" > "$tmp/uedin"

out=$("$nmtx" bleu "$tmp/ref" < "$tmp/uedin") || fail "nmtx bleu failed"
want='BLEU = 28.30 59.9/34.0/21.8/14.4 (BP = 1.000 ratio = 1.026 hyp_len = 62873 ref_len = 61287)
nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0'
[ "$out" = "$want" ] || fail "bleu printed: $out"
[ "$("$nmtx" bleu "$tmp/ref" -i "$tmp/uedin" --score-only)" = 28.30 ] || fail "--input/--score-only"
zcat "$shared/systems/newstest2017.LIUM-NMT.4900.en-de.gz" > "$tmp/lium"
"$nmtx" bleu "$tmp/ref" --tokenize intl < "$tmp/lium" | head -1 | grep -q '^BLEU = 26.89 ' || fail "intl BLEU of LIUM-NMT is not 26.89"
zcat "$shared/systems/newstest2017.C-3MA.4959.en-de.gz" > "$tmp/c3ma"
[ "$("$nmtx" chrf "$tmp/ref" --eps-smoothing < "$tmp/c3ma" | head -1)" = "chrF2 = 51.95" ] || fail "chrF of C-3MA"
[ "$("$nmtx" chrf "$tmp/ref" --eps-smoothing --word-order 2 < "$tmp/c3ma" | head -1)" = "chrF2++ = 49.17" ] || fail "chrF++ of C-3MA"

# Bad input: mismatched line counts, a missing reference, a bad option value.
head -5 "$tmp/uedin" | "$nmtx" bleu "$tmp/ref" > /dev/null 2> "$tmp/err" && fail "mismatched line counts accepted"
grep -q "has 3004 lines but the hypotheses (standard input) have 5" "$tmp/err" || fail "mismatch message: $(cat "$tmp/err")"
"$nmtx" bleu "$tmp/nothere" < "$tmp/uedin" > /dev/null 2> "$tmp/err" && fail "missing reference accepted"
grep -q "nothere: cannot open" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"
"$nmtx" bleu "$tmp/ref" --tokenize moses < "$tmp/uedin" > /dev/null 2> "$tmp/err" && fail "bad tokenizer accepted"
grep -q "valid: 13a, intl, none" "$tmp/err" || fail "bad tokenizer message: $(cat "$tmp/err")"
echo PASS
