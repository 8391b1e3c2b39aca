#include "nmtx/data/batch.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace nmtx {

std::size_t Batch::target_tokens() const {
  return static_cast<std::size_t>(std::accumulate(tgt_lengths.begin(), tgt_lengths.end(), 0L));
}

Batch make_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets, int pad,
                 int bos, int eos) {
  if (sources.empty() || sources.size() != targets.size()) {
    throw std::invalid_argument("make_batch: " + std::to_string(sources.size()) + " sources and " +
                                std::to_string(targets.size()) + " targets");
  }
  Batch b;
  b.size = sources.size();
  for (std::size_t i = 0; i < b.size; ++i) {
    if (sources[i].empty()) throw std::invalid_argument("make_batch: source " + std::to_string(i) + " is empty");
    b.src_lengths.push_back(static_cast<int>(sources[i].size()));
    b.tgt_lengths.push_back(static_cast<int>(targets[i].size() + 1));
    b.src_len = std::max(b.src_len, sources[i].size());
    b.tgt_len = std::max(b.tgt_len, targets[i].size() + 1);
  }
  b.src.assign(b.src_len * b.size, pad);
  b.tgt_in.assign(b.tgt_len * b.size, pad);
  b.tgt_out.assign(b.tgt_len * b.size, pad);
  for (std::size_t i = 0; i < b.size; ++i) {
    for (std::size_t t = 0; t < sources[i].size(); ++t) b.src[t * b.size + i] = sources[i][t];
    const std::vector<int>& y = targets[i];
    b.tgt_in[i] = bos;
    for (std::size_t t = 0; t < y.size(); ++t) {
      b.tgt_in[(t + 1) * b.size + i] = y[t];
      b.tgt_out[t * b.size + i] = y[t];
    }
    b.tgt_out[y.size() * b.size + i] = eos;
  }
  return b;
}

}  // namespace nmtx
