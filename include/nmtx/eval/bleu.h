// Corpus BLEU (Papineni et al. 2002) as sacreBLEU computes it: clipped n-gram matches
// for n = 1..4 summed over the corpus, the brevity penalty against the closest reference
// length (ties: the shorter), and sacreBLEU's default "exp" smoothing for a zero count.
// This file scores already tokenised text (sacreBLEU's `--tokenize none`).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace nmtx {

struct BleuStats {
  std::array<std::size_t, 4> matches{}, totals{};  // clipped n-gram matches, hypothesis n-grams
  std::size_t hyp_len = 0, ref_len = 0;
  BleuStats& operator+=(const BleuStats& o);
};

struct Bleu {
  double score = 0.0;                   // 0..100
  std::array<double, 4> precisions{};   // percentages, after smoothing
  double brevity_penalty = 0.0, ratio = 0.0;
  std::size_t hyp_len = 0, ref_len = 0;
  // sacreBLEU's line: "BLEU = 28.30 59.9/34.0/21.8/14.4 (BP = 1.000 ratio = 1.026 hyp_len = 62873 ref_len = 61287)"
  std::string str() const;
};

// The statistics of one sentence against its references (whitespace tokens).
BleuStats sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references);
Bleu bleu_from_stats(const BleuStats& stats);
// hypotheses[i] against references[k][i] for every reference set k.
Bleu corpus_bleu(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references);

}  // namespace nmtx
