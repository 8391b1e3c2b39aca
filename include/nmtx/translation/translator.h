// The translation service (as Marian's translator/): how nmtx decodes a set or a sentence,
// with the decoding settings in one place, and how it reads the attention of given
// references against gold alignments. nmtx translate, validation, nmtx compare and nmtx
// inspect (its translations and its triage) all decode through it, so they agree by
// construction, and beam size 1 is greedy decoding everywhere. Beside it: lines of text
// translated by a run or an ensemble, with their attention export (translate_lines.h), and
// given translations scored and aligned (given_translations.h).
#pragma once

#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"
#include "nmtx/decode/ensemble.h"
#include "nmtx/eval/aer.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/trained_run.h"

namespace nmtx {

// A model with the vocabularies and target segmenter that turn its ids into text: a
// trained run, or the model being trained with its run's data.
struct Translator {
  const Seq2Seq* model = nullptr;
  const Vocab* src_vocab = nullptr;
  const Vocab* tgt_vocab = nullptr;
  const Segmenter* tgt_segmenter = nullptr;
};
Translator translator_of(const TrainedRun& run);
Translator translator_of(const Seq2Seq& model, const RunData& data);

// How to translate. The defaults are nmtx translate's (and the inspector's); a run's sets
// are decoded for evaluation with evaluation_settings.
struct TranslateSettings {
  std::size_t beam = 1;           // 1: greedy decoding
  float alpha = 0.0f;             // beam search's length normalisation ((5 + |y|) / 6)^alpha
  std::size_t n_best = 1;         // hypotheses per sentence (at most `beam`)
  float max_length_ratio = 2.0f;  // a sentence of n source tokens stops after ⌊ratio · n⌋ + 10 steps
  std::size_t max_length = 1000;  // and after this many in any case
  InferenceConstraints constraints;  // hard, monotonic, windowed attention; an intervention
  std::vector<int> prefix;        // a forced start of every output (token ids)
  bool keep_attention = true;     // each hypothesis's attention (off: faster, none kept)
  bool replace_unk = false;       // output <unk> -> its most attended source token (translate_lines.h)
  std::size_t batch = 64;         // sentences decoded together
  std::size_t threads = 2;        // batches decoded at once, one per thread

  DecodeOptions decode_options() const;
  BeamOptions beam_options() const;
};

// A run's sets decoded for evaluation (validation, nmtx compare, the inspector's triage):
// validation.max_output_ratio, validation.batch_size, training.threads; greedy unless a
// beam is given (nmtx compare's compare.beam_size and compare.alpha).
TranslateSettings evaluation_settings(const Config& config, std::size_t beam = 1, float alpha = 0.0f);

// Per sentence its n-best hypotheses, best first: sorted by source length into batches,
// decoded on the threads, returned in input order. Several members decode as an ensemble
// (decode/ensemble.h; `average_attention` when they read the source alike).
std::vector<std::vector<Hypothesis>> translate(const std::vector<EnsembleMember>& members,
                                               const TranslateSettings& settings, bool average_attention = false);
// One sentence's n-best hypotheses and, with `tree`, the search that found them.
std::vector<Hypothesis> translate_sentence(const Translator& translator, const std::vector<int>& source,
                                           const TranslateSettings& settings, BeamTree* tree = nullptr);

// A set translated: the best hypothesis per sentence in set order, its text, corpus BLEU.
struct SetTranslation {
  std::vector<Hypothesis> hypotheses;
  std::vector<std::string> texts;
  Bleu bleu;
};
SetTranslation translate_set(const Translator& translator, const EvalSet& set, const TranslateSettings& settings,
                             const BleuOptions& bleu);

// The set's references force-decoded: each sentence's attention labelled with its source
// and reference tokens (the output ending with the </s> step).
std::vector<SentenceAttention> reference_attention(const Translator& translator, const EvalSet& set, std::size_t batch);

// Hard alignments (each reference token's most attended source position) against gold.
struct GoldAgreement {
  double aer = 0.0;                      // over the set
  double argmax_accuracy = 0.0;          // the share of links gold allows (possible), over the set
  std::vector<double> sentence_aer;      // per sentence
  std::vector<double> sentence_accuracy;
};
GoldAgreement agreement_with_gold(const std::vector<SentenceAttention>& sentences, const std::vector<AlignmentLine>& gold);

// The mean entropy (nats) of the attention rows of reference_attention's tokens, each
// sentence's </s> row left out: how spread the attention is (0: every row on one position).
double mean_reference_entropy(const std::vector<SentenceAttention>& sentences);

}  // namespace nmtx
