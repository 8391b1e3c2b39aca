// Evaluating a model on a parallel set: perplexity under teacher forcing and greedy
// translations scored with BLEU, as validation and the final test do.
#pragma once

#include <string>
#include <vector>

#include "nmtx/data/corpus.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/greedy.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/model/seq2seq.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/train/recipe.h"

namespace nmtx {

struct CorpusLoss {
  double total = 0.0;       // Σ −log p over the target tokens (</s> included), natural log
  std::size_t tokens = 0;
  double per_token() const { return tokens ? total / static_cast<double>(tokens) : 0.0; }
  double perplexity() const;
};

// Teacher-forced loss without dropout, in batches of `batch_size` sentences.
CorpusLoss corpus_loss(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size);

// Translations of the corpus's sources in corpus order, as token ids: greedy, or the best
// hypothesis of beam search when `beam` is given; batches of batch_size × options.threads
// sentences of similar length.
std::vector<Hypothesis> translate_corpus(const Seq2Seq& model, const TokenSequences& sources, std::size_t batch_size,
                                         const DecodeOptions& options, const BeamOptions* beam = nullptr);

// The attention under forced decoding of the corpus's targets: appends to records[i]
// (one per sentence, tokens filled by the caller) a row per target token, </s> included,
// over sentence i's source tokens, and p_t of local attention.
void forced_attention(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size,
                      std::vector<AttentionRecord>& records);

// The BLEU a recipe asks for: sacreBLEU's defaults with validation.bleu_tokenize.
BleuOptions recipe_bleu_options(const Recipe& recipe);

// The text of a hypothesis: its tokens joined by the target segmenter.
std::string hypothesis_text(const Hypothesis& h, const Vocab& vocab, const Segmenter& segmenter);

}  // namespace nmtx
