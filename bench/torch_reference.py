#!/usr/bin/python3
"""The PyTorch side of nmtx's benchmark, and the check that it is the same model.

  torch_reference.py check DIR
      Loads what `nmtx_bench --export DIR` wrote (parameters under docs/model.md's
      names, a padded batch, the loss and every gradient, all .npy), computes the loss
      and the gradients with PyTorch, and exits 1 unless they agree to 1e-4 relative.

  torch_reference.py bench --size toy|medium|large --variant V --threads N --phase train|decode|beam
      The benchmark nmtx_bench runs, the PyTorch way (nn.GRU encoder, nn.GRUCell decoder
      loop, one output projection for all steps), printed as one JSON line.

The model is nmtx's (docs/model.md) with GRU cells, one layer on each side, for the
variants bahdanau, luong-dot, luong-general and luong-concat; dropout (off unless asked:
torch_train.py asks for model.dropout) where docs/model.md puts it for one layer per side:
on the source and target embeddings and on the output vector before the output layer. Runs on Debian's
python3-torch; call it with /usr/bin/python3 (other interpreters lack that package).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

VARIANTS = {"bahdanau": ("bahdanau", "concat"), "luong-dot": ("luong", "dot"),
            "luong-general": ("luong", "general"), "luong-concat": ("luong", "concat")}
# hidden is every recurrent state: encoder hidden/2 per direction, decoder hidden (as nmtx_bench)
SIZES = {"toy": dict(embed=64, hidden=128, vocab=1000, batch=64, length=20),
         "medium": dict(embed=256, hidden=256, vocab=8000, batch=64, length=25),
         "large": dict(embed=512, hidden=512, vocab=16000, batch=64, length=30)}


class Seq2Seq(nn.Module):
    def __init__(self, variant, embed, hidden, decoder_hidden, src_vocab, tgt_vocab, attention_dim, output_dim,
                 dropout=0.0):
        super().__init__()
        self.dropout = dropout
        self.type, self.score = VARIANTS[variant]
        E, H, Hd, A, L = embed, hidden, decoder_hidden, attention_dim, output_dim
        self.src_embed = nn.Embedding(src_vocab, E)
        self.tgt_embed = nn.Embedding(tgt_vocab, E)
        self.encoder = nn.GRU(E, H, bidirectional=True)
        bahdanau = self.type == "bahdanau"
        self.cell = nn.GRUCell(E + (2 * H if bahdanau else Hd), Hd)
        shapes = {}
        if bahdanau:
            shapes.update({"decoder.attn.W_a": (A, Hd), "decoder.attn.U_a": (A, 2 * H), "decoder.attn.v_a": (A,),
                           "decoder.init.l0.W": (Hd, H), "decoder.init.l0.b": (Hd,),
                           "decoder.deep.U_o": (2 * L, Hd), "decoder.deep.V_o": (2 * L, E),
                           "decoder.deep.C_o": (2 * L, 2 * H), "decoder.deep.b_o": (2 * L,),
                           "decoder.out.W": (tgt_vocab, L)})
        else:
            if self.score == "general":
                shapes["decoder.attn.W_a"] = (Hd, 2 * H)
            elif self.score == "concat":
                shapes.update({"decoder.attn.W_a": (A, Hd + 2 * H), "decoder.attn.v_a": (A,)})
            shapes.update({"decoder.W_c": (Hd, 2 * H + Hd), "decoder.init.l0.W": (Hd, 2 * H),
                           "decoder.init.l0.b": (Hd,), "decoder.out.W": (tgt_vocab, Hd)})
        shapes["decoder.out.b"] = (tgt_vocab,)
        self.extra = nn.ParameterDict({k.replace(".", "__"): nn.Parameter(torch.empty(s)) for k, s in shapes.items()})
        for p in self.parameters():
            nn.init.uniform_(p, -0.1, 0.1)  # nmtx's default initialisation

    def by_nmtx_name(self):
        """Every parameter under its nmtx name (docs/model.md)."""
        m = {"encoder.embed": self.src_embed.weight, "decoder.embed": self.tgt_embed.weight}
        for direction, suffix in (("fwd", ""), ("bwd", "_reverse")):
            for ours, theirs in (("W_ih", "weight_ih_l0"), ("W_hh", "weight_hh_l0"),
                                 ("b_ih", "bias_ih_l0"), ("b_hh", "bias_hh_l0")):
                m[f"encoder.l0.{direction}.{ours}"] = getattr(self.encoder, theirs + suffix)
        for ours, theirs in (("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_ih", "bias_ih"), ("b_hh", "bias_hh")):
            m[f"decoder.l0.{ours}"] = getattr(self.cell, theirs)
        for k, p in self.extra.items():
            m[k.replace("__", ".")] = p
        return m

    def p(self, name):
        return self.extra[name.replace(".", "__")]

    def encode(self, src, src_lengths):
        S, B = src.shape
        emb = self.drop(self.src_embed(src))                        # (S, B, E)
        if bool((src_lengths == S).all()):
            states, h_n = self.encoder(emb)
        else:  # packed: the backward direction starts at each sentence's last token
            packed = pack_padded_sequence(emb, src_lengths, enforce_sorted=False)
            states, h_n = self.encoder(packed)
            states, _ = pad_packed_sequence(states, total_length=S)
        memory = states.transpose(0, 1)                             # (B, S, 2H)
        mask = torch.arange(S)[None, :] < src_lengths[:, None]      # (B, S)
        if self.type == "bahdanau":
            s = torch.tanh(F.linear(h_n[1], self.p("decoder.init.l0.W"), self.p("decoder.init.l0.b")))
            keys = F.linear(memory, self.p("decoder.attn.U_a"))
        else:
            s = torch.tanh(F.linear(torch.cat([h_n[0], h_n[1]], 1), self.p("decoder.init.l0.W"),
                                    self.p("decoder.init.l0.b")))
            Hd = s.shape[1]
            if self.score == "general":
                keys = F.linear(memory, self.p("decoder.attn.W_a"))
            elif self.score == "concat":
                keys = F.linear(memory, self.p("decoder.attn.W_a")[:, Hd:])
            else:
                keys = memory
        return memory, mask, keys, s

    def attend(self, query, memory, mask, keys):
        if self.type == "bahdanau":
            e = torch.tanh(keys + F.linear(query, self.p("decoder.attn.W_a"))[:, None, :]) @ self.p("decoder.attn.v_a")
        elif self.score == "concat":
            Wq = self.p("decoder.attn.W_a")[:, :query.shape[1]]
            e = torch.tanh(keys + F.linear(query, Wq)[:, None, :]) @ self.p("decoder.attn.v_a")
        else:
            e = torch.bmm(keys, query[:, :, None])[:, :, 0]
        a = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
        return torch.bmm(a[:, None, :], memory)[:, 0], a

    def step(self, y_prev, s, feed, memory, mask, keys):
        """One decoder step: returns the output vector, the new state and the fed vector."""
        y = self.drop(self.tgt_embed(y_prev))
        if self.type == "bahdanau":
            c, _ = self.attend(s, memory, mask, keys)
            s = self.cell(torch.cat([y, c], 1), s)
            pre = (F.linear(s, self.p("decoder.deep.U_o")) + F.linear(y, self.p("decoder.deep.V_o"))
                   + F.linear(c, self.p("decoder.deep.C_o")) + self.p("decoder.deep.b_o"))
            return pre.view(pre.shape[0], -1, 2).max(-1).values, s, feed
        s = self.cell(torch.cat([y, feed], 1), s)
        c, _ = self.attend(s, memory, mask, keys)
        o = torch.tanh(F.linear(torch.cat([c, s], 1), self.p("decoder.W_c")))
        return o, s, o

    def drop(self, x):
        """Inverted dropout with a fresh mask at every application, in training only."""
        return F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x

    def logits(self, o):
        return F.linear(o, self.p("decoder.out.W"), self.p("decoder.out.b"))

    def loss(self, src, src_lengths, tgt_in, tgt_out, tgt_lengths):
        """Σ of the token cross-entropies over the real target tokens (nats)."""
        memory, mask, keys, s = self.encode(src, src_lengths)
        T, B = tgt_in.shape
        feed = torch.zeros_like(s)
        outputs = []
        for t in range(T):
            o, s, feed = self.step(tgt_in[t], s, feed, memory, mask, keys)
            outputs.append(o)
        logits = self.logits(self.drop(torch.stack(outputs).view(T * B, -1)))
        token_mask = (torch.arange(T)[:, None] < tgt_lengths[None, :]).reshape(-1)
        return (F.cross_entropy(logits, tgt_out.reshape(-1), reduction="none") * token_mask).sum()

    @torch.no_grad()
    def greedy(self, src, src_lengths, steps, bos=2):
        memory, mask, keys, s = self.encode(src, src_lengths)
        y = torch.full((src.shape[1],), bos, dtype=torch.long)
        feed = torch.zeros_like(s)
        out = []
        for _ in range(steps):  # a fixed number of steps, as nmtx_bench (ignore_eos)
            o, s, feed = self.step(y, s, feed, memory, mask, keys)
            y = self.logits(o).argmax(-1)
            out.append(y)
        return torch.stack(out)


    @torch.no_grad()
    def beam(self, src, src_lengths, steps, K, bos=2):
        """Beam search over a fixed number of steps (as nmtx_bench: ignore_eos), batched as
        Joey NMT and OpenNMT-py do it: the encoder runs once and its outputs are repeated K
        times; at every step the K·V continuations of each sentence are ranked with topk
        and the decoder states and the token histories reordered with index_select."""
        memory, mask, keys, s = self.encode(src, src_lengths)
        B = src.shape[1]
        memory, mask, keys, s = (x.repeat_interleave(K, dim=0) for x in (memory, mask, keys, s))
        feed = torch.zeros_like(s)
        y = torch.full((B * K,), bos, dtype=torch.long)
        scores = torch.full((B, K), float("-inf"))
        scores[:, 0] = 0.0  # one live hypothesis per sentence at first
        offsets = (torch.arange(B) * K)[:, None]
        history = torch.empty((B * K, 0), dtype=torch.long)
        for _ in range(steps):
            o, s, feed = self.step(y, s, feed, memory, mask, keys)
            log_probs = torch.log_softmax(self.logits(o), dim=-1)   # (B·K, V)
            V = log_probs.shape[1]
            scores, best = (scores.view(-1, 1) + log_probs).view(B, K * V).topk(K, dim=1)
            origin = (torch.div(best, V, rounding_mode="floor") + offsets).view(-1)
            y = (best % V).view(-1)
            s, feed = s.index_select(0, origin), feed.index_select(0, origin)
            history = torch.cat([history.index_select(0, origin), y[:, None]], 1)
        return scores, history


def load_npy(path):
    return torch.from_numpy(np.load(path))


def check(directory):
    cfg = json.load(open(os.path.join(directory, "config.json")))
    model = Seq2Seq(cfg["variant"], cfg["embed"], cfg["hidden"], cfg["decoder_hidden"], cfg["src_vocab"],
                    cfg["tgt_vocab"], cfg["attention_dim"], cfg["output_dim"])
    params = model.by_nmtx_name()
    files = {f[:-4] for f in os.listdir(os.path.join(directory, "params"))}
    if files != set(params):
        print(f"parameter names differ: only nmtx {sorted(files - set(params))}, only here {sorted(set(params) - files)}")
        return 1
    for name, p in params.items():
        value = load_npy(os.path.join(directory, "params", name + ".npy"))
        if tuple(value.shape) != tuple(p.shape):
            print(f"{name}: nmtx shape {tuple(value.shape)}, reference {tuple(p.shape)}")
            return 1
        p.data.copy_(value)
    b = {k: load_npy(os.path.join(directory, "batch", k + ".npy")).long()
         for k in ("src", "src_lengths", "tgt_in", "tgt_out", "tgt_lengths")}
    loss = model.loss(b["src"], b["src_lengths"], b["tgt_in"], b["tgt_out"], b["tgt_lengths"])
    loss.backward()
    failures = 0
    want = float(np.load(os.path.join(directory, "loss.npy")))
    rel = abs(loss.item() - want) / abs(loss.item())
    print(f"{cfg['variant']}: loss nmtx {want:.7f} reference {loss.item():.7f} relative error {rel:.2e}")
    failures += rel > 1e-4
    worst = (0.0, "")
    for name, p in sorted(params.items()):
        g = np.load(os.path.join(directory, "grads", name + ".npy"))
        ref = p.grad.numpy()
        scale = np.abs(ref).max()
        err = np.abs(g - ref).max() / scale if scale > 0 else np.abs(g).max()
        worst = max(worst, (err, name))
        if err > 1e-4:
            print(f"  gradient {name}: relative error {err:.2e}")
            failures += 1
    print(f"  {len(params)} gradients; largest relative error {worst[0]:.2e} ({worst[1]})")
    return 1 if failures else 0


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


MIN_DECODE_WARMUP_S = 0.3  # as nmtx_bench: past OpenBLAS's spinning after the library loads


def bench(size, variant, threads, steps, warmup, decode_batches, decode_warmup, phase, beam_size):
    torch.set_num_threads(threads)
    s = SIZES[size]
    model = Seq2Seq(variant, s["embed"], s["hidden"] // 2, s["hidden"], s["vocab"], s["vocab"], s["hidden"], s["embed"])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    rss_built = rss_mb()
    rng = np.random.RandomState(7)
    B, n = s["batch"], s["length"]
    src = torch.from_numpy(rng.randint(4, s["vocab"], size=(n, B)))
    tgt = torch.from_numpy(rng.randint(4, s["vocab"], size=(n, B)))
    tgt_in = torch.cat([torch.full((1, B), 2), tgt])
    tgt_out = torch.cat([tgt, torch.full((1, B), 3)])
    src_lengths, tgt_lengths = torch.full((B,), n), torch.full((B,), n + 1)
    tokens = B * (n + 1)

    def train_step():
        optimiser.zero_grad(set_to_none=True)
        loss = model.loss(src, src_lengths, tgt_in, tgt_out, tgt_lengths) / tokens
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        return loss.item()

    common = {"impl": "torch", "phase": phase, "size": size, "variant": variant, "threads": threads,
              "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default")}
    if phase == "train":
        for _ in range(warmup):
            train_step()
        t0 = time.perf_counter()
        for _ in range(steps):
            last = train_step()
        train_seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({**common, "steps": steps, "train_tokens_per_s": round(steps * tokens / train_seconds, 1),
                          "rss_after_build_mb": round(rss_built, 1), "peak_rss_mb": round(peak, 1),
                          "growth_mb": round(peak - rss_built, 1),
                          "params": sum(p.numel() for p in model.parameters()), "last_loss": round(last, 4)}))
        return 0
    if phase == "beam":
        decode = lambda: model.beam(src, src_lengths, n + 1, beam_size)
    else:
        beam_size = 1
        decode = lambda: model.greedy(src, src_lengths, n + 1)
    w0, done = time.perf_counter(), 0
    while done < decode_warmup or time.perf_counter() - w0 < MIN_DECODE_WARMUP_S:
        decode()
        done += 1
    t0 = time.perf_counter()
    for _ in range(decode_batches):
        decode()
    decode_seconds = time.perf_counter() - t0
    print(json.dumps({**common, "beam": beam_size,
                      "decode_sentences_per_s": round(decode_batches * B / decode_seconds, 1)}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="compare loss and gradients with an nmtx export")
    c.add_argument("directory")
    b = sub.add_parser("bench", help="benchmark the PyTorch implementation")
    b.add_argument("--size", choices=sorted(SIZES), default="toy")
    b.add_argument("--variant", choices=sorted(VARIANTS), default="bahdanau")
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--steps", type=int, default=20)
    b.add_argument("--warmup", type=int, default=2)
    b.add_argument("--decode-batches", type=int, default=20)
    b.add_argument("--decode-warmup", type=int, default=5)
    b.add_argument("--phase", choices=["train", "decode", "beam"], default="train")
    b.add_argument("--beam", type=int, default=5, help="beam size of the beam phase")
    args = parser.parse_args()
    if args.command == "check":
        return check(args.directory)
    return bench(args.size, args.variant, args.threads, args.steps, args.warmup, args.decode_batches,
                 args.decode_warmup, args.phase, args.beam)


if __name__ == "__main__":
    sys.exit(main())
