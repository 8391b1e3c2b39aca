// What one sentence attended to while it was decoded (greedy, beam search) or
// force-decoded (a given translation): the one record every consumer reads (translate's
// --replace-unk and --attention, nmtx align, nmtx compare's entropy, AER and heatmaps, the
// attention export).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace nmtx {

struct AttentionRecord {
  // (T, S): row t is output step t's weights over the S source tokens (nmtx's encoder
  // reads no </s>, so S is the sentence's length). A step that produced </s> has its row.
  std::vector<std::vector<float>> weights;
  // (T): p_t, the predicted source position of local-m / local-p attention; empty for
  // other variants.
  std::vector<float> positions;
  // (k, T, S): multi-head attention's heads, heads[j] head j's (T, S) matrix a_t^j, of which
  // `weights` is the mean; empty for other variants.
  std::vector<std::vector<std::vector<float>>> heads;

  std::size_t steps() const { return weights.size(); }
  // Keeps the first `steps` rows (of weights, positions and every head).
  void truncate(std::size_t steps);
  // Appends output step t's row of each head from (k, stride) values, the first `width`
  // of each (the sentence's source length).
  void append_heads(const float* rows, std::size_t k, std::size_t stride, std::size_t width);
  // The most attended source position of step t (ties: the first).
  std::size_t argmax(std::size_t t) const;
  // Over the first `steps` rows (the output tokens, a final </s> left out by the caller):
  // the mean entropy −Σ_s a_t(s) ln a_t(s) in nats, and the coverage deviation, the mean
  // over source positions of |Σ_t a_t(s) − 1|. Both 0 without rows (or columns).
  double mean_entropy(std::size_t steps) const;
  double coverage_deviation(std::size_t steps) const;
  // Hard alignments over the first `steps` rows (the output tokens, a final </s> left out
  // by the caller), as Pharaoh (source, target) pairs, 0-based: each row's most attended
  // source position, or with threshold > 0 every position whose weight reaches it.
  std::vector<std::pair<int, int>> hard_alignment(std::size_t steps, float threshold = 0.0f) const;
};

}  // namespace nmtx
