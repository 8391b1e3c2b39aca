// Given translations scored and aligned by forced decoding (the model reads each reference
// token as its previous output): nmtx score, nmtx align, and the inspector's score and
// prefix. Several runs act as an ensemble (decode/ensemble.h): each reads the source its own
// way, all read the target as the first run does (check_ensemble).
#pragma once

#include <string>
#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/translation/translator.h"

namespace nmtx {

// Pairs of lines as the runs read them: each run's ids, and the first run's tokens as an
// attention export labels them (the output ending with </s>; no attention yet). Throws
// InputError naming `src_file` and the line for an empty source.
struct GivenPairs {
  std::vector<ParallelCorpus> corpora;       // per run
  std::vector<SentenceAttention> sentences;  // per pair
};
GivenPairs read_given_pairs(const std::vector<const TrainedRun*>& runs, const std::vector<std::string>& src,
                            const std::vector<std::string>& tgt, const std::string& src_file);

// A pair's target tokens' log-probabilities (</s>'s last; natural log), their sum, and
// where asked its attention.
struct ScoredPair {
  std::vector<double> token_log_probs;
  double log_prob = 0.0;
  AttentionRecord attention;
};

// Per pair its scores (an ensemble's averaged log p̄ per token), decoded in batches of
// `batch`; no attention (align_given's).
std::vector<ScoredPair> score_given(const std::vector<const TrainedRun*>& runs, const GivenPairs& pairs,
                                             std::size_t batch);

// Sets each pair's attention: the first run's, or the mean of an ensemble's (which must read
// the source alike: same_source_reading; throws std::invalid_argument otherwise), with each
// member's own beside it.
void align_given(const std::vector<const TrainedRun*>& runs, GivenPairs& pairs, std::size_t batch);

// One pair of ids by one model, with its attention when `with_attention`.
ScoredPair score_pair(const Translator& translator, const std::vector<int>& source, const std::vector<int>& target,
                      bool with_attention = true);

}  // namespace nmtx
