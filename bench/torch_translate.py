#!/usr/bin/python3
"""The PyTorch side of the decoding benchmark on the path users run: translate a file with
an nmtx run's trained parameters loaded into bench/torch_reference.py's model (the one the
`reference` test proves equal to nmtx's), greedy or beam search, and print one JSON line.

  bench/torch_translate.py RUN --input FILE --output FILE [--beam 1] [--alpha 0]
                           [--batch 64] [--threads 1] [--max-length-ratio 2]

As `nmtx translate --model RUN` does it: the checkpoint `best` (its params/), the source
lowercased if the recipe says so and split on spaces, sentences sorted by length and
decoded in batches, each sentence stopped at </s> or after ratio × its length + 10 tokens.
Beam search as OpenNMT-py and Joey NMT batch it: the encoder runs once and its outputs are
repeated K times; every step ranks each sentence's K·V continuations with topk; a
continuation ending in </s> is finished (ranked by log p / ((5 + |y|) / 6)^alpha) and
leaves the beam; a sentence ends when K hypotheses have finished, when no live one can
still beat its best finished one (alpha = 0), or at its step limit; finished sentences
leave the batch (index_select). Timed: reading, decoding and writing the file, not loading
the model. Reported: sentences/s and the output lines.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import Seq2Seq  # noqa: E402
from torch_train import read_vocab, variant_of  # noqa: E402

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def load_model(run):
    with open(os.path.join(run, "config.yaml"), encoding="utf-8") as f:
        config = yaml.safe_load(f)
    m = config["model"]
    if m["cell"] != "gru" or m["encoder_layers"] != 1 or m["decoder_layers"] != 1 or m["tied_embeddings"]:
        sys.exit("torch_translate.py: torch_reference.py's model is a one-layer GRU on each side, untied")
    src_vocab = read_vocab(os.path.join(run, "src.vocab"))
    tgt_vocab = read_vocab(os.path.join(run, "tgt.vocab"))
    decoder_hidden = m["decoder_hidden"] or 2 * m["hidden"]
    model = Seq2Seq(variant_of(m), m["embed"], m["hidden"], decoder_hidden, len(src_vocab), len(tgt_vocab),
                    m["attention"]["dim"] or decoder_hidden, m["output_dim"] or m["embed"])
    checkpoints = os.path.join(run, "checkpoints")
    with open(os.path.join(checkpoints, "best"), encoding="utf-8") as f:
        params = os.path.join(checkpoints, f.read().strip(), "params")
    with torch.no_grad():
        for name, p in model.by_nmtx_name().items():
            p.copy_(torch.from_numpy(np.load(os.path.join(params, name + ".npy"))))
    model.eval()
    return config, model, src_vocab, [w for w, _ in sorted(tgt_vocab.items(), key=lambda x: x[1])]


def greedy(model, src, lengths, limits):
    memory, mask, keys, s = model.encode(src, lengths)
    B = src.shape[1]
    feed = torch.zeros_like(s)
    y = torch.full((B,), BOS, dtype=torch.long)
    out = [[] for _ in range(B)]
    alive = torch.arange(B)
    for t in range(max(limits)):
        o, s, feed = model.step(y, s, feed, memory, mask, keys)
        y = model.logits(o).argmax(-1)
        keep = []
        for i, (b, token) in enumerate(zip(alive.tolist(), y.tolist())):
            if token == EOS:
                continue
            out[b].append(token)
            if t + 1 < limits[b]:
                keep.append(i)
        if len(keep) < len(alive):  # finished sentences leave the batch
            if not keep:
                break
            k = torch.tensor(keep)
            alive, y, s, feed = alive[k], y[k], s[k], feed[k]
            memory, mask, keys = memory[k], mask[k], keys[k]
    return out


def beam(model, src, lengths, limits, K, alpha):
    memory, mask, keys, s = model.encode(src, lengths)
    B = src.shape[1]
    rep = lambda x: x.repeat_interleave(K, dim=0)
    memory, mask, keys, s = rep(memory), rep(mask), rep(keys), rep(s)
    feed = torch.zeros_like(s)
    y = torch.full((B * K,), BOS, dtype=torch.long)
    scores = torch.full((B, K), -math.inf)
    scores[:, 0] = 0.0  # one live hypothesis per sentence at first
    history = torch.empty((B * K, 0), dtype=torch.long)
    alive = list(range(B))  # sentence of each row block
    finished = [[] for _ in range(B)]  # (normalised score, tokens)
    penalty = lambda n: ((5.0 + n) / 6.0) ** alpha
    for t in range(max(limits)):
        n = len(alive)
        o, s, feed = model.step(y, s, feed, memory, mask, keys)
        log_probs = torch.log_softmax(model.logits(o), dim=-1)  # (n·K, V)
        V = log_probs.shape[1]
        top, best = (scores.view(-1, 1) + log_probs).view(n, K * V).topk(K, dim=1)
        origin = torch.div(best, V, rounding_mode="floor") + (torch.arange(n) * K)[:, None]
        token = best % V
        history = torch.cat([history[origin.view(-1)], token.view(-1, 1)], 1)
        tok, sc = token.tolist(), top.tolist()  # plain lists: no tensor op per hypothesis
        keep = []
        for i, b in enumerate(alive):
            last = t + 1 >= limits[b]
            for j in range(K):
                if tok[i][j] == EOS or last:
                    if sc[i][j] > -math.inf:
                        tokens = history[i * K + j].tolist()
                        finished[b].append((sc[i][j] / penalty(t + 1), tokens[:-1] if tok[i][j] == EOS else tokens))
                    sc[i][j] = -math.inf
            best_live = max(sc[i])
            done = len(finished[b]) >= K or last or best_live == -math.inf
            if not done and alpha == 0 and finished[b]:  # live log-probabilities only fall
                done = max(f[0] for f in finished[b]) >= best_live
            if not done:
                keep.append(i)
        top = torch.tensor(sc)
        if not keep:
            break
        k = torch.tensor(keep)
        rows = (k[:, None] * K + torch.arange(K)[None, :]).view(-1)
        select = origin.view(-1)[rows]
        alive = [alive[i] for i in keep]
        scores, y, history = top[k], token.view(-1)[rows], history[rows]
        s, feed = s[select], feed[select]
        memory, mask, keys = memory[select], mask[select], keys[select]
    return [max(f)[1] if f else [] for f in finished]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run")
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--alpha", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-length-ratio", type=float, default=2.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config, model, src_vocab, tgt_words = load_model(args.run)
    lower = config["data"]["lowercase"]

    t0 = time.perf_counter()
    with open(args.input, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    sources = [[src_vocab.get(w, UNK) for w in (line.lower() if lower else line).split()] for line in lines]
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    outputs = [[] for _ in sources]
    with torch.no_grad():
        for start in range(0, len(order), args.batch):
            part = [i for i in order[start:start + args.batch] if sources[i]]
            if not part:
                continue
            S = max(len(sources[i]) for i in part)
            src = torch.zeros(S, len(part), dtype=torch.long)
            for b, i in enumerate(part):
                src[:len(sources[i]), b] = torch.tensor(sources[i])
            lengths = torch.tensor([len(sources[i]) for i in part])
            limits = [int(args.max_length_ratio * n) + 10 for n in lengths.tolist()]
            hyps = greedy(model, src, lengths, limits) if args.beam == 1 else \
                beam(model, src, lengths, limits, args.beam, args.alpha)
            for i, h in zip(part, hyps):
                outputs[i] = h
    with open(args.output, "w", encoding="utf-8") as f:
        for h in outputs:
            f.write(" ".join(tgt_words[t] for t in h) + "\n")
    seconds = time.perf_counter() - t0
    print(json.dumps({"impl": "torch", "run": args.run, "beam": args.beam, "threads": args.threads,
                      "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"), "sentences": len(lines),
                      "seconds": round(seconds, 3), "sentences_per_s": round(len(lines) / seconds, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
