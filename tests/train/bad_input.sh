#!/usr/bin/env bash
# Bad input gives a clear error (naming the file, line or key), a non-zero exit, and no
# half-written run directory or checkpoint.
#   bad_input.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=0

# expect_error NAME PATTERN ARGS...: nmtx ARGS fails, prints PATTERN, and leaves no
# $tmp/out or $tmp/out.partial-* behind.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$nmtx" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
  local status=$?
  [ $status -ne 0 ] || fail "$name: exit status 0"
  grep -qE -- "$pattern" "$tmp/stderr" || fail "$name: expected /$pattern/ in: $(cat "$tmp/stderr")"
  [ ! -e "$tmp/out" ] || fail "$name: left a run directory"
  ls -d "$tmp"/out.partial-* > /dev/null 2>&1 && fail "$name: left a partial run directory"
  cases=$((cases + 1))
  echo "ok: $name: $(head -c 200 "$tmp/stderr")"
}

# A real-data recipe over files we can break.
mkdir -p "$tmp/d"
printf 'a b c\nd e\nf\n' > "$tmp/d/train.src"
printf 'c b a\ne d\nf\n' > "$tmp/d/train.tgt"
cp "$tmp/d/train.src" "$tmp/d/dev.src"
cp "$tmp/d/train.tgt" "$tmp/d/dev.tgt"
cat > "$tmp/files.yaml" <<YAML
data:
  train: $tmp/d/train
  dev: $tmp/d/dev
training:
  steps: 2
YAML

cat > "$tmp/unknown.yaml" <<'YAML'
model:
  hidden: 8
training:
  batchsize: 3
YAML
expect_error "unknown recipe key" "unknown.yaml:4: unknown key training.batchsize \(did you mean training.batch_size\?\)" \
  train "$tmp/unknown.yaml" --out "$tmp/out"
printf 'model:\n  dropout: lots\n' > "$tmp/type.yaml"
expect_error "wrong type" "type.yaml:2: model.dropout: expected a number in \[0, 0.99\], got \"lots\"" train "$tmp/type.yaml" --out "$tmp/out"
expect_error "bad --set" "--set model.cell=transformer: model.cell: expected one of gru, lstm, rnn" \
  train "$recipe" --out "$tmp/out" --set model.cell=transformer
expect_error "missing recipe" "no such recipe file" train "$tmp/none.yaml" --out "$tmp/out"

printf 'c b a\ne d\n' > "$tmp/d/train.tgt"
expect_error "mismatched line counts" "train.tgt: has 2 lines but .*train.src has 3" train "$tmp/files.yaml" --out "$tmp/out"
: > "$tmp/d/train.tgt"
expect_error "empty file" "train.tgt: the file is empty" train "$tmp/files.yaml" --out "$tmp/out"
printf 'c b a\ne \xff d\nf\n' > "$tmp/d/train.tgt"
expect_error "invalid UTF-8" "train.tgt:2: invalid UTF-8 \(byte 0xFF at column 3\)" train "$tmp/files.yaml" --out "$tmp/out"
rm "$tmp/d/train.tgt"
expect_error "missing file" "data.train: .*train.tgt: no such file" train "$tmp/files.yaml" --out "$tmp/out"
printf 'c b a\ne d\nf\n' > "$tmp/d/train.tgt"
rm "$tmp/d/dev.src"
expect_error "missing dev file" "data.dev: .*dev.src: no such file" train "$tmp/files.yaml" --out "$tmp/out"
cp "$tmp/d/train.src" "$tmp/d/dev.src"

# An existing run directory is refused and left as it was.
mkdir -p "$tmp/existing" && echo keep > "$tmp/existing/note"
"$nmtx" train "$recipe" --out "$tmp/existing" "${tiny[@]}" > /dev/null 2> "$tmp/stderr" && fail "trained into an existing directory"
grep -q "already exists: continue it with --resume" "$tmp/stderr" || fail "existing directory: $(cat "$tmp/stderr")"
[ "$(cat "$tmp/existing/note")" = keep ] || fail "the existing directory was touched"
cases=$((cases + 1))

# Damaged checkpoints: resuming names the file and changes nothing.
"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" --set training.steps=20 > /dev/null 2>&1 || fail "the small run failed"
latest="$tmp/run/checkpoints/$(cat "$tmp/run/checkpoints/latest")"
cp -r "$tmp/run" "$tmp/run.orig"
truncate -s -10 "$latest/params/decoder.out.W.npy"
expect_error "truncated checkpoint" "decoder.out.W.npy: truncated" train --resume "$tmp/run"
cp "$tmp/run.orig/checkpoints/$(basename "$latest")/params/decoder.out.W.npy" "$latest/params/"
echo '{"format": 1, "step": ' > "$latest/state.json"
expect_error "corrupt checkpoint state" "state.json: corrupt checkpoint state" train --resume "$tmp/run"
echo step-00000999 > "$tmp/run/checkpoints/latest"
expect_error "dangling latest pointer" "names checkpoint \"step-00000999\", which does not exist" train --resume "$tmp/run"
expect_error "resume a missing directory" "nowhere: no such run directory" train --resume "$tmp/nowhere"
expect_error "resume with a recipe" "give no recipe" train "$recipe" --resume "$tmp/run"
echo "PASS: $cases bad inputs"
