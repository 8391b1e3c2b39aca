#include "nmtx/decode/attention_record.h"

#include <algorithm>
#include <cmath>

namespace nmtx {

std::size_t AttentionRecord::argmax(std::size_t t) const {
  const std::vector<float>& row = weights.at(t);
  return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

double AttentionRecord::mean_entropy(std::size_t steps) const {
  steps = std::min(steps, weights.size());
  if (steps == 0) return 0.0;
  double entropy = 0.0;
  for (std::size_t t = 0; t < steps; ++t) {
    for (float p : weights[t]) entropy -= p > 0.0f ? static_cast<double>(p) * std::log(static_cast<double>(p)) : 0.0;
  }
  return entropy / static_cast<double>(steps);
}

double AttentionRecord::coverage_deviation(std::size_t steps) const {
  steps = std::min(steps, weights.size());
  if (weights.empty() || weights[0].empty()) return 0.0;
  const std::size_t S = weights[0].size();
  double deviation = 0.0;
  for (std::size_t s = 0; s < S; ++s) {
    double coverage = 0.0;
    for (std::size_t t = 0; t < steps; ++t) coverage += weights[t][s];
    deviation += std::abs(coverage - 1.0);
  }
  return deviation / static_cast<double>(S);
}

}  // namespace nmtx
