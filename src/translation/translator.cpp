#include "nmtx/translation/translator.h"

#include <cmath>
#include <stdexcept>

#include "nmtx/decode/corpus.h"

namespace nmtx {

Translator translator_of(const TrainedRun& run) {
  return {run.model.get(), &run.src_vocab, &run.tgt_vocab, run.tgt_segmenter.get()};
}

Translator translator_of(const Seq2Seq& model, const RunData& data) {
  return {&model, &data.src_vocab, &data.tgt_vocab, data.tgt_segmenter.get()};
}

DecodeOptions TranslateSettings::decode_options() const {
  DecodeOptions o;
  o.bos = Vocab::kBos;
  o.eos = Vocab::kEos;
  o.max_length = max_length;
  o.max_length_ratio = max_length_ratio;
  o.constraints = constraints;
  o.prefix = prefix;
  o.keep_attention = keep_attention;
  o.threads = threads;
  return o;
}

BeamOptions TranslateSettings::beam_options() const {
  BeamOptions o;
  o.beam_size = beam;
  o.alpha = alpha;
  o.n_best = n_best;
  return o;
}

TranslateSettings evaluation_settings(const Config& config, std::size_t beam, float alpha) {
  TranslateSettings s;
  s.beam = beam;
  s.alpha = alpha;
  s.max_length_ratio = static_cast<float>(config.validation.max_output_ratio);
  s.batch = static_cast<std::size_t>(config.validation.batch_size);
  s.threads = static_cast<std::size_t>(config.training.threads);
  return s;
}

std::vector<std::vector<Hypothesis>> translate(const std::vector<EnsembleMember>& members,
                                               const TranslateSettings& settings, bool average_attention) {
  return ensemble_decode_batched(members, settings.batch, settings.decode_options(), settings.beam_options(),
                                 average_attention);
}

std::vector<Hypothesis> translate_sentence(const Translator& translator, const std::vector<int>& source,
                                           const TranslateSettings& settings, BeamTree* tree) {
  std::vector<BeamTree> trees;
  std::vector<std::vector<Hypothesis>> out = ensemble_decode({{translator.model, {source}}}, settings.decode_options(),
                                                             settings.beam_options(), false, tree ? &trees : nullptr);
  if (tree != nullptr) *tree = std::move(trees.at(0));
  return std::move(out.at(0));
}

SetTranslation translate_set(const Translator& translator, const EvalSet& set, const TranslateSettings& settings,
                             const BleuOptions& bleu) {
  EnsembleMember member{translator.model, {}};
  for (std::size_t i = 0; i < set.corpus.size(); ++i) member.sources.push_back(set.corpus.src.sentence(i));
  SetTranslation out;
  for (std::vector<Hypothesis>& n_best : translate({member}, settings)) {
    out.texts.push_back(hypothesis_text(n_best.front(), *translator.tgt_vocab, *translator.tgt_segmenter));
    out.hypotheses.push_back(std::move(n_best.front()));
  }
  out.bleu = corpus_bleu(out.texts, {set.references}, bleu);
  return out;
}

std::vector<SentenceAttention> reference_attention(const Translator& translator, const EvalSet& set, std::size_t batch) {
  const ParallelCorpus& corpus = set.corpus;
  std::vector<AttentionRecord> forced = forced_attention(*translator.model, corpus, batch);
  std::vector<SentenceAttention> sentences(corpus.size());
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    SentenceAttention& s = sentences[i];
    s.index = i;
    for (std::size_t k = 0; k < corpus.src.length(i); ++k) s.source.push_back(translator.src_vocab->token(corpus.src.begin(i)[k]));
    for (std::size_t k = 0; k < corpus.tgt.length(i); ++k) s.output.push_back(translator.tgt_vocab->token(corpus.tgt.begin(i)[k]));
    s.output.push_back("</s>");
    s.eos = true;
    s.attention = std::move(forced[i]);
  }
  return sentences;
}

double mean_reference_entropy(const std::vector<SentenceAttention>& sentences) {
  double entropy = 0.0;
  std::size_t rows = 0;
  for (const SentenceAttention& s : sentences) {
    for (std::size_t t = 0; t + 1 < s.attention.steps(); ++t) {
      for (float p : s.attention.weights[t]) entropy -= p > 0.0f ? static_cast<double>(p) * std::log(static_cast<double>(p)) : 0.0;
      ++rows;
    }
  }
  return rows ? entropy / static_cast<double>(rows) : 0.0;
}

GoldAgreement agreement_with_gold(const std::vector<SentenceAttention>& sentences, const std::vector<AlignmentLine>& gold) {
  if (gold.size() != sentences.size()) {
    throw std::invalid_argument("gold alignments: " + std::to_string(gold.size()) + " lines for " +
                                std::to_string(sentences.size()) + " sentences");
  }
  GoldAgreement out;
  std::vector<AlignmentLine> predicted;
  std::size_t links = 0, allowed = 0;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    AlignmentLine line;
    std::size_t hits = 0;
    for (const auto& link : sentences[i].hard_alignment()) {
      line.sure.insert(link);
      line.possible.insert(link);
      hits += gold[i].possible.count(link);
    }
    out.sentence_aer.push_back(alignment_error_rate({gold[i]}, {line}).aer);
    out.sentence_accuracy.push_back(line.sure.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(line.sure.size()));
    links += line.sure.size();
    allowed += hits;
    predicted.push_back(std::move(line));
  }
  out.aer = alignment_error_rate(gold, predicted).aer;
  out.argmax_accuracy = links ? static_cast<double>(allowed) / static_cast<double>(links) : 0.0;
  return out;
}

}  // namespace nmtx
