#!/usr/bin/env bash
# Tests scripts/get-data.sh against the shared data folder: every set with --from, the
# files and line counts it produces, re-running (a no-op), --force, and bad input (a missing
# file, corrupted copies, an unknown name, a missing --from folder), each of which must fail
# with a message naming the problem and leave nothing behind. The download code is run
# against a file:// mirror built from the shared data (needs curl; skipped without).
#
#   tests/data/get_data_test.sh SHARED_DATA_DIR
#
# Exit status: 0 pass; 1 failures (each printed as "FAIL: ..."); 77 skipped because
# SHARED_DATA_DIR does not exist (1 instead when CI=true, where the data must be there).
set -uo pipefail   # no -e: failing commands are what this test looks at
export LC_ALL=C

repo=$(cd "$(dirname "$0")/../.." && pwd)
script=$repo/scripts/get-data.sh
shared=${1:-}
if [[ -z $shared || ! -d $shared ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: shared data folder '${shared}' not found (required when CI=true)"
    exit 1
  fi
  echo "SKIP: shared data folder '${shared}' not found (usage: $0 SHARED_DATA_DIR)"
  exit 77
fi
shared=$(cd "$shared" && pwd)

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
cd "$work" || exit 1   # the script must not depend on the working directory

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run ARGS...: runs get-data.sh, leaving its exit status in $rc and its output in $out.
run() {
  out=$("$script" "$@" 2>&1)
  rc=$?
}
# expect_ok WHAT: the last run succeeded.
expect_ok() {
  ((rc == 0)) || fail "$1: exit status $rc, expected 0; output:"$'\n'"$out"
}
# expect_error WHAT TEXT...: the last run failed and its output contains every TEXT.
expect_error() {
  local what=$1 text
  shift
  if ((rc == 0)); then
    fail "$what: exit status 0, expected an error; output:"$'\n'"$out"
    return
  fi
  for text in "$@"; do
    [[ $out == *"$text"* ]] || fail "$what: the error does not mention '$text'; output:"$'\n'"$out"
  done
}
# expect_empty WHAT DIR: the --dest DIR, new before the run, is not there after it (no
# NAME, no temporary directory, not even DIR itself).
expect_empty() {
  local -a left=()
  if [[ -e $2 ]]; then
    shopt -s nullglob dotglob
    left=("$2" "$2"/*)
    shopt -u nullglob dotglob
  fi
  ((${#left[@]} == 0)) || fail "$1: left behind: ${left[*]}"
}
# check_lines DIR FILE N...: DIR/FILE exists and has N lines (pairs of FILE N).
check_lines() {
  local dir=$1 n
  shift
  while (($#)); do
    if [[ ! -f $dir/$1 ]]; then
      fail "$dir/$1 is missing"
    else
      n=$(wc -l <"$dir/$1")
      ((n == $2)) || fail "$dir/$1 has $n lines, expected $2"
    fi
    shift 2
  done
}
# flip_byte FILE OFFSET: changes one byte of FILE in place.
flip_byte() {
  local old new='#'
  old=$(dd if="$1" bs=1 skip="$2" count=1 status=none)
  [[ $old != '#' ]] || new='%'
  printf '%s' "$new" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}
# copy_set SUBDIR DEST: copies the shared data's SUBDIR into DEST/SUBDIR.
copy_set() {
  mkdir -p "$2" && cp -R "$shared/$1" "$2/"
}

names=(multi30k iwslt15-en-vi tatoeba-en-fr wmt17-en-de word-alignment)

# Expected files and line counts of each set (see data/README.md).
expect_set() {
  local d=$1/$2 s l
  case $2 in
    multi30k)
      for l in de en; do
        check_lines "$d" train.$l 29000 val.$l 1014 test2016.$l 1000 test2017.$l 1000 \
          raw/train.$l 29000 raw/val.$l 1014 raw/test2016.$l 1000 raw/test2017.$l 1000
      done
      # tok/ is lowercased and tokenised, raw/ is not.
      [[ $(head -n 1 "$d/train.en") == "two young , white males are outside near many bushes ." ]] ||
        fail "$d/train.en does not start with the tokenised lowercased sentence"
      [[ $(head -n 1 "$d/raw/train.en") == "Two young, White males are outside near many bushes." ]] ||
        fail "$d/raw/train.en does not start with the raw sentence" ;;
    iwslt15-en-vi)
      for l in en vi; do
        check_lines "$d" tst2012.$l 1553 tst2013.$l 1268 train.first1000.$l 1000
      done
      check_lines "$d" vocab.en 17191 vocab.vi 7709 ;;
    tatoeba-en-fr)
      check_lines "$d" eng-fra.76k.txt 76037 eng-fra.5k.attrib.tsv 5000 ;;
    wmt17-en-de)
      check_lines "$d" newstest2017-ende-ref.de 3004 expected_scores.tsv 5 \
        toy_bleu_cases/hyps.txt 3 toy_bleu_cases/ref0.txt 3 toy_bleu_cases/ref1.txt 3 \
        toy_bleu_cases/expected.tsv 7 toy_bleu_cases/sentence_cases.tsv 9
      for s in C-3MA.4959 LIUM-NMT.4900 PROMT-Rule-based.4735 uedin-nmt.4722; do
        check_lines "$d" systems/newstest2017.$s.en-de 3004
      done ;;
    word-alignment)
      check_lines "$d" deen_rwth/deen.talp 508 deen_rwth/test.de-en 508 \
        deen_rwth/test.de-en.de 508 deen_rwth/test.de-en.en 508 \
        enfr_hansards/enfr.talp 447 enfr_hansards/test.en-fr 447 \
        enfr_hansards/test.en-fr.en 447 enfr_hansards/test.en-fr.fr 447 \
        roen_wpt2003/roen.talp 248 roen_wpt2003/test.ro-en 248 \
        roen_wpt2003/test.ro-en.ro 248 roen_wpt2003/test.ro-en.en 248 ;;
  esac
  # Independently of the script: sha256sum agrees, and there is no file beyond the list.
  (cd "$d" && sha256sum -c --quiet "$repo/data/$2.sha256") >/dev/null 2>&1 ||
    fail "$d does not pass sha256sum -c data/$2.sha256"
  local -a files
  shopt -s globstar nullglob
  files=("$d"/**)
  shopt -u globstar nullglob
  local nfiles=0 f
  for f in "${files[@]}"; do [[ -f $f ]] && nfiles=$((nfiles + 1)); done
  local nsums
  nsums=$(wc -l <"$repo/data/$2.sha256")
  ((nfiles == nsums)) || fail "$d holds $nfiles files, data/$2.sha256 lists $nsums"
}

# --- usage ------------------------------------------------------------------------------
run --help
expect_ok "--help"
[[ $out == *usage:* ]] || fail "--help prints no usage"
run --list
expect_ok "--list"
for n in "${names[@]}"; do
  [[ $out == *"$n "* ]] || fail "--list does not list $n"
done
(($(printf '%s\n' "$out" | wc -l) == ${#names[@]})) || fail "--list: expected ${#names[@]} lines, got:"$'\n'"$out"

# --- every set from the shared folder ---------------------------------------------------
dest=$work/dest
for n in "${names[@]}"; do
  run "$n" --from "$shared" --dest "$dest"
  expect_ok "$n --from $shared"
  expect_set "$dest" "$n"
done
# Only the sets are there: no temporary directory left.
shopt -s dotglob nullglob
entries=("$dest"/*)
shopt -u dotglob nullglob
((${#entries[@]} == ${#names[@]})) || fail "$dest holds more than the sets: ${entries[*]}"

# --- re-running is a no-op --------------------------------------------------------------
for n in "${names[@]}"; do
  before=$(ls -i -R "$dest/$n")
  run "$n" --from "$shared" --dest "$dest"
  expect_ok "$n again"
  [[ $out == *"nothing to do"* ]] || fail "$n again: no 'nothing to do' message: $out"
  [[ $(ls -i -R "$dest/$n") == "$before" ]] || fail "$n again: the files were replaced"
done

# An existing but altered set is an error suggesting --force; --force replaces it.
flip_byte "$dest/tatoeba-en-fr/eng-fra.5k.attrib.tsv" 10
run tatoeba-en-fr --from "$shared" --dest "$dest"
expect_error "altered existing set" "eng-fra.5k.attrib.tsv" "--force"
run tatoeba-en-fr --from "$shared" --dest "$dest" --force
expect_ok "tatoeba-en-fr --force"
expect_set "$dest" tatoeba-en-fr

# --- a --from folder missing a file -----------------------------------------------------
partial=$work/partial
copy_set multi30k "$partial"
rm "$partial/multi30k/tok/val.lc.norm.tok.en.gz"
run multi30k --from "$partial" --dest "$work/d-missing"
expect_error "missing file" "$partial/multi30k/tok/val.lc.norm.tok.en.gz" "laid out like the shared data folder"
expect_empty "missing file" "$work/d-missing"

# The set's own folder given instead of its parent.
run multi30k --from "$shared/multi30k" --dest "$work/d-own"
expect_error "--from the set's own folder" "$shared/multi30k/multi30k/" "wants the folder that holds it"
expect_empty "--from the set's own folder" "$work/d-own"

# --- corrupted copies -------------------------------------------------------------------
# A plain file with one byte changed: a checksum error naming it, with both checksums.
bad=$work/bad-plain
copy_set iwslt15_en_vi "$bad"
flip_byte "$bad/iwslt15_en_vi/tst2013.vi" 1000
want=$(while read -r sum path; do [[ $path == tst2013.vi ]] && echo "$sum"; done <"$repo/data/iwslt15-en-vi.sha256")
got=$(sha256sum <"$bad/iwslt15_en_vi/tst2013.vi")
got=${got%% *}
run iwslt15-en-vi --from "$bad" --dest "$work/d-plain"
expect_error "corrupted plain file" "checksum mismatch" "tst2013.vi" "$bad/iwslt15_en_vi/tst2013.vi" "$want" "$got"
expect_empty "corrupted plain file" "$work/d-plain"

# A valid gzip file holding one changed byte: a checksum error naming the output and its source.
bad=$work/bad-content
copy_set multi30k "$bad"
f=$bad/multi30k/tok/val.lc.norm.tok.en.gz
gzip -dc "$f" >"$work/val.en" && flip_byte "$work/val.en" 500 && gzip -9n <"$work/val.en" >"$f"
run multi30k --from "$bad" --dest "$work/d-content"
expect_error "corrupted gzip content" "checksum mismatch" "multi30k/val.en" "$f"
expect_empty "corrupted gzip content" "$work/d-content"

# A damaged gzip file: an error naming it.
bad=$work/bad-gzip
copy_set multi30k "$bad"
flip_byte "$bad/multi30k/raw/val.de.gz" 5000
run multi30k --from "$bad" --dest "$work/d-gzip"
expect_error "damaged gzip file" "$bad/multi30k/raw/val.de.gz"
expect_empty "damaged gzip file" "$work/d-gzip"

# --force with bad input keeps the existing copy.
bad=$work/bad-force
copy_set tatoeba_en_fr "$bad"
flip_byte "$bad/tatoeba_en_fr/eng-fra.5k.attrib.tsv" 2000
run tatoeba-en-fr --from "$bad" --dest "$dest" --force
expect_error "--force with a corrupted copy" "eng-fra.5k.attrib.tsv"
expect_set "$dest" tatoeba-en-fr

# --- bad names and folders --------------------------------------------------------------
run frobnicate --from "$shared" --dest "$work/d-name"
expect_error "unknown name" "frobnicate" "${names[@]}"
expect_empty "unknown name" "$work/d-name"
run --from "$shared" --dest "$work/d-name"
expect_error "no name" "${names[@]}"
run multi30k --from "$work/no-such-dir" --dest "$work/d-nodir"
expect_error "missing --from folder" "$work/no-such-dir" "no such directory"
expect_empty "missing --from folder" "$work/d-nodir"
run multi30k --from
expect_error "--from without a folder" "--from needs a directory"
run multi30k --frm "$shared"
expect_error "unknown option" "--frm"

# --- download code, against a file:// mirror (no network here) ---------------------------
# Sets without a single public source refuse to download, naming --from.
for n in iwslt15-en-vi wmt17-en-de; do
  run "$n" --dest "$work/d-online"
  expect_error "$n online" "--from"
  expect_empty "$n online" "$work/d-online"
done
if command -v curl >/dev/null 2>&1; then
  # The same paths as raw.githubusercontent.com, filled from the shared data.
  mirror=$work/mirror
  m30k=$mirror/multi30k/dataset/a3d2e0d26b56f3846f66a952536ffed4e401d05a/data/task1
  tat76=$mirror/Soubhagya264/Language_Translator-Encoder-Decoder-/f6c89651306aa93d2f0f0447ce15b553a530abb0
  tat5=$mirror/NJUxlj/seq2seq-attention-translation/b20755b1c81f2d82526ab967dbc8ec6465f22f14/data
  xalign=$mirror/lisasiyu/Cross-Align/017ba1e044413a66d53b99bfcfe5ec89098e2da3/data
  mkdir -p "$m30k/raw" "$m30k/tok" "$tat76" "$tat5" "$xalign"
  cp "$shared"/multi30k/raw/*.gz "$m30k/raw/"
  for f in "$shared"/multi30k/tok/*.gz; do
    b=${f##*/}
    gzip -dc "$f" >"$m30k/tok/${b%.gz}"   # uncompressed upstream
  done
  # Upstream fra.txt breaks off inside the line after the 76,037 complete ones.
  { gzip -dc "$shared/tatoeba_en_fr/eng-fra.76k.txt.gz"; printf 'Cut off\tCoup'; } >"$tat76/fra.txt"
  cp "$shared/tatoeba_en_fr/eng-fra.5k.attrib.tsv" "$tat5/eng-fra.txt"
  for d in deen_rwth enfr_hansards roen_wpt2003; do
    cp "$shared/word_alignment/$d"/*.talp "$xalign/"
    for f in "$shared/word_alignment/$d"/test.??-??; do cp "$f" "$xalign/"; done
  done
  for n in multi30k tatoeba-en-fr word-alignment; do
    out=$(GET_DATA_GITHUB_RAW=file://$mirror "$script" "$n" --dest "$work/d-mirror" 2>&1)
    rc=$?
    expect_ok "$n from a file:// mirror"
    expect_set "$work/d-mirror" "$n"
  done
  # A changed upstream file: checksum error naming the file and the URL, nothing left.
  flip_byte "$xalign/enfr.talp" 300
  out=$(GET_DATA_GITHUB_RAW=file://$mirror "$script" word-alignment --dest "$work/d-mirror2" 2>&1)
  rc=$?
  expect_error "changed upstream file" "checksum mismatch" "enfr_hansards/enfr.talp" "$xalign/enfr.talp"
  expect_empty "changed upstream file" "$work/d-mirror2"
  # A missing upstream file: an error naming the URL.
  rm "$tat5/eng-fra.txt"
  out=$(GET_DATA_GITHUB_RAW=file://$mirror "$script" tatoeba-en-fr --dest "$work/d-mirror3" 2>&1)
  rc=$?
  expect_error "missing upstream file" "download failed" "$tat5/eng-fra.txt"
  expect_empty "missing upstream file" "$work/d-mirror3"
else
  echo "note: curl not found, the download code was not run"
fi

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "PASS: scripts/get-data.sh"
