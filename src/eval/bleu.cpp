#include "nmtx/eval/bleu.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string_view>

namespace nmtx {

BleuStats& BleuStats::operator+=(const BleuStats& o) {
  for (int n = 0; n < 4; ++n) {
    matches[n] += o.matches[n];
    totals[n] += o.totals[n];
  }
  hyp_len += o.hyp_len;
  ref_len += o.ref_len;
  return *this;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Python's str.split(): runs of whitespace separate tokens.
std::vector<std::string_view> split(const std::string& s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.data() + start, i - start);
  }
  return out;
}

// n-gram → count for n = 1..4; an n-gram is keyed by its tokens joined with '\x01'.
using NgramCounts = std::map<std::string, std::size_t>;
NgramCounts count_ngrams(const std::vector<std::string_view>& tokens) {
  NgramCounts counts;
  for (std::size_t n = 1; n <= 4; ++n) {
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
      std::string key(1, static_cast<char>('0' + n));
      for (std::size_t k = i; k < i + n; ++k) (key += '\x01') += tokens[k];
      ++counts[key];
    }
  }
  return counts;
}

}  // namespace

BleuStats sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references) {
  if (references.empty()) throw std::invalid_argument("BLEU: a hypothesis needs at least one reference");
  const auto hyp = split(hypothesis);
  BleuStats s;
  s.hyp_len = hyp.size();
  // The reference n-gram counts clip at the maximum over references; the reference length
  // is the closest to the hypothesis's (the shorter on a tie).
  NgramCounts max_ref;
  std::size_t best_diff = SIZE_MAX;
  for (const std::string& r : references) {
    const auto ref = split(r);
    const std::size_t diff = ref.size() > hyp.size() ? ref.size() - hyp.size() : hyp.size() - ref.size();
    if (diff < best_diff || (diff == best_diff && ref.size() < s.ref_len)) {
      best_diff = diff;
      s.ref_len = ref.size();
    }
    for (const auto& [gram, count] : count_ngrams(ref)) max_ref[gram] = std::max(max_ref[gram], count);
  }
  for (const auto& [gram, count] : count_ngrams(hyp)) {
    const int n = gram[0] - '1';
    s.totals[n] += count;
    const auto it = max_ref.find(gram);
    if (it != max_ref.end()) s.matches[n] += std::min(count, it->second);
  }
  return s;
}

Bleu bleu_from_stats(const BleuStats& s) {
  Bleu b;
  b.hyp_len = s.hyp_len;
  b.ref_len = s.ref_len;
  b.ratio = s.ref_len > 0 ? static_cast<double>(s.hyp_len) / static_cast<double>(s.ref_len) : 0.0;
  if (s.hyp_len == 0) return b;  // score 0, BP 0 (sacreBLEU)
  b.brevity_penalty = s.hyp_len < s.ref_len ? std::exp(1.0 - static_cast<double>(s.ref_len) / s.hyp_len) : 1.0;
  double smooth = 1.0, log_sum = 0.0;
  for (int n = 0; n < 4; ++n) {
    if (s.totals[n] == 0) {  // a hypothesis shorter than n: no n-grams, precision 0
      b.precisions[n] = 0.0;
      continue;
    }
    if (s.matches[n] == 0) {  // sacreBLEU "exp": 1 / 2^k for the k-th zero count
      smooth *= 2.0;
      b.precisions[n] = 100.0 / (smooth * static_cast<double>(s.totals[n]));
    } else {
      b.precisions[n] = 100.0 * static_cast<double>(s.matches[n]) / static_cast<double>(s.totals[n]);
    }
  }
  for (int n = 0; n < 4; ++n) {
    if (b.precisions[n] == 0.0) return b;  // score 0
    log_sum += std::log(b.precisions[n]);
  }
  b.score = b.brevity_penalty * std::exp(log_sum / 4.0);
  return b;
}

Bleu corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references) {
  if (references.empty()) throw std::invalid_argument("BLEU: no reference set");
  for (const auto& set : references) {
    if (set.size() != hypotheses.size()) {
      throw std::invalid_argument("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but a reference set of " +
                                  std::to_string(set.size()) + " lines");
    }
  }
  BleuStats total;
  std::vector<std::string> refs(references.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    for (std::size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    total += sentence_stats(hypotheses[i], refs);
  }
  return bleu_from_stats(total);
}

std::string Bleu::str() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %zu ref_len = %zu)",
                score, precisions[0], precisions[1], precisions[2], precisions[3], brevity_penalty, ratio, hyp_len,
                ref_len);
  return buf;
}

}  // namespace nmtx
