#include "nmtx/eval/aer.h"

#include <sstream>
#include <stdexcept>

namespace nmtx {

AlignmentLine parse_alignment(const std::string& line, bool one_based, bool reverse) {
  AlignmentLine out;
  std::istringstream in(line);
  for (std::string link; in >> link;) {
    const std::size_t sep = link.find_first_of("-p?");
    if (sep == std::string::npos || sep == 0 || sep + 1 == link.size()) {
      throw std::invalid_argument("alignment link \"" + link + "\": expected i-j (sure) or ipj / i?j (possible)");
    }
    int i = 0, j = 0;
    try {
      std::size_t used_i = 0, used_j = 0;
      i = std::stoi(link.substr(0, sep), &used_i);
      j = std::stoi(link.substr(sep + 1), &used_j);
      if (used_i != sep || used_j != link.size() - sep - 1) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw std::invalid_argument("alignment link \"" + link + "\": positions must be integers");
    }
    if (one_based) {
      --i;
      --j;
    }
    if (i < 0 || j < 0) {
      throw std::invalid_argument("alignment link \"" + link + "\": negative position" +
                                  (one_based ? std::string() : std::string(" (1-based gold? use --gold-one-based)")));
    }
    if (reverse) std::swap(i, j);
    out.possible.emplace(i, j);
    if (link[sep] == '-') out.sure.emplace(i, j);
  }
  return out;
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
