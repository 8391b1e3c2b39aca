// Greedy decoding: at every step the most probable token, until </s> or a length limit.
#pragma once

#include <vector>

#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct Hypothesis {
  std::vector<int> tokens;                      // without </s>
  double log_prob = 0.0;                        // Σ log p of the tokens and </s> (if produced), natural log
  std::vector<std::vector<float>> attention;    // per output step (</s> included): weights over the source
  std::vector<float> positions;                 // per output step, p_t of local attention (empty otherwise)
};

// Decodes token-id sources (without <s> / </s>) as one batch; max_length bounds the
// output steps per sentence.
std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources, int bos,
                                      int eos, std::size_t max_length, const InferenceConstraints& constraints = {});

}  // namespace nmtx
