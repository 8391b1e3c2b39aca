// A batch of sentence pairs as padded, time-major token ids: what the model consumes.
#pragma once

#include <cstddef>
#include <vector>

namespace nmtx {

struct Batch {
  std::size_t size = 0;          // B sentences
  std::size_t src_len = 0;       // S: the longest source
  std::size_t tgt_len = 0;       // T: the longest target + 1 (for </s> or <s>)
  std::vector<int> src;          // (S, B): row t holds token t of every source, then <pad>
  std::vector<int> src_lengths;  // (B)
  std::vector<int> tgt_in;       // (T, B): <s> y_1 .. y_n, then <pad>
  std::vector<int> tgt_out;      // (T, B): y_1 .. y_n </s>, then <pad>
  std::vector<int> tgt_lengths;  // (B): n + 1

  std::size_t target_tokens() const;  // Σ tgt_lengths: the tokens the loss counts
};

// Pads token-id sentences (without <s> and </s>) into a batch. Every source must have at
// least one token.
Batch make_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets, int pad,
                 int bos, int eos);

}  // namespace nmtx
