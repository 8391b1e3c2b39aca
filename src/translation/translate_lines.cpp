#include "nmtx/translation/translate_lines.h"

#include "nmtx/decode/corpus.h"

namespace nmtx {

void SourceLines::append(const SourceLines& more) {
  if (ids.empty()) ids.resize(more.ids.size()), tokens.resize(more.tokens.size());
  for (std::size_t m = 0; m < more.ids.size(); ++m) {
    ids[m].insert(ids[m].end(), more.ids[m].begin(), more.ids[m].end());
    tokens[m].insert(tokens[m].end(), more.tokens[m].begin(), more.tokens[m].end());
  }
}

SourceLines read_source_lines(const std::vector<const TrainedRun*>& runs, const std::vector<std::string>& lines) {
  SourceLines s;
  for (const TrainedRun* run : runs) {
    s.ids.emplace_back(lines.size());
    s.tokens.emplace_back(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) s.ids.back()[i] = run->source_ids(lines[i], s.tokens.back()[i]);
  }
  return s;
}

std::vector<std::vector<Hypothesis>> translate_lines(const std::vector<const TrainedRun*>& runs,
                                                     const SourceLines& sources, const TranslateSettings& settings) {
  const std::size_t lines = sources.ids[0].size();
  std::vector<std::size_t> decoded;  // the line of each non-empty source
  for (std::size_t i = 0; i < lines; ++i) {
    bool empty = false;
    for (const auto& member : sources.ids) empty = empty || member[i].empty();
    if (!empty) decoded.push_back(i);
  }
  std::vector<EnsembleMember> members(runs.size());
  for (std::size_t m = 0; m < runs.size(); ++m) {
    members[m].model = runs[m]->model.get();
    for (std::size_t i : decoded) members[m].sources.push_back(sources.ids[m][i]);
  }
  std::vector<std::vector<Hypothesis>> out = translate(members, settings, same_source_reading(runs));
  std::vector<std::vector<Hypothesis>> results(lines);
  for (std::size_t j = 0; j < out.size(); ++j) results[decoded[j]] = std::move(out[j]);
  return results;
}

std::vector<std::string> output_tokens(const TrainedRun& run, const Hypothesis& h, const std::vector<std::string>& source,
                                       const TranslateSettings& settings) {
  std::vector<std::string> tokens;
  for (std::size_t t = 0; t < h.tokens.size(); ++t) {
    if (h.tokens[t] == Vocab::kUnk && settings.replace_unk && t < h.attention.steps()) {
      tokens.push_back(source[h.attention.argmax(t)]);
    } else {
      tokens.push_back(run.tgt_vocab.token(h.tokens[t]));
    }
  }
  return tokens;
}

std::vector<std::string> unknown_tokens(const std::vector<int>& ids, const std::vector<std::string>& tokens) {
  std::vector<std::string> unknown;
  for (std::size_t k = 0; k < ids.size() && k < tokens.size(); ++k) {
    if (ids[k] == Vocab::kUnk && tokens[k] != "<unk>") unknown.push_back(tokens[k]);
  }
  return unknown;
}

namespace {

// Line i's best translation with the first run's attention.
SentenceAttention exported(const TrainedRun& run, std::size_t i, const SourceLines& sources,
                           const std::vector<Hypothesis>& hypotheses, const TranslateSettings& settings) {
  SentenceAttention a;
  a.index = i;
  a.source = sources.tokens[0][i];
  for (std::size_t k = 0; k < a.source.size() && k < sources.ids[0][i].size(); ++k) {
    if (sources.ids[0][i][k] == Vocab::kUnk) a.source[k] = "<unk>";
  }
  if (hypotheses.empty()) return a;
  const Hypothesis& h = hypotheses[0];
  a.output = output_tokens(run, h, sources.tokens[0][i], settings);
  if (h.finished) a.output.push_back("</s>");
  a.eos = h.finished;
  a.attention = h.attention;
  a.token_log_probs = h.token_log_probs;
  a.log_prob = h.log_prob;
  return a;
}

// An ensemble's members' own attention over each exported translation (forced decoding).
void add_member_attention(const std::vector<const TrainedRun*>& runs, const SourceLines& sources,
                          const std::vector<std::vector<Hypothesis>>& results, std::size_t batch,
                          std::vector<SentenceAttention>& sentences) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].empty()) rows.push_back(i);
  }
  for (std::size_t m = 0; m < runs.size(); ++m) {
    ParallelCorpus corpus;
    for (std::size_t i : rows) {
      corpus.src.push_back(sources.ids[m][i].data(), sources.ids[m][i].size());
      corpus.tgt.push_back(results[i][0].tokens.data(), results[i][0].tokens.size());
    }
    const std::vector<AttentionRecord> forced = forced_attention(*runs[m]->model, corpus, batch);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      AttentionRecord a = forced[k];
      // Forced decoding always ends with </s>; a translation cut at the length limit did not.
      a.truncate(results[rows[k]][0].attention.steps());
      sentences[rows[k]].members.push_back({runs[m]->dir, sources.tokens[m][rows[k]], std::move(a)});
    }
  }
}

}  // namespace

std::vector<SentenceAttention> translation_attention(const std::vector<const TrainedRun*>& runs,
                                                     const SourceLines& sources,
                                                     const std::vector<std::vector<Hypothesis>>& results,
                                                     const TranslateSettings& settings) {
  std::vector<SentenceAttention> sentences;
  for (std::size_t i = 0; i < results.size(); ++i) {
    sentences.push_back(exported(*runs[0], i, sources, results[i], settings));
  }
  if (runs.size() > 1) add_member_attention(runs, sources, results, settings.batch, sentences);
  return sentences;
}

}  // namespace nmtx
