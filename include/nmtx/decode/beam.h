// Beam search: at every step each sentence keeps the `beam_size` best partial
// translations by total log-probability; a hypothesis that produces </s> is finished.
// Finished hypotheses are ranked by log p(y|x) / lp(y) with GNMT's length penalty
//   lp(y) = ((5 + |y|) / 6)^alpha      (|y| counts </s>; alpha = 0: no normalisation)
// (Wu et al. 2016, as Joey NMT and OpenNMT-py). A sentence ends when `beam_size`
// hypotheses have finished, when no unfinished one could still enter the n-best (alpha =
// 0: log-probabilities only fall), or at the step limit, where the unfinished ones count
// as finished without </s>. With beam_size 1 the result is exactly greedy decoding's.
#pragma once

#include <memory>
#include <vector>

#include "nmtx/decode/greedy.h"

namespace nmtx {

// GNMT's length penalty for a hypothesis of `length` output steps (</s> included).
double length_penalty(std::size_t length, float alpha);

// Per source sentence, its n_best hypotheses, best first (Hypothesis::score holds the
// ranking score). Sentences are decoded together, beam_size rows each. With `trees`, also
// each sentence's search tree.
std::vector<std::vector<Hypothesis>> beam_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                                 const DecodeOptions& options, const BeamOptions& beam,
                                                 std::vector<BeamTree>* trees = nullptr);

// ---- the search itself, apart from the model ---------------------------------------
// One step's scores for all R = N · K rows (sentence i owns rows i·K .. i·K + K - 1; once
// sentences leave, R shrinks and the remaining ones keep their order). The pointers are
// valid until the scorer's next step() or reorder().
struct StepScores {
  const float* logits = nullptr;     // (R, V) unnormalised next-token scores
  bool log_probs = false;            // `logits` are log-probabilities already, used as they are (ensembles)
  std::size_t vocab = 0;             // V
  const float* attention = nullptr;  // (R, stride) attention weights, or null
  std::size_t attention_stride = 0;
  const float* positions = nullptr;  // (R) p_t of local attention, or null
  const float* heads = nullptr;      // (R, k, stride) each head's weights of multi-head attention, or null
  std::size_t head_count = 0;        // k
};

// What beam search asks of a model.
class BeamScorer {
 public:
  virtual ~BeamScorer() = default;
  // Scores the next token of every row, given each row's previous token (step t, 0-based).
  virtual StepScores step(const std::vector<int>& previous, std::size_t t) = 0;
  // Reorders the rows: new row j continues old row rows[j], always a row of the same
  // sentence. Fewer rows than before: the sentences whose search ended have left (the
  // others keep their K rows and their order), and the next step scores only these rows.
  virtual void reorder(const std::vector<int>& rows) = 0;
};

// The model as a scorer over `sources` in K rows each (what beam_decode searches with).
std::unique_ptr<BeamScorer> make_model_scorer(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                              std::size_t K, const DecodeOptions& options);

// Beam search over N sentences (their source lengths give the step limits and the
// attention rows' widths) with whatever scores the steps.
std::vector<std::vector<Hypothesis>> beam_search(BeamScorer& scorer, const std::vector<std::size_t>& source_lengths,
                                                 const DecodeOptions& options, const BeamOptions& beam,
                                                 std::vector<BeamTree>* trees = nullptr);

}  // namespace nmtx
