// chrF (Popović 2015) and chrF++ (Popović 2017) as sacreBLEU 2 computes them: character
// n-grams of orders 1..6 with whitespace removed (plus word n-grams of orders 1..2 for
// chrF++), statistics summed over the corpus (per sentence, the reference with the best
// F-score), F-beta with beta 2 over the averaged precision and recall of the orders the
// hypothesis and reference both have (sacreBLEU's default), or chrF++.py's eps smoothing.
#pragma once

#include <string>
#include <vector>

namespace nmtx {

struct ChrfOptions {
  int char_order = 6;
  int word_order = 0;  // 2: chrF++
  int beta = 2;
  bool lowercase = false;
  bool whitespace = false;     // keep whitespace in the character n-grams
  bool eps_smoothing = false;  // chrF++.py / Moses / NLTK style
};

struct Chrf {
  double score = 0.0;  // 0..100
  std::string name;    // "chrF2", "chrF2++"
  std::string str() const;  // "chrF2 = 51.95"
};

// Per order: hypothesis n-grams, reference n-grams, matches (3 × (char + word order)).
std::vector<double> chrf_sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                                        const ChrfOptions& options = {});
double chrf_from_stats(const std::vector<double>& stats, const ChrfOptions& options = {});
// The same with each precision and recall divided as numpy divides two float32 numbers:
// what sacreBLEU computes for a bootstrap resample, whose statistics it holds as float32.
double chrf_from_float32_stats(const std::vector<double>& stats, const ChrfOptions& options = {});
Chrf corpus_chrf(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
                 const ChrfOptions& options = {});
// "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.0.0"
std::string chrf_signature(const ChrfOptions& options, std::size_t references);

}  // namespace nmtx
