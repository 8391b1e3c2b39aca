// Corpus BLEU (Papineni et al. 2002) exactly as sacreBLEU 2 computes it: each line
// lowercased (optionally), right-stripped and tokenised (13a by default, intl, or none
// for already tokenised text); clipped n-gram matches for n = 1..4 summed over the
// corpus; the brevity penalty against the closest reference length (ties: the shorter);
// smoothing exp (default), floor, add-k or none; effective order for sentence BLEU.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace nmtx {

enum class BleuTokenizer { t13a, intl, none };
enum class BleuSmoothing { exp, floor, add_k, none };

struct BleuOptions {
  BleuTokenizer tokenize = BleuTokenizer::t13a;
  BleuSmoothing smooth = BleuSmoothing::exp;
  double smooth_value = -1.0;    // < 0: sacreBLEU's default (floor 0.1, add-k 1)
  bool lowercase = false;
  bool effective_order = false;  // average over the orders the hypothesis has (sentence BLEU)

  static BleuOptions tokenised();  // tokenize none: text that is tokenised already
};
BleuTokenizer parse_bleu_tokenizer(const std::string& name);  // "13a" | "intl" | "none"
BleuSmoothing parse_bleu_smoothing(const std::string& name);  // "exp" | "floor" | "add-k" | "none"

struct BleuStats {
  std::array<double, 4> matches{}, totals{};  // clipped n-gram matches, hypothesis n-grams
  std::size_t hyp_len = 0, ref_len = 0;
  BleuStats& operator+=(const BleuStats& o);
};

struct Bleu {
  double score = 0.0;                   // 0..100
  std::array<double, 4> precisions{};   // percentages, after smoothing
  BleuStats stats;
  double brevity_penalty = 0.0, ratio = 0.0;
  std::size_t hyp_len = 0, ref_len = 0;
  // sacreBLEU's line: "BLEU = 28.30 59.9/34.0/21.8/14.4 (BP = 1.000 ratio = 1.026 hyp_len = 62873 ref_len = 61287)"
  std::string str() const;
};

// A line as BLEU counts it: lowercased if asked, right-stripped, tokenised.
std::string bleu_preprocess(std::string_view line, const BleuOptions& options);
// One hypothesis against its references (empty references are ignored; at least one must
// remain). Both sides are preprocessed here.
BleuStats sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                         const BleuOptions& options = {});
Bleu bleu_from_stats(BleuStats stats, const BleuOptions& options = {});
// hypotheses[i] against references[k][i] for every reference set k; throws
// std::invalid_argument when the line counts differ.
Bleu corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
                 const BleuOptions& options = {});
// Sentence BLEU: effective order on, as sacreBLEU's sentence_score.
Bleu sentence_bleu(const std::string& hypothesis, const std::vector<std::string>& references, BleuOptions options = {});

// BLEU by source length (Bahdanau et al. 2015, Fig. 2; Luong et al. 2015, Fig. 6): the
// sentences whose source has from..to tokens, for consecutive ranges 5 tokens wide (10
// when the longest source exceeds 50) starting at 1; empty ranges are left out.
struct LengthBucket {
  std::size_t from = 0, to = 0, sentences = 0;
  double bleu = 0.0;  // corpus BLEU of the bucket's sentences
};
std::vector<LengthBucket> bleu_by_source_length(const std::vector<std::string>& hypotheses,
                                                const std::vector<std::string>& references,
                                                const std::vector<std::size_t>& source_lengths,
                                                const BleuOptions& options = {});

// sacreBLEU's signature, e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0"
// (the version is that of sacreBLEU whose numbers these are).
std::string bleu_signature(const BleuOptions& options, std::size_t references);

}  // namespace nmtx
