// Beam search on hand-made next-token tables (tests/test_beam.cpp,
// tests/test_decode_steering.cpp): a scorer that reads p(next | previous token) from a
// table, and the table where greedy decoding is led astray.
#pragma once

#include <cmath>
#include <map>
#include <vector>

#include "nmtx/decode/beam.h"

namespace nmtx::test {

constexpr int kEos = 3, kA = 4, kB = 5;

// p(next | previous token) from a table; every row's history follows the reordering.
class TableScorer final : public BeamScorer {
 public:
  TableScorer(std::map<int, std::vector<double>> table, std::size_t rows) : table_(std::move(table)), logits_(rows * 6) {}
  StepScores step(const std::vector<int>& previous, std::size_t) override {
    for (std::size_t r = 0; r < previous.size(); ++r) {
      const auto& p = table_.at(previous[r]);
      for (std::size_t v = 0; v < 6; ++v) logits_[r * 6 + v] = static_cast<float>(std::log(p[v]));
    }
    StepScores s;
    s.logits = logits_.data();
    s.vocab = 6;
    return s;
  }
  void reorder(const std::vector<int>& rows) override { reorders.push_back(rows); }
  std::vector<std::vector<int>> reorders;

 private:
  std::map<int, std::vector<double>> table_;
  std::vector<float> logits_;
};

// p(next | previous): after <s>: a 0.6, b 0.4; after a: a 0.35, b 0.35, </s> 0.3; after
// b: </s> 0.9. Greedy takes a, then a again (the tie goes to the lower id) and is cut at
// 3 steps: 0.6 · 0.35 · 0.35. The best sequence is b </s>: 0.4 · 0.9 = 0.36.
inline std::map<int, std::vector<double>> garden_path() {
  const double tiny = 1e-12;
  return {{2, {tiny, tiny, tiny, tiny, 0.6, 0.4}},
          {kA, {tiny, tiny, tiny, 0.3, 0.35, 0.35}},
          {kB, {tiny, tiny, tiny, 0.9, 0.05, 0.05}},
          {kEos, {tiny, tiny, tiny, 1.0, tiny, tiny}}};
}

}  // namespace nmtx::test
