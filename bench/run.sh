#!/usr/bin/env bash
# nmtx against PyTorch on this machine's 2 cores: training, greedy-decoding and beam-search
# (beam 5) throughput, memory, and GFLOP/s against sgemm (method and results:
# docs/benchmarks.md).
#
#   bench/run.sh [--sizes "toy medium large"] [--variants "bahdanau luong-general"] [--runs 5]
#
# Every measurement is its own process. For each size and variant, RUNS rounds alternate
# nmtx (2 threads) with PyTorch at three settings (1 thread; 2 threads; 2 threads with
# OMP_WAIT_POLICY=passive); PyTorch is then credited with its best setting by median. The
# raw JSON lines go to bench/results/, the table of medians and ratios to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/progress.sh
sizes="toy medium large" variants="bahdanau luong-general" runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--sizes S] [--variants V] [--runs N]" >&2; exit 2 ;;
  esac
done
scripts/setup.sh --test-deps > /dev/null
mkdir -p bench/results
out="bench/results/$(date +%Y%m%d-%H%M%S).jsonl"
nmtx=build/bench/nmtx_bench
torch() { /usr/bin/python3 bench/torch_reference.py bench "$@"; }

# Steps and decoding batches per size: about as long to run at every size.
declare -A steps=([toy]=30 [medium]=10 [large]=4)
declare -A decode_batches=([toy]=20 [medium]=8 [large]=3) decode_warmup=([toy]=5 [medium]=2 [large]=1)
declare -A beam_batches=([toy]=10 [medium]=4 [large]=2) beam_warmup=([toy]=2 [medium]=1 [large]=1)
declare -A sgemm_shape=([toy]=1344,1000,128 [medium]=1664,8000,256 [large]=1984,16000,512)

total=$(( $(wc -w <<< "$sizes") * $(wc -w <<< "$variants") * runs ))
done_rounds=0 start=$SECONDS
for size in $sizes; do
  $nmtx --sgemm "${sgemm_shape[$size]}" --threads 2 | sed "s/^{/{\"size\": \"$size\", /" >> "$out"
  for variant in $variants; do
    for run in $(seq "$runs"); do
      common=(--size "$size" --variant "$variant")
      for phase in train decode beam; do
        opts=("${common[@]}" --phase "$phase" --steps "${steps[$size]}" --beam 5)
        if [ "$phase" = beam ]; then
          opts+=(--decode-batches "${beam_batches[$size]}" --decode-warmup "${beam_warmup[$size]}")
        else
          opts+=(--decode-batches "${decode_batches[$size]}" --decode-warmup "${decode_warmup[$size]}")
        fi
        $nmtx "${opts[@]}" --threads 2 >> "$out"
        torch "${opts[@]}" --threads 1 >> "$out"
        torch "${opts[@]}" --threads 2 >> "$out"
        OMP_WAIT_POLICY=PASSIVE torch "${opts[@]}" --threads 2 >> "$out"
      done
      round_done "$size $variant round $run/$runs"
    done
  done
done
echo >&2
echo "raw results: $out" >&2
python3 bench/summarize.py "$out"
