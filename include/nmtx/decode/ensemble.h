// Ensembles: several models decode together, sharing the target side (vocabulary and
// segmenter; the caller checks it). At each step the members' log-probabilities are
// averaged,
//   log p̄(y_t | y_<t, x) = (1/M) Σ_m log p_m(y_t | y_<t, x_m)
// where x_m is the source as member m reads it (its own segmenter and vocabulary, so
// members may differ in source segmentation and in attention variant). Greedy decoding
// takes the argmax of p̄ at each step; beam search ranks hypotheses by Σ_t log p̄ (Marian's
// ensembles with equal weights; the average is not renormalised). With one member every
// function here is that member's own decoding or scoring, bit for bit.
#pragma once

#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/greedy.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct EnsembleMember {
  const Seq2Seq* model = nullptr;
  std::vector<std::vector<int>> sources;  // the sentences as this member reads them
};

// Per sentence, the n-best hypotheses (beam.beam_size 1: greedy). Hypothesis::attention is
// the members' average (without heads) when `average_attention` (the caller knows the
// members read the source identically), else member 0's; each member's own attention over a hypothesis is
// what forced_attention gives for it. With `trees`, also each sentence's search tree.
std::vector<std::vector<Hypothesis>> ensemble_decode(const std::vector<EnsembleMember>& members,
                                                     const DecodeOptions& options, const BeamOptions& beam,
                                                     bool average_attention, std::vector<BeamTree>* trees = nullptr);

// The same for many sentences (nmtx translate): sorted by member 0's source length and
// decoded in batches of `batch` on options.threads threads, each batch whole on one
// thread (so the output does not depend on the thread count); results in input order.
std::vector<std::vector<Hypothesis>> ensemble_decode_batched(const std::vector<EnsembleMember>& members,
                                                             std::size_t batch, const DecodeOptions& options,
                                                             const BeamOptions& beam, bool average_attention);

// Per pair, the averaged log p̄ of each target token and of </s> under forced decoding
// (each member's forced_token_log_probs, averaged in double, in member order).
std::vector<std::vector<double>> ensemble_forced_token_log_probs(const std::vector<const Seq2Seq*>& models,
                                                                 const std::vector<ParallelCorpus>& corpora,
                                                                 std::size_t batch_size);

// The element-wise mean of attention records of the same shape (members reading the source
// identically); positions averaged when every record has them; no heads (each member's
// heads are its own).
AttentionRecord average_attention(const std::vector<AttentionRecord>& records);

}  // namespace nmtx
