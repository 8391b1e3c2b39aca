// What every corpus metric (BLEU, chrF, TER, their significance tests) asks of its
// references: at least one set, each holding a line per hypothesis.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nmtx {

// Throws std::invalid_argument naming `metric` unless the references fit `hypotheses` lines.
inline void check_reference_sets(const std::string& metric, std::size_t hypotheses,
                                 const std::vector<std::vector<std::string>>& references) {
  if (references.empty()) throw std::invalid_argument(metric + ": no reference set");
  for (const auto& set : references) {
    if (set.size() != hypotheses) {
      throw std::invalid_argument(metric + ": " + std::to_string(hypotheses) + " hypotheses but a reference set of " +
                                  std::to_string(set.size()) + " lines");
    }
  }
}

}  // namespace nmtx
