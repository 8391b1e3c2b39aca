// Scoring whole corpora under teacher forcing, in batches: perplexity (as validation
// reports it), the attention of given translations (nmtx align, nmtx compare), and each
// given translation's token log-probabilities (nmtx score). Decoding a set is the
// translation service's (translation/translator.h).
#pragma once

#include <string>
#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"
#include "nmtx/decode/attention_record.h"
#include "nmtx/decode/hypothesis.h"
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

// The attention under forced decoding of the corpus's targets, one record per sentence:
// a row per target token, </s> included, over the sentence's source tokens.
std::vector<AttentionRecord> forced_attention(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size);

// Per pair, log p(y_t | y_<t, source) of each target token and of </s> under forced
// decoding: the log-softmax of the logits, computed in double.
std::vector<std::vector<double>> forced_token_log_probs(const Seq2Seq& model, const ParallelCorpus& corpus,
                                                        std::size_t batch_size);
// A sequence's log-probability from its tokens': their sum in order, from 0 (the order
// every caller uses, so that the numbers agree to the bit).
double sequence_log_prob(const std::vector<double>& token_log_probs);

// The text of a hypothesis: its tokens joined by the target segmenter.
std::string hypothesis_text(const Hypothesis& h, const Vocab& vocab, const Segmenter& segmenter);

}  // namespace nmtx
