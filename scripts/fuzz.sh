#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz for longer than CI does (CI: 20 s each).
#
#   scripts/fuzz.sh                       every target, 10 minutes each, as many at once as cores
#   scripts/fuzz.sh --minutes 60 npy text only these targets, an hour each
#   scripts/fuzz.sh --jobs 1             one target at a time (leaves the other cores free)
#
# Builds the clang sanitizer tree first (scripts/setup.sh --sanitize). Each target starts
# from its committed seeds (tests/fuzz/seeds/TARGET); inputs that fail are kept in
# build-asan/tests/fuzz/findings. libFuzzer's closing figures (runs, execs/s, coverage)
# are printed per target; the exit status is non-zero if any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10
jobs_at_once=$(nproc)
targets=()
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --jobs) jobs_at_once=$2; shift 2 ;;
    -*) echo "usage: scripts/fuzz.sh [--minutes N] [--jobs N] [TARGET ...]" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  targets=(npy recipe_yaml recipe_set text vocab pharaoh bleu_tokenizers state_json)
fi
scripts/setup.sh --sanitize > /dev/null

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run() {
  local t=$1
  if bash tests/fuzz/run_fuzzer.sh "build-asan/tests/fuzz/fuzz_$t" "tests/fuzz/seeds/$t" $((minutes * 60)) \
       build-asan/tests/fuzz/findings > "$logs/$t" 2>&1; then
    echo ok > "$logs/$t.status"
  else
    echo FINDING > "$logs/$t.status"
  fi
}
for t in "${targets[@]}"; do
  [ -x "build-asan/tests/fuzz/fuzz_$t" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  while (($(jobs -rp | wc -l) >= jobs_at_once)); do wait -n; done
  echo "fuzz.sh: $t for $minutes min" >&2
  run "$t" &
done
wait
status=0
for t in "${targets[@]}"; do
  echo "== $t: $(cat "$logs/$t.status")"
  cat "$logs/$t"
  [ "$(cat "$logs/$t.status")" = ok ] || status=1
done
exit $status
