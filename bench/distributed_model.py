#!/usr/bin/env python3
"""The reduction on paper (docs/distributed.md): per-step gradient volume and the time the
shard-order reduction and a ring allreduce take at 10 / 25 / 100 Gb/s for 2-64 machines,
from a recipe's parameter count and its measured single-process step time.

    bench/distributed_model.py PARAMS STEP_SECONDS [LATENCY_US]

Model (one shard per machine, S = N; per machine, full-duplex links, a full-bisection switch):
  shard-order sum: all-to-all of chunks, (N-1)/N of the B bytes out and in, N-1 messages;
                   allgather of the folded chunks, (N-1)/N of B, N-1 messages
  ring allreduce:  reduce-scatter + allgather, 2 (N-1)/N of B, 2 (N-1) messages
With one shard per machine both move 2 B (N-1)/N bytes per machine: they differ in message
pattern (all pairs against neighbours) and in order (ours is fixed by shard index, the ring's
by position in the ring, which changes with N). With k shards per machine ours sends
k (N-1)/N B in the all-to-all, as the shards cannot be pre-summed without changing the order.
Compute per step with a fixed global batch: STEP_SECONDS / N (strong scaling).
"""
import sys

params = int(sys.argv[1])
step = float(sys.argv[2])
alpha = (float(sys.argv[3]) if len(sys.argv) > 3 else 20.0) * 1e-6
B = 4 * params
print(f"gradient: {params:,} floats = {B / 1e6:.1f} MB per shard per step; one-machine step {step * 1e3:.0f} ms\n")
print("| machines | " + " | ".join(f"{g} Gb/s: ours, 1 / 4 shards per machine; ring (ms)" for g in (10, 25, 100))
      + " | compute per machine (ms) |")
print("|---:|" + "---:|" * 4)


def ours(n, k, bw):
    """k shards per machine: all-to-all k (N-1)/N B, allgather (N-1)/N B."""
    return (k + 1) * B * (n - 1) / n / bw + 2 * (n - 1) * alpha


def ring(n, bw):
    return 2 * B * (n - 1) / n / bw + 2 * (n - 1) * alpha


for n in (2, 4, 8, 16, 32, 64):
    cells = []
    for gbps in (10, 25, 100):
        bw = gbps * 1e9 / 8
        cells.append(f"{ours(n, 1, bw) * 1e3:.1f}, {ours(n, 4, bw) * 1e3:.1f}; {ring(n, bw) * 1e3:.1f}")
    print(f"| {n} | " + " | ".join(cells) + f" | {step / n * 1e3:.0f} |")
print()
for gbps in (10, 25, 100):
    bw = gbps * 1e9 / 8
    n = 2
    while n < 4096 and ours(n, 1, bw) <= step / n:
        n += 1
    print(f"{gbps} Gb/s: with a fixed global batch, the reduction outlasts the computation from {n} machines; "
          f"with a fixed batch per machine it stays at {ours(64, 1, bw) / step:.0%} of a step at 64 machines")
