#!/usr/bin/env python3
"""Medians and ratios of a bench/run.sh results file, as a Markdown table (docs/benchmarks.md)."""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = {"train": {"toy": 2.0, "medium": 1.3, "large": 1.0}, "decode": {"toy": 3.0}}


def setting(r):
    return f"{r['threads']} thread{'s' if r['threads'] > 1 else ''}" + (
        ", passive" if r.get("omp_wait_policy", "default").lower() == "passive" else "")


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    sgemm = {r["size"]: r for r in rows if r["impl"] == "sgemm"}
    runs = defaultdict(list)  # (size, variant, phase, impl, setting) -> records
    for r in rows:
        if r["impl"] != "sgemm":
            runs[(r["size"], r["variant"], r["phase"], r["impl"], setting(r))].append(r)
    med = lambda rs, key: statistics.median(x[key] for x in rs)
    order = {"toy": 0, "medium": 1, "large": 2}
    keys = sorted({(s, v) for s, v, *_ in runs}, key=lambda k: (order[k[0]], k[1]))
    print("| size | variant | training tok/s: nmtx | PyTorch best (setting) | ratio (target) "
          "| greedy decoding sent/s: nmtx | PyTorch best (setting) | ratio (target) "
          "| beam-5 sent/s: nmtx | PyTorch best (setting) | ratio "
          "| memory growth MB: nmtx / PyTorch | peak RSS MB: nmtx / PyTorch | nmtx GFLOP/s (% of sgemm) | runs |")
    print("|---|---|" + "---:|" * 13)
    for size, variant in keys:
        cells = [size, variant]
        best_train = None
        for phase, key in (("train", "train_tokens_per_s"), ("decode", "decode_sentences_per_s"),
                           ("beam", "decode_sentences_per_s")):
            ours = runs.get((size, variant, phase, "nmtx", "2 threads"), [])
            torch = {s: rs for (sz, v, ph, impl, s), rs in runs.items()
                     if (sz, v, ph, impl) == (size, variant, phase, "torch")}
            if not ours or not torch:
                cells += ["-", "-", "-"]
                continue
            best = max(torch, key=lambda s: med(torch[s], key))
            if phase == "train":
                best_train = torch[best]
            ratio = med(ours, key) / med(torch[best], key)
            target = TARGETS.get(phase, {}).get(size)
            mark = "" if target is None else f" ({target:g}x {'met' if ratio >= target else 'MISSED'})"
            cells += [f"{med(ours, key):,.0f}", f"{med(torch[best], key):,.0f} ({best})", f"{ratio:.2f}x{mark}"]
        ours = runs.get((size, variant, "train", "nmtx", "2 threads"), [])
        if ours and best_train:
            g_ours, g_torch = med(ours, "growth_mb"), med(best_train, "growth_mb")
            cells.append(f"{g_ours:,.0f} / {g_torch:,.0f} ({'met' if g_ours <= g_torch else 'MISSED'})")
            cells.append(f"{med(ours, 'peak_rss_mb'):,.0f} / {med(best_train, 'peak_rss_mb'):,.0f}")
            peak = sgemm.get(size)
            gf = med(ours, "gflops")
            cells.append(f"{gf:.0f} ({100 * gf / peak['gflops']:.0f}% of {peak['gflops']:.0f})" if peak else f"{gf:.0f}")
            cells.append(str(len(ours)))
        else:
            cells += ["-", "-", "-", "-"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
