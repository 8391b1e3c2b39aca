#include "nmtx/eval/chrf.h"

#include <cstdio>
#include <stdexcept>
#include <unordered_map>

#include "nmtx/eval/reference_sets.h"
#include "nmtx/eval/tokenize.h"

namespace nmtx {

namespace {

using Counts = std::unordered_map<std::string, std::size_t>;

// UTF-8 offsets of each code point's start (and the end), so n-grams are by code point.
std::vector<std::size_t> code_point_starts(const std::string& s) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

std::vector<Counts> char_ngrams(const std::string& line, int max_order, bool whitespace) {
  std::string text;
  if (whitespace) {
    text = line;
  } else {
    for (std::string_view w : split_whitespace(line)) text += w;  // ''.join(line.split())
  }
  const auto starts = code_point_starts(text);
  const std::size_t n_chars = starts.size() - 1;
  std::vector<Counts> out(static_cast<std::size_t>(max_order));
  for (int order = 1; order <= max_order; ++order) {
    for (std::size_t i = 0; i + static_cast<std::size_t>(order) <= n_chars; ++i) {
      ++out[order - 1][text.substr(starts[i], starts[i + order] - starts[i])];
    }
  }
  return out;
}

// sacreBLEU's _remove_punctuation: a word longer than one character loses one ASCII
// punctuation mark at its end, or else at its start, as a separate token.
std::vector<std::string> words_for_chrf(const std::string& line) {
  static const std::string puncts = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  std::vector<std::string> out;
  for (std::string_view w : split_whitespace(line)) {
    const std::size_t chars = code_point_starts(std::string(w)).size() - 1;
    if (chars == 1) {
      out.emplace_back(w);
    } else if (puncts.find(w.back()) != std::string::npos) {
      out.emplace_back(w.substr(0, w.size() - 1));
      out.emplace_back(w.substr(w.size() - 1));
    } else if (puncts.find(w.front()) != std::string::npos) {
      out.emplace_back(w.substr(0, 1));
      out.emplace_back(w.substr(1));
    } else {
      out.emplace_back(w);
    }
  }
  return out;
}

std::vector<Counts> word_ngrams(const std::vector<std::string>& words, int max_order) {
  std::vector<Counts> out(static_cast<std::size_t>(max_order));
  for (int order = 1; order <= max_order; ++order) {
    for (std::size_t i = 0; i + static_cast<std::size_t>(order) <= words.size(); ++i) {
      std::string key;
      for (std::size_t k = i; k < i + static_cast<std::size_t>(order); ++k) (key += k > i ? " " : "") += words[k];
      ++out[order - 1][key];
    }
  }
  return out;
}

std::vector<Counts> all_ngrams(const std::string& line, const ChrfOptions& o) {
  std::vector<Counts> grams = char_ngrams(line, o.char_order, o.whitespace);
  if (o.word_order > 0) {
    for (Counts& c : word_ngrams(words_for_chrf(line), o.word_order)) grams.push_back(std::move(c));
  }
  return grams;
}

}  // namespace

std::vector<double> chrf_sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                                        const ChrfOptions& o) {
  const std::string hyp = o.lowercase ? full_lowercase(hypothesis) : hypothesis;
  const std::vector<Counts> hyp_grams = all_ngrams(hyp, o);
  std::vector<double> best;
  double best_f = -1.0;
  for (const std::string& r : references) {
    if (r.empty()) continue;
    const std::vector<Counts> ref_grams = all_ngrams(o.lowercase ? full_lowercase(r) : r, o);
    std::vector<double> stats;
    for (std::size_t k = 0; k < hyp_grams.size(); ++k) {
      std::size_t hyp_count = 0, ref_count = 0, matches = 0;
      for (const auto& [gram, count] : hyp_grams[k]) {
        hyp_count += count;
        const auto it = ref_grams[k].find(gram);
        if (it != ref_grams[k].end()) matches += std::min(count, it->second);
      }
      for (const auto& [gram, count] : ref_grams[k]) ref_count += count;
      // sacreBLEU: hypothesis n-grams count only where the reference has some of that order.
      stats.push_back(ref_grams[k].empty() ? 0.0 : static_cast<double>(hyp_count));
      stats.push_back(static_cast<double>(ref_count));
      stats.push_back(static_cast<double>(matches));
    }
    const double f = chrf_from_stats(stats, o);
    if (f > best_f) {
      best_f = f;
      best = std::move(stats);
    }
  }
  if (best.empty()) throw std::invalid_argument("chrF: a hypothesis has no non-empty reference");
  return best;
}

namespace {

// n / d as sacreBLEU's statistics divide: Python numbers (double), or numpy float32 scalars.
template <bool Float32>
double ratio(double n, double d) {
  if constexpr (Float32) return static_cast<double>(static_cast<float>(n) / static_cast<float>(d));
  return n / d;
}

template <bool Float32>
double chrf_score(const std::vector<double>& stats, const ChrfOptions& o) {
  const double eps = 1e-16, factor = static_cast<double>(o.beta) * o.beta;
  const std::size_t orders = stats.size() / 3;
  double score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (std::size_t i = 0; i < orders; ++i) {
    const double n_hyp = stats[3 * i], n_ref = stats[3 * i + 1], n_match = stats[3 * i + 2];
    const double prec = n_hyp > 0 ? ratio<Float32>(n_match, n_hyp) : eps;
    const double rec = n_ref > 0 ? ratio<Float32>(n_match, n_ref) : eps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (n_hyp > 0 && n_ref > 0) {
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (o.eps_smoothing) return 100.0 * score / static_cast<double>(orders);
  if (effective_order == 0) return 0.0;
  avg_prec /= effective_order;
  avg_rec /= effective_order;
  if (avg_prec + avg_rec == 0.0) return 0.0;
  const double f_beta = (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec);  // sacreBLEU's order
  return 100.0 * f_beta;
}

}  // namespace

double chrf_from_stats(const std::vector<double>& stats, const ChrfOptions& o) { return chrf_score<false>(stats, o); }

double chrf_from_float32_stats(const std::vector<double>& stats, const ChrfOptions& o) {
  return chrf_score<true>(stats, o);
}

Chrf corpus_chrf(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
                 const ChrfOptions& o) {
  check_reference_sets("chrF", hypotheses.size(), references);
  std::vector<double> total(3 * static_cast<std::size_t>(o.char_order + o.word_order), 0.0);
  std::vector<std::string> refs(references.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    for (std::size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    const std::vector<double> s = chrf_sentence_stats(hypotheses[i], refs, o);
    for (std::size_t j = 0; j < s.size(); ++j) total[j] += s[j];
  }
  Chrf c;
  c.score = chrf_from_stats(total, o);
  c.name = "chrF" + std::to_string(o.beta) + std::string(static_cast<std::size_t>(o.word_order), '+');
  return c;
}

std::string Chrf::str() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s = %.2f", name.c_str(), score);
  return buf;
}

std::string chrf_signature(const ChrfOptions& o, std::size_t references) {
  return "nrefs:" + std::to_string(references) + "|case:" + (o.lowercase ? "lc" : "mixed") +
         "|eff:" + (o.eps_smoothing ? "no" : "yes") + "|nc:" + std::to_string(o.char_order) +
         "|nw:" + std::to_string(o.word_order) + "|space:" + (o.whitespace ? "yes" : "no") + "|version:2.0.0";
}

}  // namespace nmtx
