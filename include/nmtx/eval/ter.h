// TER, the translation edit rate (Snover et al. 2006), exactly as sacreBLEU 2 computes it
// (metrics/ter.py, lib_ter.py, tokenizers/tokenizer_ter.py; after tercom): the number of
// edits (insertions, deletions, substitutions of a word, and shifts of a phrase) that
// turn the hypothesis into the closest reference, over the average reference length.
//   tokens   lowercased unless case-sensitive (Python's str.lower()); with `normalized`,
//            tercom's Western normalisation (XML entities, punctuation split off, 's,
//            periods and commas not next to digits, dashes after digits); with `no_punct`,
//            . , ? : ; ! " ( ) removed; then split at whitespace. References are tokenised
//            twice, as sacreBLEU does (it matters with `normalized` only)
//   shifts   greedily, the shift that lowers the edit distance most (ties: the longer,
//            then the earlier phrase, then the earlier target), phrases of at most 10
//            words moved at most 50 positions, at most 1,000 candidates per sentence
//   distance a beam of 25 around the diagonal of the edit-distance matrix, rows cached by
//            hypothesis prefix (10,000 of them) as sacreBLEU caches them, which the result
//            depends on
// Asian-script options (sacreBLEU's --ter-asian-support) are not supported.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nmtx {

struct TerOptions {
  bool normalized = false;
  bool no_punct = false;
  bool case_sensitive = false;
};

// A sentence as TER reads it (sacreBLEU's TercomTokenizer after rstrip), tokens joined by spaces.
std::string ter_tokenize(std::string_view sentence, const TerOptions& options = {});

// The edits (shifts included) turning `hypothesis` into `reference`, both tokenised.
int translation_edit_rate(const std::vector<std::string>& hypothesis, const std::vector<std::string>& reference);

// One hypothesis against its references: {the fewest edits, the average reference length}.
std::vector<double> ter_sentence_stats(const std::string& hypothesis, const std::vector<std::string>& references,
                                       const TerOptions& options = {});
// 100 · edits / reference length of summed statistics (an empty reference: 100 with edits,
// else 0); `float32`: divided as numpy divides float32 (sacreBLEU's bootstrap resamples).
double ter_from_stats(const std::vector<double>& stats, bool float32 = false);

struct Ter {
  double score = 0.0;  // 0..100 (and above: more edits than reference words)
  double edits = 0.0, ref_length = 0.0;
  std::string str(int width = 2) const;  // "TER = 61.20"
};
// hypotheses[i] against references[k][i] for every reference set k.
Ter corpus_ter(const std::vector<std::string>& hypotheses, const std::vector<std::vector<std::string>>& references,
               const TerOptions& options = {});
// "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.0.0"
std::string ter_signature(const TerOptions& options, std::size_t references);

}  // namespace nmtx
