#!/usr/bin/env bash
# Puts a real corpus into data/NAME/ (git-ignored), decompressed, and checks every file
# against the SHA-256 sums kept in the project (data/NAME.sha256).
#
#   scripts/get-data.sh NAME                download from the public upstream sources
#   scripts/get-data.sh NAME --from DIR     copy from a local folder laid out like the
#                                           shared data folder (DIR/multi30k/tok/..., DIR/
#                                           iwslt15_en_vi/..., see data/README.md)
#   scripts/get-data.sh --list              the names, one line each
#   scripts/get-data.sh --help
#
# Options: --dest DIR puts the set in DIR/NAME instead of data/NAME; --force replaces an
# existing DIR/NAME. Without --force an existing DIR/NAME is left alone: exit 0 if it
# matches data/NAME.sha256, an error otherwise.
#
# How it works: the files are fetched or copied into a temporary directory next to the
# destination, decompressed, and verified against data/NAME.sha256; only then is that
# directory renamed to DIR/NAME. On any error nothing is left behind (an EXIT trap removes
# the temporary directory). Exit status: 0 success, 1 bad data or failed download, 2 bad
# usage. Needs bash, coreutils, gzip and sha256sum, plus curl or wget for downloads.
set -euo pipefail
export LC_ALL=C   # the data is handled byte for byte

prog=get-data
repo_root=$(cd "$(dirname "$0")/.." && pwd)
sums_dir=$repo_root/data   # data/NAME.sha256 are committed: the reference for every set

NAMES=(multi30k iwslt15-en-vi tatoeba-en-fr wmt17-en-de word-alignment)

# Public upstream sources (online mode), pinned at the commits recorded in the shared
# data folder's README. raw.githubusercontent.com serves a file of a commit as is.
# GET_DATA_GITHUB_RAW replaces that host, e.g. by a file:// mirror with the same paths
# (with curl): the test uses it to run the download code without a network.
github_raw=${GET_DATA_GITHUB_RAW:-https://raw.githubusercontent.com}
MULTI30K_URL=$github_raw/multi30k/dataset/a3d2e0d26b56f3846f66a952536ffed4e401d05a/data/task1
TATOEBA_76K_URL=$github_raw/Soubhagya264/Language_Translator-Encoder-Decoder-/f6c89651306aa93d2f0f0447ce15b553a530abb0/fra.txt
TATOEBA_5K_URL=$github_raw/NJUxlj/seq2seq-attention-translation/b20755b1c81f2d82526ab967dbc8ec6465f22f14/data/eng-fra.txt
CROSS_ALIGN_URL=$github_raw/lisasiyu/Cross-Align/017ba1e044413a66d53b99bfcfe5ec89098e2da3/data

err() { printf '%s: error: %s\n' "$prog" "$*" >&2; }
die() { err "$@"; exit 1; }
usage_error() {
  printf '%s: %s\n' "$prog" "$*" >&2
  echo "run 'scripts/get-data.sh --help' for usage" >&2
  exit 2
}
say() { printf '%s: %s\n' "$prog" "$*"; }

usage() {
  cat <<EOF
usage: scripts/get-data.sh NAME [--from DIR] [--dest DIR] [--force]
       scripts/get-data.sh --list | --help

Puts corpus NAME into data/NAME/ (decompressed) and verifies every file against the
SHA-256 sums in data/NAME.sha256. Names:
$(list_names "  ")

  --from DIR   copy from a local folder laid out like the shared data folder
               (DIR/multi30k/tok/train.lc.norm.tok.de.gz, DIR/iwslt15_en_vi/tst2012.en,
               ...; see data/README.md) instead of downloading
  --dest DIR   put the set in DIR/NAME (default: data/ at the repository root)
  --force      replace an existing DIR/NAME
  --list       list the names, one per line
  --help       this text

Without --from the public upstream sources are downloaded with curl or wget; this works
for multi30k, tatoeba-en-fr and word-alignment. iwslt15-en-vi and wmt17-en-de have no
single public file to download and need --from.
EOF
}

# One line per name: the name and what it holds (each line starts with $1, if given).
list_names() {
  local n
  for n in "${NAMES[@]}"; do printf '%s%-15s %s\n' "${1:-}" "$n" "$(describe "$n")"; done
}

describe() {
  case $1 in
    multi30k) echo "Multi30k task 1 de-en: train/val/test2016/test2017, tokenised lowercased and raw" ;;
    iwslt15-en-vi) echo "IWSLT'15 en-vi (Stanford): tst2012, tst2013, vocab, first 1000 training lines (--from only)" ;;
    tatoeba-en-fr) echo "Tatoeba en-fr pairs: 76k short pairs and 5k pairs with attribution" ;;
    wmt17-en-de) echo "WMT17 newstest2017 en-de: 4 system outputs, reference, expected scores, toy BLEU cases (--from only)" ;;
    word-alignment) echo "gold word alignments: de-en RWTH, en-fr Hansards, ro-en WPT2003" ;;
  esac
}

is_name() {
  local n
  for n in "${NAMES[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# The folder of NAME inside a --from DIR (the shared data folder's layout).
source_dir() {
  case $1 in
    multi30k) echo multi30k ;;
    iwslt15-en-vi) echo iwslt15_en_vi ;;
    tatoeba-en-fr) echo tatoeba_en_fr ;;
    wmt17-en-de) echo wmt17_newstest2017_en-de_systems ;;
    word-alignment) echo word_alignment ;;
  esac
}

# The --from manifest of NAME: one line "SOURCE OUTPUT" per file, SOURCE relative to the
# --from DIR, OUTPUT relative to DIR/NAME. A SOURCE ending in .gz is decompressed.
manifest() {
  local pair split out l f s dir code a b
  case $1 in
    multi30k)
      # Simple names for recipes: test2016 = test_2016_flickr, test2017 = test_2017_flickr.
      for pair in train:train val:val test_2016_flickr:test2016 test_2017_flickr:test2017; do
        split=${pair%%:*} out=${pair#*:}
        for l in de en; do
          echo "multi30k/tok/$split.lc.norm.tok.$l.gz $out.$l"
          echo "multi30k/raw/$split.$l.gz raw/$out.$l"
        done
      done ;;
    iwslt15-en-vi)
      for f in tst2012 tst2013 vocab train.first1000; do
        for l in en vi; do echo "iwslt15_en_vi/$f.$l $f.$l"; done
      done ;;
    tatoeba-en-fr)
      echo "tatoeba_en_fr/eng-fra.76k.txt.gz eng-fra.76k.txt"
      echo "tatoeba_en_fr/eng-fra.5k.attrib.tsv eng-fra.5k.attrib.tsv" ;;
    wmt17-en-de)
      dir=wmt17_newstest2017_en-de_systems
      echo "$dir/newstest2017-ende-ref.de.gz newstest2017-ende-ref.de"
      for s in C-3MA.4959 LIUM-NMT.4900 PROMT-Rule-based.4735 uedin-nmt.4722; do
        echo "$dir/systems/newstest2017.$s.en-de.gz systems/newstest2017.$s.en-de"
      done
      echo "$dir/expected_scores.tsv expected_scores.tsv"
      for f in expected.tsv hyps.txt ref0.txt ref1.txt sentence_cases.tsv; do
        echo "$dir/toy_bleu_cases/$f toy_bleu_cases/$f"
      done ;;
    word-alignment)
      for pair in deen_rwth:deen:de-en enfr_hansards:enfr:en-fr roen_wpt2003:roen:ro-en; do
        IFS=: read -r dir code l <<<"$pair"
        a=${l%-*} b=${l#*-}
        for f in "$code.talp" "test.$l" "test.$l.$a" "test.$l.$b"; do
          echo "word_alignment/$dir/$f $dir/$f"
        done
      done ;;
  esac
}

# Where each staged output came from (a path or a URL), for error messages.
declare -A origin=()

# gunzip_to SRC OUT: decompresses SRC into OUT, or fails naming SRC.
gunzip_to() {
  local msg
  if ! msg=$(gzip -dc -- "$1" 2>&1 >"$2"); then
    msg=${msg//$'\n'/ }
    msg=${msg##*"$1: "}   # keep gzip's reason, without its "gzip: FILE: " prefix
    die "$1: not a valid gzip file (${msg:-gzip failed}); expected a gzip-compressed text file"
  fi
}

# stage_from_dir FROM STAGE NAME: copies (and decompresses) NAME's files from FROM.
stage_from_dir() {
  local from=$1 stage=$2 name=$3 src out first='' n=0
  local -a missing=()
  # Every source must be there before anything is written.
  while read -r src out <&3; do
    [[ -n $first ]] || first=$src
    [[ -f $from/$src ]] || missing+=("$from/$src")
  done 3< <(manifest "$name")
  if ((${#missing[@]})); then
    if [[ -d $from/$(source_dir "$name") ]]; then
      for src in "${missing[@]}"; do err "missing file: $src"; done
    else
      err "missing folder: $from/$(source_dir "$name")/ (none of the ${#missing[@]} files of $name are there)"
    fi
    local hint=
    if [[ $(basename -- "$from") == "$(source_dir "$name")" ]]; then
      hint=" (you gave the set's own folder; --from wants the folder that holds it)"
    fi
    die "--from DIR must be laid out like the shared data folder, with $name in" \
        "DIR/$(source_dir "$name")/ (e.g. $from/$first); see data/README.md$hint"
  fi
  say "$name: copying from $from"
  while read -r src out <&3; do
    mkdir -p -- "$stage/$(dirname -- "$out")"
    if [[ $src == *.gz ]]; then
      gunzip_to "$from/$src" "$stage/$out"
    else
      cp -- "$from/$src" "$stage/$out"
    fi
    origin[$out]=$from/$src
    n=$((n + 1))
  done 3< <(manifest "$name")
  say "$name: $n files copied"
}

# download URL FILE: fetches URL into FILE with curl or wget, or fails naming the URL.
download() {
  local url=$1 file=$2
  mkdir -p -- "$(dirname -- "$file")"
  say "  $url"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --connect-timeout 30 -o "$file" "$url" ||
      die "download failed (curl exit status $?): $url; check the connection or use --from DIR"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 --timeout=30 -O "$file" "$url" ||
      die "download failed (wget exit status $?): $url; check the connection or use --from DIR"
  else
    die "downloading needs curl or wget; install one, or use --from DIR"
  fi
}

# split_bitext FILE LEFT RIGHT: splits "left ||| right" lines into the two sides with
# whitespace normalised (token k = k-th whitespace-separated token), as the shared data
# folder's test.xx-yy.xx / test.xx-yy.yy were made. Checked there: byte-identical.
split_bitext() {
  local line
  local -a l r
  while IFS= read -r line || [[ -n $line ]]; do
    read -ra l <<<"${line%%|||*}"
    read -ra r <<<"${line#*|||}"
    printf '%s\n' "${l[*]}" >&3
    printf '%s\n' "${r[*]}" >&4
  done <"$1" 3>"$2" 4>"$3"
}

# Sets that have no single public file to download; online mode refuses them.
online_unsupported_reason() {
  case $1 in
    iwslt15-en-vi) echo "it is a partial set assembled from several repositories (tst2012/tst2013 extracted" \
      "from .tgz archives, the first 1000 lines of a training sample with a final newline added)," \
      "and the full 133k-line training set has no public copy that could be verified" ;;
    wmt17-en-de) echo "its files were extracted from a Python pickle in sacrebleu's tests" \
      "(test/wmt17_en_de_systems.pkl.bz2) and the expected scores were collected from its test scripts" ;;
  esac
}

# stage_online STAGE DL NAME: downloads NAME's files (DL holds raw downloads) and writes
# the outputs into STAGE.
stage_online() {
  local stage=$1 dl=$2 name=$3 pair split out l dir code a b
  say "$name: downloading"
  case $name in
    multi30k)
      # $MULTI30K_URL/raw/{train,val,test_2016_flickr,test_2017_flickr}.{de,en}.gz and
      # $MULTI30K_URL/tok/SPLIT.lc.norm.tok.{de,en} (uncompressed upstream).
      for pair in train:train val:val test_2016_flickr:test2016 test_2017_flickr:test2017; do
        split=${pair%%:*} out=${pair#*:}
        for l in de en; do
          download "$MULTI30K_URL/raw/$split.$l.gz" "$dl/raw/$split.$l.gz"
          mkdir -p -- "$stage/raw"
          gunzip_to "$dl/raw/$split.$l.gz" "$stage/raw/$out.$l"
          origin[raw/$out.$l]=$MULTI30K_URL/raw/$split.$l.gz
          download "$MULTI30K_URL/tok/$split.lc.norm.tok.$l" "$stage/$out.$l"
          origin[$out.$l]=$MULTI30K_URL/tok/$split.lc.norm.tok.$l
        done
      done ;;
    tatoeba-en-fr)
      # The committed fra.txt breaks off inside line 76,038: keep the complete lines.
      download "$TATOEBA_76K_URL" "$dl/fra.txt"
      head -n 76037 -- "$dl/fra.txt" >"$stage/eng-fra.76k.txt"
      origin[eng-fra.76k.txt]="$TATOEBA_76K_URL (first 76037 lines)"
      download "$TATOEBA_5K_URL" "$stage/eng-fra.5k.attrib.tsv"
      origin[eng-fra.5k.attrib.tsv]=$TATOEBA_5K_URL ;;
    word-alignment)
      # $CROSS_ALIGN_URL/{deen,enfr,roen}.talp and test.{de-en,en-fr,ro-en}; the one-side
      # files are derived here.
      for pair in deen_rwth:deen:de-en enfr_hansards:enfr:en-fr roen_wpt2003:roen:ro-en; do
        IFS=: read -r dir code l <<<"$pair"
        a=${l%-*} b=${l#*-}
        download "$CROSS_ALIGN_URL/$code.talp" "$stage/$dir/$code.talp"
        origin[$dir/$code.talp]=$CROSS_ALIGN_URL/$code.talp
        download "$CROSS_ALIGN_URL/test.$l" "$stage/$dir/test.$l"
        origin[$dir/test.$l]=$CROSS_ALIGN_URL/test.$l
        split_bitext "$stage/$dir/test.$l" "$stage/$dir/test.$l.$a" "$stage/$dir/test.$l.$b"
        origin[$dir/test.$l.$a]="$CROSS_ALIGN_URL/test.$l (left side)"
        origin[$dir/test.$l.$b]="$CROSS_ALIGN_URL/test.$l (right side)"
      done ;;
    *) die "internal error: no download recipe for $name" ;;
  esac
}

# Reads a sha256sum-format file: one "CHECKSUM  PATH" per line; prints "CHECKSUM PATH".
read_sums() {
  local expected path
  while read -r expected path; do
    [[ -n $expected ]] || continue
    printf '%s %s\n' "$expected" "${path#\*}"   # drop sha256sum's binary-mode marker
  done <"$1"
}

# verify DIR SUMS SHOWN: checks every file listed in SUMS (paths relative to DIR) and
# reports each missing or different one as SHOWN/PATH (SHOWN is DIR, or NAME while DIR is
# still the temporary directory). Returns 1 if there was any.
verify() {
  local dir=$1 sums=$2 shown=$3 expected path actual bad=0
  while read -r expected path <&3; do
    if [[ ! -f $dir/$path ]]; then
      err "$shown/$path: missing (expected SHA-256 $expected)"
      bad=1
      continue
    fi
    actual=$(sha256sum <"$dir/$path")
    actual=${actual%% *}
    if [[ $actual != "$expected" ]]; then
      err "checksum mismatch for $shown/$path${origin[$path]:+ (from ${origin[$path]})}:" \
          "expected SHA-256 $expected, got $actual"
      bad=1
    fi
  done 3< <(read_sums "$sums")
  return $bad
}

# ---------------------------------------------------------------------------------------
# Command line
name='' from='' dest=$repo_root/data force=0
while (($#)); do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --list) list_names; exit 0 ;;
    --from|--dest)
      (($# >= 2)) || usage_error "$1 needs a directory"
      if [[ $1 == --from ]]; then from=$2; else dest=$2; fi
      shift ;;
    --from=*) from=${1#--from=} ;;
    --dest=*) dest=${1#--dest=} ;;
    --force) force=1 ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      [[ -z $name ]] || usage_error "one NAME at a time (got '$name' and '$1')"
      name=$1 ;;
  esac
  shift
done
[[ -n $name ]] || usage_error "which corpus? valid names: ${NAMES[*]}"
is_name "$name" || usage_error "unknown corpus name '$name'; valid names: ${NAMES[*]}"
[[ -z $from || -d $from ]] || die "--from $from: no such directory (expected a folder laid out like the shared data folder, see data/README.md)"
[[ -n $dest ]] || usage_error "--dest needs a directory"

sums=$sums_dir/$name.sha256
[[ -f $sums ]] || die "$sums is missing: it holds the expected checksums of $name and is part of the project (restore it with git)"

target=$dest/$name

# An existing set is left alone unless --force.
if [[ -e $target && $force == 0 ]]; then
  if verify "$target" "$sums" "$target"; then
    say "$target is already there and matches data/$name.sha256; nothing to do (--force fetches it again)"
    exit 0
  fi
  die "$target exists but does not match data/$name.sha256 (see above); rerun with --force to replace it"
fi

if [[ -z $from ]]; then
  reason=$(online_unsupported_reason "$name")
  [[ -z $reason ]] || die "$name cannot be downloaded: $reason. Get a copy of the shared data folder" \
    "and run: scripts/get-data.sh $name --from DIR"
fi

# Work in a temporary directory next to the target (same file system, so the final rename
# is atomic); the trap removes it whatever happens, including a replaced old copy.
tmp='' made_dest=''
cleanup() {
  if [[ -n $tmp ]]; then rm -rf -- "$tmp"; fi
  # Remove the folders made for --dest again if they stayed empty (after an error).
  local d=$dest
  if [[ -n $made_dest ]]; then
    while rmdir -- "$d" 2>/dev/null && [[ $d != "$made_dest" ]]; do d=$(dirname -- "$d"); done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [[ ! -d $dest ]]; then
  made_dest=$dest   # the outermost folder mkdir -p will make
  while [[ ! -d $(dirname -- "$made_dest") ]]; do made_dest=$(dirname -- "$made_dest"); done
  mkdir -p -- "$dest"
fi
tmp=$(mktemp -d "$dest/.$name.tmp.XXXXXX")
stage=$tmp/$name
mkdir -- "$stage"   # made with mkdir, not mktemp, so it gets the usual permissions

if [[ -n $from ]]; then
  stage_from_dir "$from" "$stage" "$name"
else
  stage_online "$stage" "$tmp/download" "$name"
fi

# Every staged file must have a checksum, and every checksum must match.
declare -A listed=()
while read -r _ out; do listed[$out]=1; done < <(read_sums "$sums")
for out in "${!origin[@]}"; do
  [[ -n ${listed[$out]:-} ]] || die "internal error: $out has no checksum in $sums"
done
if ! verify "$stage" "$sums" "$name"; then
  if [[ -n $from ]]; then
    die "$name: the files in $from do not match data/$name.sha256 (see above); nothing was written to $target"
  fi
  die "$name: the downloaded files do not match data/$name.sha256 (see above; upstream may have" \
      "changed); nothing was written to $target. Use --from DIR with a verified copy"
fi

# Rename into place (moving an old copy aside first with --force; the trap deletes it).
if [[ -e $target ]]; then
  mv -T -- "$target" "$tmp/old"
fi
if ! mv -T -- "$stage" "$target"; then
  if [[ -e $tmp/old ]]; then mv -T -- "$tmp/old" "$target"; fi
  die "could not rename the verified files into $target"
fi
say "$name: ${#origin[@]} files verified against data/$name.sha256, now in $target"
