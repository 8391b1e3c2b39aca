// Alignment error rate (Och & Ney 2003) of a test alignment A against gold sure links S
// and possible links P (S ⊆ P), summed over the corpus:
//   precision = |A ∩ P| / |A|,  recall = |A ∩ S| / |S|,
//   AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)
// Links are Pharaoh pairs "i-j" (source position, target position; "ipj" or "i?j" marks
// a possible link), 0-based unless read with one_based.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace nmtx {

struct AlignmentLine {
  std::set<std::pair<int, int>> sure, possible;  // possible ⊇ sure
};

// Positions above this are refused (no sentence is a million tokens long).
inline constexpr int kMaxAlignmentPosition = 1000000;

// Parses one line; throws std::invalid_argument naming the bad link (not two integers,
// a position above kMaxAlignmentPosition, or 0 in a 1-based line).
AlignmentLine parse_alignment(const std::string& line, bool one_based = false, bool reverse = false);

// Throws std::invalid_argument when a link of `line` (0-based, source-target) lies outside
// a sentence pair of these lengths.
void check_alignment_lengths(const AlignmentLine& line, std::size_t source_length, std::size_t target_length);

struct Aer {
  double aer = 0.0, precision = 0.0, recall = 0.0;
  std::size_t test_links = 0, sure_links = 0, hits_sure = 0, hits_possible = 0;
};

Aer alignment_error_rate(const std::vector<AlignmentLine>& gold, const std::vector<AlignmentLine>& test);

}  // namespace nmtx
