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
    sgemm = {r["size"]: r["gflops"] for r in rows if r["impl"] == "sgemm"}
    runs = defaultdict(list)  # (workload, variant, impl, setting) -> records
    for r in rows:
        if r["impl"] != "sgemm":
            runs[(r["workload"], r["variant"], r["impl"], setting(r))].append(r)
    med = lambda rs, key: statistics.median(x[key] for x in rs)
    keys = sorted({(w, v) for w, v, *_ in runs}, key=lambda k: (SIZE_ORDER[size_of(k[0])], k[0], k[1]))
    here = os.path.dirname(os.path.abspath(__file__))
    print("| workload | variant | training tok/s: nmtx | PyTorch best (setting) | ratio (target) "
          "| nmtx time outside fwd/bwd/update | nmtx validation s (apart) | memory growth MB: nmtx / PyTorch (target: half) "
          "| nmtx GFLOP/s analytic (% of sgemm) | PyTorch GFLOP/s | runs |")
    print("|---|---|" + "---:|" * 9)
    for workload, variant in keys:
        size = size_of(workload)
        ours = runs.get((workload, variant, "nmtx", "2 threads"), [])
        torch = {s: rs for (w, v, impl, s), rs in runs.items() if (w, v, impl) == (workload, variant, "torch")}
        if not ours or not torch:
            continue
        best = max(torch, key=lambda s: med(torch[s], "train_tokens_per_s"))
        n, t = med(ours, "train_tokens_per_s"), med(torch[best], "train_tokens_per_s")
        ratio = n / t
        target = TARGET_RATIO.get(size)
        mark = "" if target is None else f" ({target:g}x {'met' if ratio >= target else 'MISSED'})"
        g_ours, g_torch = med(ours, "growth_mb"), med(torch[best], "growth_mb")
        cells = [workload, variant, f"{n:,.0f}", f"{t:,.0f} ({best})", f"{ratio:.2f}x{mark}",
                 f"{100 * med(ours, 'outside_steps_share'):.1f}%", f"{med(ours, 'validation_seconds'):.1f}",
                 f"{g_ours:,.0f} / {g_torch:,.0f} ({'met' if 2 * g_ours <= g_torch else 'MISSED'})"]
        flops = training_flops_per_step(os.path.join(here, "recipes", workload + ".yaml"), variant) \
            if size != "multi30k" else None
        if flops:
            tokens_per_step = ours[0]["target_tokens"] / ours[0]["steps"]
            gf_ours, gf_torch = flops / tokens_per_step * n / 1e9, flops / tokens_per_step * t / 1e9
            share = gf_ours / sgemm[size] if size in sgemm else None
            goal = TARGET_SGEMM_SHARE.get(size)
            note = "" if share is None else f" ({100 * share:.0f}% of {sgemm[size]:.0f}" + (
                f"; {100 * goal:.0f}% {'met' if share >= goal else 'MISSED'})" if goal else ")")
            cells += [f"{gf_ours:.0f}{note}", f"{gf_torch:.0f}"]
        else:
            cells += ["-", "-"]
        cells.append(str(len(ours)))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
