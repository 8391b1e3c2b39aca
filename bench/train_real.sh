#!/usr/bin/env bash
# Training speed on the path users run: `nmtx train` on the recipes of bench/recipes/
# against bench/torch_train.py (the same model in PyTorch, trained on the data and
# vocabularies of that very run, batched as Joey NMT batches), alternating, on this
# machine's 2 cores (method and results: docs/benchmarks.md, "The path users run").
#
#   bench/train_real.sh [--workloads "copy-toy-fixed ..."] [--variants "bahdanau luong-general"]
#                       [--runs 3] [--torch-settings "1 2 2p"] [--nmtx-shards "1 2"]
#
# Every measurement is its own process. For each workload and variant, RUNS rounds
# alternate `nmtx train` (2 threads; training.shards 1, the batch whole with BLAS on both
# threads, and 2, its halves on the two threads at once) with PyTorch at each setting (1: 1
# thread; 2: 2 threads; 2p: 2 threads with OMP_WAIT_POLICY=passive); PyTorch is credited
# with its best setting by median. nmtx's figures come from its summary.json ("session": speed over the
# training steps with validation excluded, the share of time outside forward, backward and
# update, memory). The frozen Multi30k recipe runs with its own attention (Luong general)
# only. Raw JSON lines go to bench/results/real-*.jsonl, the table of medians to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/progress.sh
workloads="copy-toy-fixed copy-toy-variable copy-medium-fixed copy-medium-variable copy-large-fixed copy-large-variable multi30k-de-en"
variants="bahdanau luong-general" runs=3 settings="1 2 2p" shard_settings="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) workloads=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --torch-settings) settings=$2; shift 2 ;;
    --nmtx-shards) shard_settings=$2; shift 2 ;;
    *) echo "usage: bench/train_real.sh [--workloads W] [--variants V] [--runs N] [--torch-settings S] [--nmtx-shards S]" >&2
       exit 2 ;;
  esac
done
scripts/setup.sh --test-deps > /dev/null
if [[ " $workloads " == *" multi30k-de-en "* ]] && [ ! -f data/multi30k/train.de ]; then
  from=()  # a local copy of the shared data folder if there is one, else the upstream download
  [ -d ../shared/data/multi30k ] && from=(--from ../shared/data)
  scripts/get-data.sh multi30k "${from[@]}" > /dev/null
fi
mkdir -p bench/results
out="bench/results/real-$(date +%Y%m%d-%H%M%S).jsonl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Steps per workload, nmtx and PyTorch: each measurement about 10-20 s on this machine.
declare -A nmtx_steps=([toy]=200 [medium]=40 [large]=12 [multi30k]=150)
declare -A torch_steps=([toy]=100 [medium]=20 [large]=6 [multi30k]=60)
size_of() { case "$1" in copy-*) echo "$1" | cut -d- -f2 ;; *) echo multi30k ;; esac; }
attention_of() { [ "$1" = bahdanau ] && echo "--set model.attention.type=bahdanau --set model.attention.score=concat" \
                   || echo "--set model.attention.type=luong --set model.attention.score=${1#luong-}"; }

plan=()
for w in $workloads; do
  if [ "$w" = multi30k-de-en ]; then plan+=("$w luong-general"); else for v in $variants; do plan+=("$w $v"); done; fi
done
# The sgemm rate on each size's output-projection shape (as bench/run.sh), for GFLOP/s.
declare -A sgemm_shape=([toy]=1344,1000,128 [medium]=1664,8000,256 [large]=1984,16000,512)
for size in $(for item in "${plan[@]}"; do size_of "${item%% *}"; done | sort -u); do
  [ -n "${sgemm_shape[$size]:-}" ] || continue
  build/bench/nmtx_bench --sgemm "${sgemm_shape[$size]}" --threads 2 | sed "s/^{/{\"size\": \"$size\", /" >> "$out"
done
total=$(( ${#plan[@]} * runs )) done_rounds=0 start=$SECONDS
for item in "${plan[@]}"; do
  read -r w v <<< "$item"
  size=$(size_of "$w")
  for run in $(seq "$runs"); do
    dir="$work/$w-$v"
    for shards in $shard_settings; do
      rm -rf "$dir"
      # shellcheck disable=SC2046
      build/nmtx train "bench/recipes/$w.yaml" --set run.dir="$dir" --set training.steps="${nmtx_steps[$size]}" \
        --set training.threads=2 --set training.shards="$shards" $(attention_of "$v") > "$work/train.out" 2>&1 \
        || { echo "nmtx train failed on $w $v:" >&2; tail -3 "$work/train.out" >&2; exit 1; }
      /usr/bin/python3 - "$dir/summary.json" "$w" "$v" "$shards" >> "$out" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["session"]
print(json.dumps({"impl": "nmtx", "workload": sys.argv[2], "variant": sys.argv[3], "threads": 2,
                  "shards": int(sys.argv[4]), "steps": s["steps"], "target_tokens": s["target_tokens"],
                  "train_tokens_per_s": round(s["training_tokens_per_second"], 1),
                  "outside_steps_share": round(s["outside_steps_share"], 4),
                  "validation_seconds": round(s["validation_seconds"], 3),
                  "rss_after_build_mb": round(s["rss_at_start_mib"], 1),
                  "peak_rss_mb": round(s["peak_rss_mib"], 1),
                  "growth_mb": round(s["rss_growth_mib"], 1)}))
EOF
    done
    for setting in $settings; do
      threads=${setting%p} policy=()
      [ "$setting" != "$threads" ] && policy=(OMP_WAIT_POLICY=PASSIVE)
      env "${policy[@]}" /usr/bin/python3 bench/torch_train.py "$dir" --steps "${torch_steps[$size]}" \
        --threads "$threads" | sed "s/^{/{\"workload\": \"$w\", /" >> "$out"
    done
    round_done "$w $v round $run/$runs"
  done
done
echo >&2
echo "raw results: $out" >&2
/usr/bin/python3 bench/summarize_real.py "$out"
