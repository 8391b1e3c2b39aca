#!/usr/bin/env bash
# Hostile files through the commands users run: damaged .npy parameters, state.json with
# impossible numbers, Pharaoh links that overflow, a gzip bomb as a corpus, a 1 MB recipe
# key. Each must end in a clear error (naming the file and what is wrong) and a non-zero
# exit, never a crash. The commands run with their address space capped at 1.5 GB: a
# reader that believes a file's claim of gigabytes fails the test instead of allocating.
#   hostile_files.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=0

# expect_error NAME PATTERN ARGS...: nmtx ARGS (stdin: one sentence) fails with PATTERN
# on stderr and exit status 1 (not a signal, not std::bad_alloc's message).
expect_error() {
  local name=$1 pattern=$2
  shift 2
  (ulimit -v 1500000; echo "1 2 3" | "$nmtx" "$@" > "$tmp/stdout" 2> "$tmp/stderr")
  local status=$?
  [ $status -eq 1 ] || fail "$name: exit status $status, expected 1: $(head -c 300 "$tmp/stderr")"
  grep -qE -- "$pattern" "$tmp/stderr" || fail "$name: expected /$pattern/ in: $(head -c 300 "$tmp/stderr")"
  grep -q "bad_alloc" "$tmp/stderr" && fail "$name: ran out of memory"
  [ "$(wc -c < "$tmp/stderr")" -lt 600 ] || fail "$name: the message is $(wc -c < "$tmp/stderr") bytes long"
  cases=$((cases + 1))
  echo "ok: $name: $(head -c 200 "$tmp/stderr")"
}

"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" --set training.steps=20 > /dev/null 2>&1 || fail "the small run failed"
latest="$tmp/run/checkpoints/$(cat "$tmp/run/checkpoints/latest")"
param="$latest/params/decoder.out.W.npy"
cp "$param" "$tmp/param.orig"
cp "$latest/state.json" "$tmp/state.orig"

# npy FILE VERSION HEADER [DATA_BYTES]: a .npy file with that header text (@FILE: the
# header is in FILE).
npy() {
  /usr/bin/python3 - "$@" <<'PY'
import sys
path, version, header = sys.argv[1], int(sys.argv[2]), sys.argv[3]
header = open(header[1:]).read().encode("latin1") if header.startswith("@") else header.encode("latin1")
data = b"\0" * int(sys.argv[4]) if len(sys.argv) > 4 else b""
size = len(header).to_bytes(2 if version == 1 else 4, "little")
open(path, "wb").write(b"\x93NUMPY" + bytes([version, 0]) + size + header + data)
PY
}
# A damaged parameter breaks translate and resume alike; the file is named first.
damaged() {
  local name=$1 pattern=$2
  expect_error "translate, $name" "decoder.out.W.npy: .*$pattern" translate --model "$tmp/run" --checkpoint latest
  expect_error "resume, $name" "decoder.out.W.npy: .*$pattern" train --resume "$tmp/run"
  cp "$tmp/param.orig" "$param"
}
npy "$param" 1 "{'descr':'<f4','fortran_order':False,'shape':(500000000,)}"
damaged "a 68-byte file declaring 2 GB" "truncated or padded: 68 bytes, expected 2000000068"
npy "$param" 2 "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }$(printf '%*s' 1800 '')"
printf '\xf0\xff\xff\x7f' | dd of="$param" bs=1 seek=8 conv=notrunc status=none
damaged "a 2 GiB version-2 header length" "header of 2147483632 bytes; nmtx reads headers up to 4096 bytes"
npy "$param" 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"
damaged "an element count past 2^64" "holds more than 2\^64 elements"
npy "$param" 1 "{'descr':'<f4','fortran_order':False,'shape':}"
damaged "an empty shape" "malformed .npy header"
printf "{'descr': '%s', 'fortran_order': False, 'shape': (3,), }" "$(head -c 1000000 /dev/zero | tr '\0' f)" > "$tmp/header"
npy "$param" 2 "@$tmp/header" 12
damaged "a 1 MB dtype" "header of 10000[0-9]{2} bytes; nmtx reads headers up to 4096"

# state.json with numbers that do not fit.
sed 's/"step": [0-9]*/"step": 1e19/' "$tmp/state.orig" > "$latest/state.json"
expect_error "resume at step 1e19" 'state.json: corrupt checkpoint state: field "step": expected an integer in \[0, 9007199254740992\], got 1e\+19' \
  train --resume "$tmp/run"
sed 's/"step": [0-9]*/"step": 1234567890123456789012345678901234567890123456789012345/' "$tmp/state.orig" > "$latest/state.json"
expect_error "resume at a 55-digit step" 'field "step": expected an integer' train --resume "$tmp/run"
sed 's/"metrics_bytes": [0-9]*/"metrics_bytes": 1000000000000000/' "$tmp/state.orig" > "$latest/state.json"
expect_error "metrics.jsonl shorter than recorded" "records 1000000000000000 bytes of metrics.jsonl, but the file holds" train --resume "$tmp/run"
cp "$tmp/state.orig" "$latest/state.json"
[ ! -s "$tmp/run/metrics.jsonl" ] && fail "metrics.jsonl was emptied"

# Pharaoh links for AER: INT_MIN in a 1-based file once wrapped to INT_MAX and scored 0.
printf '1-1 2-2\n' > "$tmp/gold"
printf '1--2147483648\n' > "$tmp/gold-bad"
printf '0-0 1-1\n' > "$tmp/test"
expect_error "aer with 1--2147483648" 'gold-bad:1: alignment link "1--2147483648": positions must be integers' \
  aer --gold "$tmp/gold-bad" --test "$tmp/test" --gold-one-based
printf '1-0\n' > "$tmp/gold-zero"
expect_error "aer with position 0 in 1-based gold" "position 0 in a 1-based alignment" \
  aer --gold "$tmp/gold-zero" --test "$tmp/test" --gold-one-based

# A gzip bomb as the training corpus: 100 MB without a line break, 100 KB on disk.
mkdir -p "$tmp/d"
head -c 100000000 /dev/zero | tr '\0' a | gzip -9 > "$tmp/d/train.src.gz"
printf 'a\n' > "$tmp/d/train.tgt"
printf 'a\n' > "$tmp/d/dev.src"
printf 'a\n' > "$tmp/d/dev.tgt"
expect_error "a gzip bomb as corpus" "train.src.gz:1: a line longer than 1048576 bytes" \
  train "$recipe" --out "$tmp/out" --set data.task=none --set "data.train=$tmp/d/train" --set "data.dev=$tmp/d/dev"
[ -e "$tmp/out" ] && fail "the bomb left a run directory"

# A 1 MB unknown recipe key: no suggestion search, a short message.
# (Through a recipe file, whose own limit is 1 MiB: an argument of 1 MB is above Linux's
# limit for one argument.)
printf 'training:\n  ? %s\n  : 1\n' "$(head -c 1000000 /dev/zero | tr '\0' k)" > "$tmp/key.yaml"
expect_error "a 1 MB recipe key" "key.yaml:2: unknown key training.kkkkk.*\(1000009 bytes\)" train "$tmp/key.yaml" --out "$tmp/out"
printf 'training:\n  ? %s\n  : 1\n' "$(head -c 1048576 /dev/zero | tr '\0' k)" > "$tmp/key.yaml"
expect_error "a recipe above 1 MiB" "key.yaml: 1048597 bytes; a recipe is a few KB" train "$tmp/key.yaml" --out "$tmp/out"
expect_error "a 100 KB --set key" "unknown key kkkkk.*\(100000 bytes\)" \
  train "$recipe" --out "$tmp/out" --set "$(head -c 100000 /dev/zero | tr '\0' k)=1"
echo "PASS: $cases hostile files"
