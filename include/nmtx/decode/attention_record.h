// What one sentence attended to while it was decoded (greedy, beam search) or
// force-decoded (a given translation): the one record every consumer reads (translate's
// --replace-unk and --attention, nmtx align, nmtx compare's entropy, AER and heatmaps, the
// attention export).
#pragma once

#include <cstddef>
#include <vector>

namespace nmtx {

struct AttentionRecord {
  // (T, S): row t is output step t's weights over the S source tokens (nmtx's encoder
  // reads no </s>, so S is the sentence's length). A step that produced </s> has its row.
  std::vector<std::vector<float>> weights;
  // (T): p_t, the predicted source position of local-m / local-p attention; empty for
  // other variants.
  std::vector<float> positions;

  std::size_t steps() const { return weights.size(); }
  // The most attended source position of step t (ties: the first).
  std::size_t argmax(std::size_t t) const;
};

}  // namespace nmtx
