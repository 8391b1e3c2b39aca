#!/usr/bin/env bash
# Data-parallel speed on this machine (docs/distributed.md): the Multi30k word-level recipe
# (bench/recipes/multi30k-de-en.yaml, data from scripts/get-data.sh) for STEPS steps as
#   1 process  × 1 thread   (training.shards 1, today's path)
#   1 process  × 2 threads  (training.shards 1)
#   1 process  × 1 thread   (training.shards 2: the sharded step without MPI)
#   2 processes × 1 thread  (training.shards 2, mpirun)
# and prints target tokens/s over the training steps (the log line at the last step:
# validation excluded), the reduction's cost per step and each rank's peak memory.
#   bench/distributed.sh [STEPS]      (default 200; on a quiet machine, about 3 minutes per row)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
common=(--set training.steps="$steps" --set training.epochs=0 --set training.log_every=50 --set validation.every=0)
row() {  # NAME LAUNCH... -- SETTINGS...
  local name=$1; shift
  local launch=()
  while [ "$1" != -- ]; do launch+=("$1"); shift; done; shift
  "${launch[@]}" build/nmtx train bench/recipes/multi30k-de-en.yaml --out "$out/$name" "${common[@]}" "$@" > "$out/$name.out" 2>&1
  local rate
  rate=$(grep -E "^epoch .* step +$steps " "$out/$name/train.log" | sed -E 's/.*  ([0-9.k]+) tok\/s.*/\1/')
  local extra
  extra=$(python3 - "$out/$name/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = s.get("data_parallel")
if d:
    print("reduction %.1f ms/step, sent %.1f MB/step; peak memory %s MiB" % (
        d["reduction_ms_per_step"], d["reduction_bytes_sent_per_step"] / 1e6,
        " / ".join("%.0f" % m for m in d["peak_rss_mib"])))
PY
)
  printf "%-28s %8s tok/s   %s\n" "$name" "$rate" "$extra"
}
row "1 process x 1 thread"   env -- --set training.threads=1
row "1 process x 2 threads"  env -- --set training.threads=2
row "1 process x 1, 2 shards" env -- --set training.threads=1 --set training.shards=2
row "2 processes x 1 thread" "${mpi[@]}" -np 2 -- --set training.threads=1 --set training.shards=2
cmp -s "$out/1 process x 1, 2 shards/metrics.jsonl" "$out/2 processes x 1 thread/metrics.jsonl" &&
  echo "2 shards: one process and two give identical metrics.jsonl" || echo "2 shards: metrics.jsonl DIFFER"
