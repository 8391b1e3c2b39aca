#include "nmtx/decode/attention_record.h"

#include <algorithm>
#include <cmath>

namespace nmtx {

std::size_t AttentionRecord::argmax(std::size_t t) const {
  const std::vector<float>& row = weights.at(t);
  return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

void AttentionRecord::truncate(std::size_t steps) {
  if (weights.size() > steps) weights.resize(steps);
  if (positions.size() > steps) positions.resize(steps);
  for (auto& head : heads) {
    if (head.size() > steps) head.resize(steps);
  }
}

void AttentionRecord::append_heads(const float* rows, std::size_t k, std::size_t stride, std::size_t width) {
  heads.resize(k);
  for (std::size_t j = 0; j < k; ++j) heads[j].emplace_back(rows + j * stride, rows + j * stride + width);
}

std::vector<std::pair<int, int>> AttentionRecord::hard_alignment(std::size_t steps, float threshold) const {
  std::vector<std::pair<int, int>> links;
  steps = std::min(steps, weights.size());
  for (std::size_t t = 0; t < steps; ++t) {
    const std::vector<float>& row = weights[t];
    if (row.empty()) continue;
    if (threshold > 0.0f) {
      for (std::size_t s = 0; s < row.size(); ++s) {
        if (row[s] >= threshold) links.emplace_back(static_cast<int>(s), static_cast<int>(t));
      }
    } else {
      links.emplace_back(static_cast<int>(argmax(t)), static_cast<int>(t));
    }
  }
  return links;
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
