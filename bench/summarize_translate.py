#!/usr/bin/python3
"""Medians and ratios of a bench/translate_real.sh results file, as a Markdown table
(docs/benchmarks.md, "The path users run")."""
import json
import statistics
import sys
from collections import defaultdict

TARGETS = {("multi30k", 1): 3.0, ("multi30k", 5): 2.5, ("toy", 1): 4.0}  # issue 15


def setting(r):
    return f"{r['threads']} thread{'s' if r['threads'] > 1 else ''}" + (
        ", passive" if r.get("omp_wait_policy", "default").lower() == "passive" else "")


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    runs = defaultdict(list)  # (model, beam, impl, setting) -> records
    for r in rows:
        runs[(r["model"], r["beam"], r["impl"], setting(r))].append(r)
    med = lambda rs, key: statistics.median(x[key] for x in rs)
    print("| model | search | sentences | nmtx translate sent/s | PyTorch best (setting) | ratio (target) "
          "| output lines the same | runs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for model, beam in sorted({(m, b) for m, b, *_ in runs}, key=lambda k: (k[0] != "multi30k", k[1])):
        ours = runs.get((model, beam, "nmtx", "2 threads"), [])
        torch = {s: rs for (m, b, impl, s), rs in runs.items() if (m, b, impl) == (model, beam, "torch")}
        if not ours or not torch:
            continue
        best = max(torch, key=lambda s: med(torch[s], "sentences_per_s"))
        n, t = med(ours, "sentences_per_s"), med(torch[best], "sentences_per_s")
        target = TARGETS.get((model, beam))
        mark = "" if target is None else f" ({target:g}x {'met' if n / t >= target else 'MISSED'})"
        sentences = ours[0]["sentences"]
        print(f"| {model} | {'greedy' if beam == 1 else f'beam {beam}'} | {sentences:,} | {n:,.0f} "
              f"| {t:,.0f} ({best}) | {n / t:.2f}x{mark} | {100 * med(torch[best], 'same_lines') / sentences:.1f}% "
              f"| {len(ours)} |")


if __name__ == "__main__":
    main(sys.argv[1])
