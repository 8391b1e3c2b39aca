// Evaluating a model on a parallel set: perplexity under teacher forcing and greedy
// translations scored with BLEU, as validation and the final test do.
#pragma once

#include <string>
#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/decode/greedy.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct CorpusLoss {
  double total = 0.0;       // Σ −log p over the target tokens (</s> included), natural log
  std::size_t tokens = 0;
  double per_token() const { return tokens ? total / static_cast<double>(tokens) : 0.0; }
  double perplexity() const;
};

// Teacher-forced loss without dropout, in batches of `batch_size` sentences.
CorpusLoss corpus_loss(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size);

// Greedy translations of the corpus's sources in corpus order, as token ids; batches of
// batch_size × options.threads sentences of similar length.
std::vector<Hypothesis> translate_corpus(const Seq2Seq& model, const TokenSequences& sources, std::size_t batch_size,
                                         const DecodeOptions& options);

// The text of a hypothesis: its tokens joined by the target segmenter.
std::string hypothesis_text(const Hypothesis& h, const Vocab& vocab, const Segmenter& segmenter);

}  // namespace nmtx
