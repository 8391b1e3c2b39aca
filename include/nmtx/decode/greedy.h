// Greedy decoding: at every step the most probable token, until </s> or a length limit.
#pragma once

#include <vector>

#include "nmtx/decode/attention_record.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct Hypothesis {
  std::vector<int> tokens;                      // without </s>
  double log_prob = 0.0;                        // Σ log p of the tokens and </s> (if produced), natural log
  std::vector<double> token_log_probs;          // per output step (</s> included); they sum to log_prob in order
  double score = 0.0;                           // what ranks it: log_prob (greedy), length-normalised (beam)
  bool finished = false;                        // it produced </s> (not cut by the length limit)
  AttentionRecord attention;                    // per output step (</s> included): weights over the source, p_t
};

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

// The output steps sentence of n source tokens may take.
std::size_t step_limit(const DecodeOptions& options, std::size_t source_length);
// Throws std::invalid_argument unless every prefix token is an id below `vocab` other
// than </s> and <s>.
void check_prefix(const DecodeOptions& options, std::size_t vocab);

// Decodes token-id sources (without <s> / </s>) as one batch; finished sentences leave it
// (in groups, see decode/shards.h), so later steps compute only the unfinished ones.
std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                      const DecodeOptions& options);

}  // namespace nmtx
