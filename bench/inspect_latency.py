#!/usr/bin/env python3
"""Latency of nmtx inspect: one sentence of 10-25 source tokens translated with beam 5,
its attention and its beam-search tree, as the page asks for it, timed from the client
(request sent to answer parsed) with 1 and with 4 clients at once; beside it the
server's in-process decoding time (decode_ms). Prints a Markdown table.

    bench/inspect_latency.py RUN_DIR [--nmtx build/nmtx] [--requests 200]

The server is started on a free port, loaded, warmed up with 10 requests, then measured.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "inspect"))
from client import Client  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    parser.add_argument("--nmtx", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "nmtx"))
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    server = subprocess.Popen([args.nmtx, "inspect", args.run, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = None
        for line in server.stdout:
            if "http://" in line:
                url = line[line.index("http://"):].split()[0]
                break
        if url is None:
            sys.exit("nmtx inspect printed no URL")
        api = Client(url)
        runs = api.ok("/api/runs")["runs"]
        set_name = "test" if any(s["name"] == "test" for s in runs[0]["sets"]) else "dev"
        sentences = [s["source"] for s in api.ok("/api/sentences", {"run": 0, "set": set_name})["sentences"]]
        chosen = []
        for s in sentences:
            n = len(api.ok("/api/translate", {"run": 0, "source": s, "beam": 1})["source_tokens"]) if len(chosen) < 400 else 0
            if 10 <= n <= 25:
                chosen.append(s)
            if len(chosen) >= 100:
                break
        if not chosen:
            sys.exit("no source sentence of 10-25 tokens")
        print(f"run {runs[0]['name']} ({runs[0]['variant']}, {runs[0]['parameters']:,} parameters): "
              f"{len(chosen)} {set_name} sentences of 10-25 source tokens, beam 5 with attention and tree")
        for s in chosen[:10]:
            api.ok("/api/translate", {"run": 0, "source": s, "beam": 5})
        print("| clients | requests | p50 latency (ms) | p99 latency (ms) | p50 decoding in the server (ms) |")
        print("|---:|---:|---:|---:|---:|")
        for clients in (1, 4):
            latencies, decode = [], []
            lock = threading.Lock()

            def work(k):
                local = Client(url)
                for i in range(args.requests // clients):
                    s = chosen[(k * 7919 + i) % len(chosen)]
                    start = time.perf_counter()
                    data = local.ok("/api/translate", {"run": 0, "source": s, "beam": 5})
                    elapsed = (time.perf_counter() - start) * 1000
                    with lock:
                        latencies.append(elapsed)
                        decode.append(data["decode_ms"])

            threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print(f"| {clients} | {len(latencies)} | {percentile(latencies, 50):.1f} | {percentile(latencies, 99):.1f} | "
                  f"{statistics.median(decode):.1f} |")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
