#include "nmtx/eval/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "nmtx/eval/reference_sets.h"
#include "nmtx/eval/tokenize.h"

namespace nmtx {

namespace {

constexpr const char* kSacreBleuVersion = "2.0.0";

// sacreBLEU's my_log: log(0) is a very negative number, not an error.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

double default_smooth_value(BleuSmoothing s) { return s == BleuSmoothing::floor ? 0.1 : s == BleuSmoothing::add_k ? 1.0 : 0.0; }

// n-gram → count for n = 1..4; an n-gram is keyed by its order and tokens joined by '\x01'.
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

BleuOptions BleuOptions::tokenised() {
  BleuOptions o;
  o.tokenize = BleuTokenizer::none;
  return o;
}

BleuTokenizer parse_bleu_tokenizer(const std::string& name) {
  if (name == "13a") return BleuTokenizer::t13a;
  if (name == "intl") return BleuTokenizer::intl;
  if (name == "none") return BleuTokenizer::none;
  throw std::invalid_argument("unknown BLEU tokenizer \"" + name + "\"; valid: 13a, intl, none");
}

BleuSmoothing parse_bleu_smoothing(const std::string& name) {
  if (name == "exp") return BleuSmoothing::exp;
  if (name == "floor") return BleuSmoothing::floor;
  if (name == "add-k") return BleuSmoothing::add_k;
  if (name == "none") return BleuSmoothing::none;
  throw std::invalid_argument("unknown BLEU smoothing \"" + name + "\"; valid: exp, floor, add-k, none");
}

BleuStats& BleuStats::operator+=(const BleuStats& o) {
  for (int n = 0; n < 4; ++n) {
    matches[n] += o.matches[n];
    totals[n] += o.totals[n];
  }
  hyp_len += o.hyp_len;
  ref_len += o.ref_len;
  return *this;
}

std::string bleu_preprocess(std::string_view line, const BleuOptions& o) {
  std::string text = o.lowercase ? full_lowercase(line) : std::string(line);
  text = std::string(rstrip_whitespace(text));
  switch (o.tokenize) {
    case BleuTokenizer::t13a: return tokenize_13a(text);
    case BleuTokenizer::intl: return tokenize_intl(text);
    case BleuTokenizer::none: return text;
  }
  return text;
}

BleuStats sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                         const BleuOptions& o) {
  const std::string hyp_text = bleu_preprocess(hypothesis, o);
  const auto hyp = split_whitespace(hyp_text);
  BleuStats s;
  s.hyp_len = hyp.size();
  // Clipping counts: the maximum over references; the reference length: the closest to
  // the hypothesis's (the shorter on a tie).
  NgramCounts max_ref;
  bool any = false;
  std::size_t best_diff = 0;
  for (const std::string& r : references) {
    if (r.empty()) continue;  // sacreBLEU drops empty references
    const std::string ref_text = bleu_preprocess(r, o);
    const auto ref = split_whitespace(ref_text);
    const std::size_t diff = ref.size() > hyp.size() ? ref.size() - hyp.size() : hyp.size() - ref.size();
    if (!any || diff < best_diff || (diff == best_diff && ref.size() < s.ref_len)) {
      best_diff = diff;
      s.ref_len = ref.size();
    }
    any = true;
    for (const auto& [gram, count] : count_ngrams(ref)) max_ref[gram] = std::max(max_ref[gram], count);
  }
  if (!any) throw std::invalid_argument("BLEU: a hypothesis has no non-empty reference");
  for (const auto& [gram, count] : count_ngrams(hyp)) {
    const int n = gram[0] - '1';
    s.totals[n] += static_cast<double>(count);
    const auto it = max_ref.find(gram);
    if (it != max_ref.end()) s.matches[n] += static_cast<double>(std::min(count, it->second));
  }
  return s;
}

Bleu bleu_from_stats(BleuStats s, const BleuOptions& o) {
  const double value = o.smooth_value >= 0.0 ? o.smooth_value : default_smooth_value(o.smooth);
  Bleu b;
  b.hyp_len = s.hyp_len;
  b.ref_len = s.ref_len;
  b.ratio = s.ref_len > 0 ? static_cast<double>(s.hyp_len) / static_cast<double>(s.ref_len) : 0.0;
  if (s.hyp_len < s.ref_len) {
    b.brevity_penalty = s.hyp_len > 0 ? std::exp(1.0 - static_cast<double>(s.ref_len) / s.hyp_len) : 0.0;
  } else {
    b.brevity_penalty = 1.0;
  }
  // No match of any order: 0, before any smoothing (sacreBLEU 2's early stop, its #141).
  if (std::all_of(s.matches.begin(), s.matches.end(), [](double m) { return m == 0.0; })) {
    b.stats = s;
    return b;
  }
  double smooth_mteval = 1.0;
  int effective_order = 4;
  for (int n = 1; n <= 4; ++n) {
    if (o.smooth == BleuSmoothing::add_k && n > 1) {
      s.matches[n - 1] += value;
      s.totals[n - 1] += value;
    }
    if (s.totals[n - 1] == 0.0) break;
    if (o.effective_order) effective_order = n;
    if (s.matches[n - 1] == 0.0) {
      if (o.smooth == BleuSmoothing::exp) {
        smooth_mteval *= 2.0;
        b.precisions[n - 1] = 100.0 / (smooth_mteval * s.totals[n - 1]);
      } else if (o.smooth == BleuSmoothing::floor) {
        b.precisions[n - 1] = 100.0 * value / s.totals[n - 1];
      }
    } else {
      b.precisions[n - 1] = 100.0 * s.matches[n - 1] / s.totals[n - 1];
    }
  }
  double log_sum = 0.0;
  for (int n = 0; n < effective_order; ++n) log_sum += my_log(b.precisions[n]);
  b.score = b.brevity_penalty * std::exp(log_sum / effective_order);
  b.stats = s;
  return b;
}

Bleu corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
                 const BleuOptions& o) {
  check_reference_sets("BLEU", hypotheses.size(), references);
  BleuStats total;
  std::vector<std::string> refs(references.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    for (std::size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    total += sentence_stats(hypotheses[i], refs, o);
  }
  return bleu_from_stats(total, o);
}

Bleu sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references, BleuOptions o) {
  o.effective_order = true;
  return bleu_from_stats(sentence_stats(hypothesis, references, o), o);
}

std::vector<LengthBucket> bleu_by_source_length(const std::vector<std::string>& hypotheses,
                                                const std::vector<std::string>& references,
                                                const std::vector<std::size_t>& source_lengths,
                                                const BleuOptions& options) {
  if (hypotheses.size() != references.size() || hypotheses.size() != source_lengths.size()) {
    throw std::invalid_argument("BLEU by length: " + std::to_string(hypotheses.size()) + " hypotheses, " +
                                std::to_string(references.size()) + " references, " +
                                std::to_string(source_lengths.size()) + " lengths");
  }
  std::size_t longest = 0;
  for (std::size_t n : source_lengths) longest = std::max(longest, n);
  const std::size_t width = longest > 50 ? 10 : 5;
  std::vector<LengthBucket> buckets;
  for (std::size_t from = 1; from <= longest; from += width) {
    std::vector<std::string> hyps, refs;
    for (std::size_t i = 0; i < source_lengths.size(); ++i) {
      if (source_lengths[i] >= from && source_lengths[i] < from + width) {
        hyps.push_back(hypotheses[i]);
        refs.push_back(references[i]);
      }
    }
    if (hyps.empty()) continue;
    buckets.push_back({from, from + width - 1, hyps.size(), corpus_bleu(hyps, {refs}, options).score});
  }
  return buckets;
}

std::string Bleu::str() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %zu ref_len = %zu)",
                score, precisions[0], precisions[1], precisions[2], precisions[3], brevity_penalty, ratio, hyp_len,
                ref_len);
  return buf;
}

std::string bleu_signature(const BleuOptions& o, std::size_t references) {
  const char* tok = o.tokenize == BleuTokenizer::t13a ? "13a" : o.tokenize == BleuTokenizer::intl ? "intl" : "none";
  std::string smooth = o.smooth == BleuSmoothing::exp     ? "exp"
                       : o.smooth == BleuSmoothing::floor ? "floor"
                       : o.smooth == BleuSmoothing::add_k ? "add-k"
                                                          : "none";
  if (o.smooth == BleuSmoothing::floor || o.smooth == BleuSmoothing::add_k) {
    char value[32];
    std::snprintf(value, sizeof value, "[%.2f]", o.smooth_value >= 0.0 ? o.smooth_value : default_smooth_value(o.smooth));
    smooth += value;
  }
  return "nrefs:" + std::to_string(references) + "|case:" + (o.lowercase ? "lc" : "mixed") +
         "|eff:" + (o.effective_order ? "yes" : "no") + "|tok:" + tok + "|smooth:" + smooth +
         "|version:" + kSacreBleuVersion;
}

}  // namespace nmtx
