# Shared by the training tests: a small, fast version of recipes/reverse.yaml.
tiny=(--set data.toy.train_size=3000 --set data.toy.dev_size=100 --set data.toy.test_size=100
      --set data.toy.symbols=10 --set data.toy.max_length=8 --set model.embed=32 --set model.hidden=32
      --set training.steps=400 --set training.epochs=0 --set validation.every=200 --set training.log_every=50
      --set checkpoint.every=7 --set model.dropout=0.1)
fail() { echo "FAIL: $*"; exit 1; }
# json_field FILE KEY: the value of a top-level key of a small JSON file.
json_field() { sed -n "s/^  \"$2\": \(.*\),\{0,1\}$/\1/p" "$1" | sed 's/,$//'; }
# same_end A B: run B, stopped and resumed, ended exactly as the uninterrupted run A:
# metrics.jsonl, the attention snapshots (one per validation), the latest checkpoint's
# parameters and optimiser state, the summary.
same_end() {
  local a=$1 b=$2 la lb f n=0 key x y
  cmp "$a/metrics.jsonl" "$b/metrics.jsonl" || { diff "$a/metrics.jsonl" "$b/metrics.jsonl" | head; fail "metrics.jsonl differs"; }
  local validations snapshots
  validations=$(grep -c '"type":"valid"' "$a/metrics.jsonl")
  snapshots=$(ls "$a/snapshots" | grep -c '^step-[0-9]*\.json$')
  [ "$validations" -gt 0 ] && [ "$snapshots" -eq "$validations" ] ||
    fail "$validations validations but $snapshots snapshots in $a/snapshots"
  diff -r "$a/snapshots" "$b/snapshots" > /dev/null || { diff -rq "$a/snapshots" "$b/snapshots" | head; fail "snapshots differ"; }
  la=$(cat "$a/checkpoints/latest") lb=$(cat "$b/checkpoints/latest")
  [ "$la" = "$lb" ] || fail "latest checkpoints differ: $la vs $lb"
  for f in "$a/checkpoints/$la"/params/*.npy "$a/checkpoints/$la"/optimizer/*.npy; do
    cmp -s "$f" "$b/${f#"$a/"}" || fail "${f#"$a/"} differs"
    n=$((n + 1))
  done
  [ "$n" -gt 10 ] || fail "only $n parameter files compared"
  for key in dev_bleu test_bleu dev_ppl steps best_step; do
    x=$(grep "^  \"$key\"" "$a/summary.json") y=$(grep "^  \"$key\"" "$b/summary.json")  # top-level keys
    [ -n "$x" ] || fail "summary.json has no top-level $key"
    [ "$x" = "$y" ] || fail "summary $key: $x vs $y"
  done
  echo "PASS: $n parameter and optimiser files, metrics.jsonl ($(wc -l < "$a/metrics.jsonl") lines) and $snapshots snapshots identical"
}

# open_in_chromium PAGE WIDTHxHEIGHT OUT: the static page PAGE in headless chromium at that
# window size, as the reports are checked: its DOM in OUT/dom.html, no console error, a
# screenshot (OUT/shot.png) that is not blank. Returns 77 when chromium is missing (an
# error under CI=true).
open_in_chromium() {
  local page=$1 size=$2 out=$3 browser
  browser=$(command -v chromium || command -v chromium-browser || true)
  if [ -z "$browser" ]; then
    [ "${CI:-}" = true ] && fail "chromium is not installed (scripts/setup.sh --test-deps installs it)"
    return 77
  fi
  local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" --user-data-dir="$out/profile")
  timeout 120 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$page" > "$out/dom.html" 2> "$out/console.log" ||
    fail "chromium --dump-dom failed"
  if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$out/console.log" | grep -qi 'error\|uncaught\|failed'; then
    fail "console errors: $(grep -E 'CONSOLE|Uncaught|Failed' "$out/console.log" | head -3)"
  fi
  timeout 120 "$browser" "${flags[@]}" --screenshot="$out/shot.png" "file://$page" > /dev/null 2>&1 || fail "screenshot failed"
  [ "$(stat -c %s "$out/shot.png")" -gt 20000 ] || fail "the screenshot looks blank"
}
