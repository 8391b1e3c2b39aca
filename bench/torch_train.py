#!/usr/bin/python3
"""The PyTorch side of the real-path training benchmark: train bench/torch_reference.py's
model (the one the `reference` test proves equal to nmtx's) on the data and vocabularies of
an nmtx run, batched as Joey NMT batches, and print one JSON line.

  bench/torch_train.py RUN [--steps 200] [--warmup 2] [--threads 2]

RUN is a run directory that `nmtx train` wrote (its config.yaml gives the model, the batch
size and the data; its src.vocab / tgt.vocab the vocabularies; toy tasks' data is in
RUN/data/). Batching as Joey NMT and torchtext's BucketIterator do it: a seeded shuffle,
pools of 100 batches sorted by source length and cut into batches of training.batch_size
sentences, the batches shuffled again; every batch is a padded tensor built before the
clock starts, so the timed steps hold no per-sentence Python work. Each step is forward,
backward, clipping at training.clip_norm and Adam, as in nmtx. Reported: target tokens
(with </s>) per second over the timed steps, and peak memory growth over the RSS once the
model and the batches are built.
"""
import argparse
import json
import os
import random
import resource
import sys
import time

import torch
import yaml
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import Seq2Seq, rss_mb  # noqa: E402


def fail(message):
    sys.exit(f"torch_train.py: {message}")


def read_vocab(path):
    with open(path, encoding="utf-8") as f:
        return {token: i for i, token in enumerate(line.rstrip("\n") for line in f)}


def corpus_files(run, config):
    """The training source and target files of the run."""
    data = config["data"]
    if data["task"] != "none":  # toy tasks are generated into RUN/data/
        return os.path.join(run, "data", "train.src"), os.path.join(run, "data", "train.tgt")
    prefix = data["train"]
    return f"{prefix}.{data['src_lang']}", f"{prefix}.{data['tgt_lang']}"


def read_pairs(config, src_path, tgt_path, src_vocab, tgt_vocab):
    """Id sequences of the training pairs nmtx trains on (both sides within max_length)."""
    data = config["data"]
    if data["level"] != "word" or data["subword"]["type"] != "none":
        fail("only word-level runs without subwords are supported")
    lower, limit = data["lowercase"], data["max_length"]
    pairs = []
    with open(src_path, encoding="utf-8") as fs, open(tgt_path, encoding="utf-8") as ft:
        for s, t in zip(fs, ft):
            if lower:
                s, t = s.lower(), t.lower()
            s, t = s.split(), t.split()
            if not s or not t or len(s) > limit or len(t) > limit:
                continue
            pairs.append(([src_vocab.get(w, 1) for w in s], [tgt_vocab.get(w, 1) for w in t]))
    if not pairs:
        fail(f"{src_path}: no training pairs")
    return pairs


def bucketed_batches(pairs, batch_size, seed, pool_batches=100):
    """Joey NMT's / torchtext's bucketing: shuffle, sort pools by length, cut, shuffle."""
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    batches = []
    pool = pool_batches * batch_size
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: (len(pairs[i][0]), len(pairs[i][1])))
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def padded(pairs, indices):
    """(src, src_lengths, tgt_in, tgt_out, tgt_lengths, target tokens) of one batch, time-major."""
    srcs = [pairs[i][0] for i in indices]
    tgts = [pairs[i][1] for i in indices]
    B, S, T = len(indices), max(map(len, srcs)), max(map(len, tgts)) + 1
    src = torch.zeros(S, B, dtype=torch.long)
    tgt_in = torch.zeros(T, B, dtype=torch.long)
    tgt_out = torch.zeros(T, B, dtype=torch.long)
    for b, (s, t) in enumerate(zip(srcs, tgts)):
        src[:len(s), b] = torch.tensor(s)
        tgt_in[:len(t) + 1, b] = torch.tensor([2] + t)
        tgt_out[:len(t) + 1, b] = torch.tensor(t + [3])
    src_lengths = torch.tensor([len(s) for s in srcs])
    tgt_lengths = torch.tensor([len(t) + 1 for t in tgts])
    return src, src_lengths, tgt_in, tgt_out, tgt_lengths, int(tgt_lengths.sum())


def variant_of(model_config):
    attention = model_config["attention"]
    if attention["type"] == "bahdanau":
        return "bahdanau"
    if attention["type"] == "luong" and attention["score"] in ("dot", "general", "concat"):
        return f"luong-{attention['score']}"
    fail(f"attention {attention['type']}/{attention['score']} is not in torch_reference.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="a run directory of nmtx train")
    parser.add_argument("--steps", type=int, default=200, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    with open(os.path.join(args.run, "config.yaml"), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    m, t = config["model"], config["training"]
    if m["cell"] != "gru" or m["encoder_layers"] != 1 or m["decoder_layers"] != 1:
        fail("torch_reference.py's model is a one-layer GRU on each side")
    if not m["input_feeding"] or not m["maxout"] or m["tied_embeddings"] or m["bridge"] != "auto":
        fail("torch_reference.py's model is nmtx's default (input feeding, maxout, untied, bridge auto)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(t["seed"])
    src_vocab = read_vocab(os.path.join(args.run, "src.vocab"))
    tgt_vocab = read_vocab(os.path.join(args.run, "tgt.vocab"))
    pairs = read_pairs(config, *corpus_files(args.run, config), src_vocab, tgt_vocab)
    variant = variant_of(m)
    decoder_hidden = m["decoder_hidden"] or 2 * m["hidden"]
    attention_dim = m["attention"]["dim"] or decoder_hidden
    output_dim = m["output_dim"] or m["embed"]
    model = Seq2Seq(variant, m["embed"], m["hidden"], decoder_hidden, len(src_vocab), len(tgt_vocab),
                    attention_dim, output_dim, dropout=m["dropout"])
    optimiser = torch.optim.Adam(model.parameters(), lr=t["learning_rate"], betas=(t["adam_beta1"], t["adam_beta2"]),
                                 eps=float(t["adam_eps"]), foreach=True)
    needed = args.warmup + args.steps
    order = []
    epoch = 0
    while len(order) < needed:
        order += bucketed_batches(pairs, t["batch_size"], t["seed"] + epoch)
        epoch += 1
    batches = [padded(pairs, indices) for indices in order[:needed]]
    rss_built = rss_mb()

    def train_step(batch):
        src, src_lengths, tgt_in, tgt_out, tgt_lengths, tokens = batch
        optimiser.zero_grad(set_to_none=True)
        loss = model.loss(src, src_lengths, tgt_in, tgt_out, tgt_lengths) / tokens
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), float(t["clip_norm"]))
        optimiser.step()
        return loss.item()

    for batch in batches[:args.warmup]:
        train_step(batch)
    t0 = time.perf_counter()
    for batch in batches[args.warmup:]:
        last = train_step(batch)
    seconds = time.perf_counter() - t0
    tokens = sum(b[5] for b in batches[args.warmup:])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": "torch", "run": args.run, "variant": variant, "threads": args.threads,
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"), "steps": args.steps,
                      "target_tokens": tokens, "seconds": round(seconds, 3),
                      "train_tokens_per_s": round(tokens / seconds, 1), "rss_after_build_mb": round(rss_built, 1),
                      "peak_rss_mb": round(peak, 1), "growth_mb": round(peak - rss_built, 1),
                      "params": sum(p.numel() for p in model.parameters()), "last_loss": round(last, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
