#!/usr/bin/env bash
# Decoding speed on the path users run: `nmtx translate` (files in and out) against
# bench/torch_translate.py (the same trained parameters in the PyTorch reference model,
# greedy and beam search batched as OpenNMT-py and Joey NMT do it), alternating, on this
# machine's 2 cores (results: docs/benchmarks.md, "The path users run").
#
#   bench/translate_real.sh [--multi30k RUN] [--runs 3] [--torch-settings "1 2p"]
#
# Two models: RUN, a trained Multi30k de-en word-level run (default runs/multi30k-de-en,
# what `nmtx train recipes/multi30k-de-en.yaml` writes), decoding data/multi30k/test2016.de
# (1,000 sentences); and the toy size (bench/recipes/copy-toy-variable.yaml trained here
# for 1,500 steps, Luong general), decoding 2,000 of its training sources. Each is decoded
# greedy and with beam 5 (alpha 0.6 for Multi30k, 0 for the toy), in batches of 64, by
# nmtx (2 threads) and by PyTorch at each setting (1: 1 thread; 2: 2 threads; 2p: 2
# threads, OMP_WAIT_POLICY=passive; credited with its best). Each line also says how many
# output lines both sides agree on (the same model, the same search: nearly all).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/progress.sh
multi30k=runs/multi30k-de-en runs=3 settings="1 2p"
while [ $# -gt 0 ]; do
  case "$1" in
    --multi30k) multi30k=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --torch-settings) settings=$2; shift 2 ;;
    *) echo "usage: bench/translate_real.sh [--multi30k RUN] [--runs N] [--torch-settings S]" >&2; exit 2 ;;
  esac
done
scripts/setup.sh --test-deps > /dev/null
[ -f "$multi30k/checkpoints/best" ] || { echo "$multi30k: no trained run (nmtx train recipes/multi30k-de-en.yaml)" >&2; exit 1; }
[ -f data/multi30k/test2016.de ] || { echo "data/multi30k/test2016.de is missing (scripts/get-data.sh multi30k)" >&2; exit 1; }
mkdir -p bench/results
out="bench/results/translate-$(date +%Y%m%d-%H%M%S).jsonl"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "training the toy model (1,500 steps)" >&2
build/nmtx train bench/recipes/copy-toy-variable.yaml --set run.dir="$work/toy" --set training.steps=1500 \
  --set validation.every=1500 > "$work/toy.out" 2>&1 || { tail -3 "$work/toy.out" >&2; exit 1; }
head -2000 "$work/toy/data/train.src" > "$work/toy.src"

models=("multi30k $multi30k data/multi30k/test2016.de 0.6" "toy $work/toy $work/toy.src 0")
total=$(( ${#models[@]} * 2 * runs )) done_rounds=0 start=$SECONDS
for item in "${models[@]}"; do
  read -r name run input alpha <<< "$item"
  for beam in 1 5; do
    a=$alpha; [ "$beam" = 1 ] && a=0
    for round in $(seq "$runs"); do
      t0=$EPOCHREALTIME
      build/nmtx translate --model "$run" --input "$input" --output "$work/nmtx.out" --beam "$beam" --alpha "$a" \
        --batch 64 --threads 2
      t1=$EPOCHREALTIME
      lines=$(wc -l < "$input")
      awk -v m="$name" -v k="$beam" -v n="$lines" -v a="$t0" -v b="$t1" 'BEGIN {
        printf "{\"impl\": \"nmtx\", \"model\": \"%s\", \"beam\": %d, \"threads\": 2, \"sentences\": %d, ", m, k, n
        printf "\"seconds\": %.3f, \"sentences_per_s\": %.1f}\n", b - a, n / (b - a) }' >> "$out"
      for setting in $settings; do
        threads=${setting%p} policy=()
        [ "$setting" != "$threads" ] && policy=(OMP_WAIT_POLICY=PASSIVE)
        line=$(env "${policy[@]}" /usr/bin/python3 bench/torch_translate.py "$run" --input "$input" \
          --output "$work/torch.out" --beam "$beam" --alpha "$a" --batch 64 --threads "$threads")
        same=$(paste -d '\t' "$work/nmtx.out" "$work/torch.out" | awk -F '\t' '$1 == $2' | wc -l)
        echo "$line" | sed "s/^{/{\"model\": \"$name\", \"same_lines\": $same, /" >> "$out"
      done
      round_done "$name beam $beam round $round/$runs"
    done
  done
done
echo >&2
echo "raw results: $out" >&2
/usr/bin/python3 bench/summarize_translate.py "$out"
