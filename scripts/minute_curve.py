#!/usr/bin/env python3
"""Test BLEU of a run against its training time: the curve recipes/README.md records.

The point at minute m is the score of the latest checkpoint written at or before m minutes
of training (train_seconds in the checkpoint's state.json: wall time, validation included).
Each checkpoint is translated with `nmtx translate` (beam 5, alpha 0.6 unless told) and
scored with `nmtx bleu`. With --raw, checkpoints of a run with training.ema_decay are
scored on the parameters the optimiser worked on (training-params/) instead of their
moving average (params/): what the run would have given without EMA, from the same run.

  scripts/minute_curve.py runs/multi30k-de-en --src data/multi30k/test2016.de \
      --ref data/multi30k/test2016.en --tokenize none --minutes 8,16,24,32,40,60
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def checkpoints(run):
    """(train_seconds, name) of every step-N checkpoint, oldest first."""
    folder = os.path.join(run, "checkpoints")
    found = []
    for name in sorted(os.listdir(folder)):
        state = os.path.join(folder, name, "state.json")
        if name.startswith("step-") and os.path.isfile(state):
            with open(state) as f:
                s = json.load(f)
            found.append((s["train_seconds"], name))
    if not found:
        sys.exit(f"{folder}: no step-N checkpoints")
    return sorted(found)


def raw_view(checkpoint, into):
    """A checkpoint directory whose params/ are the original's training-params/."""
    raw = os.path.join(checkpoint, "training-params")
    if not os.path.isdir(raw):
        sys.exit(f"{checkpoint}: no training-params/ (the run has no training.ema_decay)")
    os.makedirs(into)
    for entry in os.listdir(checkpoint):
        if entry not in ("params", "training-params"):
            os.symlink(os.path.join(os.path.abspath(checkpoint), entry), os.path.join(into, entry))
    os.symlink(os.path.abspath(raw), os.path.join(into, "params"))
    return into


def bleu(nmtx, run, checkpoint, args):
    translate = [nmtx, "translate", "--model", run, "--checkpoint", checkpoint, "-i", args.src,
                 "--beam", str(args.beam), "--alpha", str(args.alpha)]
    hyp = subprocess.run(translate, check=True, capture_output=True, text=True).stdout
    score = subprocess.run([nmtx, "bleu", args.ref, "--tokenize", args.tokenize, "--score-only"],
                           input=hyp, check=True, capture_output=True, text=True).stdout
    return float(score)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run")
    p.add_argument("--src", required=True, help="source file to translate")
    p.add_argument("--ref", required=True, help="reference file")
    p.add_argument("--tokenize", default="13a", help="nmtx bleu --tokenize (13a, none)")
    p.add_argument("--minutes", default="8,16,24,32,40,60", help="comma-separated minutes")
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--alpha", type=float, default=0.6)
    p.add_argument("--every-checkpoint", action="store_true", help="one line per checkpoint instead of per minute")
    p.add_argument("--raw", action="store_true", help="score training-params/ instead of params/")
    p.add_argument("--nmtx", default=os.path.join(os.path.dirname(__file__), "..", "build", "nmtx"))
    args = p.parse_args()

    found = checkpoints(args.run)
    if args.every_checkpoint:
        points = [(seconds / 60, checkpoint) for checkpoint in found]
    else:  # the latest checkpoint written at or before each minute
        points = []
        for m in (float(m) for m in args.minutes.split(",")):
            written = [c for c in found if c[0] <= m * 60]
            points.append((m, written[-1] if written else None))
    scored = {}
    print("| minute | checkpoint | training time | BLEU |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for m, point in points:
            if point is None:
                print(f"| {m:g} | (none yet) | | |")
                continue
            seconds, name = point
            if name not in scored:
                checkpoint = os.path.join(args.run, "checkpoints", name)
                if args.raw:
                    checkpoint = raw_view(checkpoint, os.path.join(tmp, name))
                scored[name] = bleu(args.nmtx, args.run, checkpoint, args)
            print(f"| {m:.1f} | {name} | {int(seconds // 60)} min {int(seconds % 60):02d} s "
                  f"| {scored[name]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
