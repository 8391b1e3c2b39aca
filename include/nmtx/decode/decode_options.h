// How a decoder runs: special tokens, length limits, attention constraints, a forced
// prefix, threads (DecodeOptions), and beam search's size, length normalisation and n-best
// (BeamOptions). The translation service derives both from its one set of settings.
#pragma once

#include <cstddef>
#include <vector>

#include "nmtx/attention/attention.h"

namespace nmtx {

struct DecodeOptions {
  int bos = 2, eos = 3;
  std::size_t max_length = 100;       // output steps per sentence at most
  // > 0: a sentence of n source tokens also stops after ⌊ratio · n⌋ + 10 steps (the
  // </s> step included), whichever limit comes first.
  float max_length_ratio = 0.0f;
  bool ignore_eos = false;            // keep decoding after </s> (benchmarks: a fixed amount of work)
  // Each hypothesis's attention rows and p_t. Off, `attention` stays empty: translating
  // without an attention export or <unk> replacement needs none, and copying a row per
  // step and sentence is a few percent of decoding a small model.
  bool keep_attention = true;
  InferenceConstraints constraints;   // hard, monotonic, windowed attention; an intervention
  // Forced prefix (the inspector's "continue from here"): every sentence's first output
  // tokens are these, whatever the model prefers, and decoding goes on from them (beam
  // search holds one hypothesis until they are used up). Their log-probabilities count.
  // No </s> (nor <s>) among them.
  std::vector<int> prefix;
  // Worker threads: the sentences are split into this many shards, each decoded by its
  // own thread with single-threaded BLAS (every sentence's result is independent of its
  // batch, so the output does not depend on this, up to float rounding in BLAS).
  std::size_t threads = 1;
};

struct BeamOptions {
  std::size_t beam_size = 5;
  float alpha = 0.0f;        // length normalisation
  std::size_t n_best = 1;    // hypotheses returned per sentence (<= beam_size)
};

// The output steps sentence of n source tokens may take.
std::size_t step_limit(const DecodeOptions& options, std::size_t source_length);
// Throws std::invalid_argument unless every prefix token is an id below `vocab` other
// than </s> and <s>.
void check_prefix(const DecodeOptions& options, std::size_t vocab);

}  // namespace nmtx
