#!/usr/bin/python3
"""Medians and ratios of a bench/train_real.sh results file, as a Markdown table
(docs/benchmarks.md, "The path users run").

GFLOP/s is an analytic count from the model's shapes (so that fused and custom kernels
count as much as sgemm calls): the matrix products of one forward pass over a padded batch,
times 3 for training (each product's backward is two products of its size); element-wise
work and embedding lookups are not counted. Given for the fixed-length workloads, where
every batch is B x S source and B x (S + 1) target positions on both sides.
"""
import json
import os
import statistics
import sys
from collections import defaultdict

import yaml

TARGET_RATIO = {"toy": 3.0, "multi30k": 2.0}  # issue 15: toy sizes 3x, the frozen Multi30k recipe 2x
TARGET_SGEMM_SHARE = {"large": 0.70}
SIZE_ORDER = {"toy": 0, "medium": 1, "large": 2, "multi30k": 3}


def size_of(workload):
    return workload.split("-")[1] if workload.startswith("copy-") else "multi30k"


def setting(r):
    return f"{r['threads']} thread{'s' if r['threads'] > 1 else ''}" + (
        ", passive" if r.get("omp_wait_policy", "default").lower() == "passive" else "")


def training_flops_per_step(recipe, variant):
    """Analytic FLOPs of one training step on a fixed-length workload (module docstring)."""
    config = yaml.safe_load(open(recipe, encoding="utf-8"))
    m, toy, B = config["model"], config["data"]["toy"], config["training"]["batch_size"]
    if toy["min_length"] != toy["max_length"]:
        return None
    S = toy["min_length"]
    T = S + 1  # with </s>
    V = toy["symbols"] + 4
    E, H = m["embed"], m["hidden"]
    Hd = m.get("decoder_hidden") or 2 * H
    A = (m.get("attention") or {}).get("dim") or Hd
    L = m.get("output_dim") or E
    encoder = 2 * S * B * 2 * 3 * H * (E + H)  # two directions, input and recurrent products
    if variant == "bahdanau":
        once = 2 * B * Hd * H + 2 * B * S * A * 2 * H  # bridge from the backward state, keys U_a h
        step = (2 * B * A * Hd + 2 * B * S * A + 2 * B * S * 2 * H  # W_a s, v_a · tanh(.), context
                + 2 * B * 3 * Hd * (E + 2 * H + Hd)  # GRU on [Ey; c] and s
                + 2 * B * 2 * L * (Hd + E + 2 * H)  # deep output
                + 2 * B * V * L)  # output layer
    elif variant == "luong-general":
        once = 2 * B * Hd * 2 * H + 2 * B * S * 2 * H * Hd  # bridge, keys W_a h
        step = (2 * B * 3 * Hd * (E + Hd + Hd)  # GRU on [Ey; h~] and s
                + 2 * B * S * Hd + 2 * B * S * 2 * H  # scores, context
                + 2 * B * Hd * (2 * H + Hd)  # W_c [c; s]
                + 2 * B * V * Hd)  # output layer
    else:
        return None
    return 3 * (encoder + once + T * step)


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    sgemm_runs = defaultdict(list)  # size -> the sgemm rate of each round (files may be concatenated rounds)
    for r in rows:
        if r["impl"] == "sgemm":
            sgemm_runs[r["size"]].append(r["gflops"])
    sgemm = {size: statistics.median(rates) for size, rates in sgemm_runs.items()}
    runs = defaultdict(list)  # (workload, variant, impl, setting) -> records; nmtx's setting: its shards
    for r in rows:
        if r["impl"] == "nmtx":
            runs[(r["workload"], r["variant"], "nmtx", r.get("shards", 1))].append(r)
        elif r["impl"] == "torch":
            runs[(r["workload"], r["variant"], "torch", setting(r))].append(r)
    med = lambda rs, key: statistics.median(x[key] for x in rs)
    keys = sorted({(w, v) for w, v, *_ in runs}, key=lambda k: (SIZE_ORDER[size_of(k[0])], k[0], k[1]))
    here = os.path.dirname(os.path.abspath(__file__))
    print("| workload | variant | nmtx tok/s: shards 1 | shards 2 | PyTorch best (setting) | ratio: shards 1 | shards 2 (target) "
          "| nmtx time outside fwd/bwd/update | nmtx validation s (apart) "
          "| memory growth MB: nmtx shards 1 / 2 / PyTorch (target: half) "
          "| GFLOP/s analytic: nmtx best (% of sgemm) | PyTorch | runs |")
    print("|---|---|" + "---:|" * 11)
    for workload, variant in keys:
        size = size_of(workload)
        ours = {k: runs.get((workload, variant, "nmtx", k), []) for k in (1, 2)}
        torch = {s: rs for (w, v, impl, s), rs in runs.items() if (w, v, impl) == (workload, variant, "torch")}
        if not any(ours.values()) or not torch:
            continue
        best = max(torch, key=lambda s: med(torch[s], "train_tokens_per_s"))
        t = med(torch[best], "train_tokens_per_s")
        n = {k: med(rs, "train_tokens_per_s") if rs else None for k, rs in ours.items()}
        target = TARGET_RATIO.get(size)
        fastest = max((k for k in n if n[k]), key=lambda k: n[k])
        ratio = lambda k: "-" if n[k] is None else f"{n[k] / t:.2f}x"
        mark = "" if target is None else f" ({target:g}x {'met' if n[fastest] / t >= target else 'MISSED'})"
        growth = {k: med(rs, "growth_mb") if rs else None for k, rs in ours.items()}
        g_torch = med(torch[best], "growth_mb")
        fmt = lambda x: "-" if x is None else f"{x:,.0f}"
        met = all(g is None or 2 * g <= g_torch for g in growth.values())
        cells = [workload, variant, fmt(n[1]), fmt(n[2]), f"{t:,.0f} ({best})", ratio(1), ratio(2) + mark,
                 f"{100 * med(ours[fastest], 'outside_steps_share'):.1f}%",
                 f"{med(ours[fastest], 'validation_seconds'):.1f}",
                 f"{fmt(growth[1])} / {fmt(growth[2])} / {g_torch:,.0f} ({'met' if met else 'MISSED'})"]
        flops = training_flops_per_step(os.path.join(here, "recipes", workload + ".yaml"), variant) \
            if size != "multi30k" else None
        if flops:
            first = ours[fastest][0]
            tokens_per_step = first["target_tokens"] / first["steps"]
            gf_ours, gf_torch = flops / tokens_per_step * n[fastest] / 1e9, flops / tokens_per_step * t / 1e9
            share = gf_ours / sgemm[size] if size in sgemm else None
            goal = TARGET_SGEMM_SHARE.get(size)
            note = "" if share is None else f" ({100 * share:.0f}% of {sgemm[size]:.0f}" + (
                f"; {100 * goal:.0f}% {'met' if share >= goal else 'MISSED'})" if goal else ")")
            cells += [f"{gf_ours:.0f}{note}", f"{gf_torch:.0f}"]
        else:
            cells += ["-", "-"]
        cells.append(str(max(len(rs) for rs in ours.values())))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
