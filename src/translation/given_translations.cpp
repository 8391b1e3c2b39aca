#include "nmtx/translation/given_translations.h"

#include <fmt/core.h>

#include <stdexcept>

#include "nmtx/data/text.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/decode/ensemble.h"

namespace nmtx {

GivenPairs read_given_pairs(const std::vector<const TrainedRun*>& runs, const std::vector<std::string>& src,
                            const std::vector<std::string>& tgt, const std::string& src_file) {
  GivenPairs pairs;
  pairs.corpora.resize(runs.size());
  pairs.sentences.resize(src.size());
  std::vector<std::string> tokens;
  for (std::size_t m = 0; m < runs.size(); ++m) {
    for (std::size_t i = 0; i < src.size(); ++i) {
      SentenceAttention& s = pairs.sentences[i];
      const std::vector<int> source = runs[m]->source_ids(src[i], m == 0 ? s.source : tokens);
      if (source.empty()) throw InputError(src_file, i + 1, "an empty source cannot be scored or aligned");
      const std::vector<int> target = runs[0]->target_ids(tgt[i], m == 0 ? s.output : tokens);
      if (m == 0) {
        s.index = i;
        s.output.push_back("</s>");
        s.eos = true;
      }
      pairs.corpora[m].src.push_back(source.data(), source.size());
      pairs.corpora[m].tgt.push_back(target.data(), target.size());
    }
  }
  return pairs;
}

std::vector<ScoredPair> score_given(const std::vector<const TrainedRun*>& runs, const GivenPairs& pairs,
                                    std::size_t batch) {
  std::vector<const Seq2Seq*> models;
  for (const TrainedRun* run : runs) models.push_back(run->model.get());
  std::vector<ScoredPair> out;
  for (std::vector<double>& tokens : ensemble_forced_token_log_probs(models, pairs.corpora, batch)) {
    const double log_prob = sequence_log_prob(tokens);
    out.push_back({std::move(tokens), log_prob, {}});
  }
  return out;
}

void align_given(const std::vector<const TrainedRun*>& runs, GivenPairs& pairs, std::size_t batch) {
  // Alignments point into one reading of the source: an ensemble's members must share it.
  if (!same_source_reading(runs)) {
    throw std::invalid_argument(fmt::format("align: {} reads the source differently from {} (segmenter or vocabulary): "
                                            "an ensemble's alignments need one reading; align each model alone",
                                            runs.back()->dir, runs[0]->dir));
  }
  std::vector<std::vector<AttentionRecord>> forced;
  for (std::size_t m = 0; m < runs.size(); ++m) forced.push_back(forced_attention(*runs[m]->model, pairs.corpora[m], batch));
  for (std::size_t i = 0; i < pairs.sentences.size(); ++i) {
    SentenceAttention& s = pairs.sentences[i];
    std::vector<AttentionRecord> records;
    for (std::size_t m = 0; m < runs.size(); ++m) records.push_back(forced[m][i]);
    s.attention = average_attention(records);
    if (runs.size() > 1) {
      for (std::size_t m = 0; m < runs.size(); ++m) s.members.push_back({runs[m]->dir, s.source, forced[m][i]});
    }
  }
}

ScoredPair score_pair(const Translator& translator, const std::vector<int>& source, const std::vector<int>& target,
                      bool with_attention) {
  ParallelCorpus corpus;
  corpus.src.push_back(source.data(), source.size());
  corpus.tgt.push_back(target.data(), target.size());
  ScoredPair out;
  out.token_log_probs = forced_token_log_probs(*translator.model, corpus, 1).at(0);
  out.log_prob = sequence_log_prob(out.token_log_probs);
  if (with_attention) out.attention = forced_attention(*translator.model, corpus, 1).at(0);
  return out;
}

}  // namespace nmtx
