#include "nmtx/eval/aer.h"

#include <sstream>
#include <stdexcept>
#include <string_view>

namespace nmtx {

namespace {

// A position: decimal digits only, at most kMaxAlignmentPosition (no sign, no overflow).
bool parse_position(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;  // 9 digits cannot overflow an int
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string shown(const std::string& link) { return link.size() > 40 ? link.substr(0, 40) + "..." : link; }

}  // namespace

AlignmentLine parse_alignment(const std::string& line, bool one_based, bool reverse) {
  AlignmentLine out;
  std::istringstream in(line);
  for (std::string link; in >> link;) {
    const std::size_t sep = link.find_first_of("-p?");
    if (sep == std::string::npos || sep == 0 || sep + 1 == link.size()) {
      throw std::invalid_argument("alignment link \"" + shown(link) + "\": expected i-j (sure) or ipj / i?j (possible)");
    }
    int i = 0, j = 0;
    const std::string_view text(link);
    if (!parse_position(text.substr(0, sep), i) || !parse_position(text.substr(sep + 1), j)) {
      throw std::invalid_argument("alignment link \"" + shown(link) + "\": positions must be integers from 0 to " +
                                  std::to_string(kMaxAlignmentPosition));
    }
    if (i > kMaxAlignmentPosition || j > kMaxAlignmentPosition) {
      throw std::invalid_argument("alignment link \"" + shown(link) + "\": a position above " +
                                  std::to_string(kMaxAlignmentPosition));
    }
    if (one_based) {
      if (i == 0 || j == 0) {
        throw std::invalid_argument("alignment link \"" + shown(link) + "\": position 0 in a 1-based alignment");
      }
      --i;
      --j;
    }
    if (reverse) std::swap(i, j);
    out.possible.emplace(i, j);
    if (link[sep] == '-') out.sure.emplace(i, j);
  }
  return out;
}

void check_alignment_lengths(const AlignmentLine& line, std::size_t source_length, std::size_t target_length) {
  for (const auto& [i, j] : line.possible) {
    if (static_cast<std::size_t>(i) >= source_length || static_cast<std::size_t>(j) >= target_length) {
      throw std::invalid_argument("alignment link " + std::to_string(i) + "-" + std::to_string(j) +
                                  " (0-based) lies outside the sentence pair (" + std::to_string(source_length) +
                                  " source tokens, " + std::to_string(target_length) + " target tokens)");
    }
  }
}

Aer alignment_error_rate(const std::vector<AlignmentLine>& gold, const std::vector<AlignmentLine>& test) {
  if (gold.size() != test.size()) {
    throw std::invalid_argument("AER: " + std::to_string(gold.size()) + " gold lines but " + std::to_string(test.size()) +
                                " test lines");
  }
  Aer a;
  for (std::size_t k = 0; k < gold.size(); ++k) {
    a.test_links += test[k].sure.size();
    a.sure_links += gold[k].sure.size();
    for (const auto& link : test[k].sure) {
      a.hits_sure += gold[k].sure.count(link);
      a.hits_possible += gold[k].possible.count(link);
    }
  }
  a.precision = a.test_links ? static_cast<double>(a.hits_possible) / a.test_links : 0.0;
  a.recall = a.sure_links ? static_cast<double>(a.hits_sure) / a.sure_links : 0.0;
  const std::size_t denominator = a.test_links + a.sure_links;
  a.aer = denominator ? 1.0 - static_cast<double>(a.hits_sure + a.hits_possible) / denominator : 0.0;
  return a;
}

}  // namespace nmtx
