// The names of every choice a recipe key offers, one table per enum: the recipe keys
// (recipe_keys.cpp: their choices and defaults, the first name), the Config they become
// (config.cpp) and the messages all read them here. The model's enums keep their tables
// beside them (cell_names, init_scheme_names, bridge_names, normalization_names).
#pragma once

#include <optional>

#include "nmtx/attention/attention.h"
#include "nmtx/config/config.h"
#include "nmtx/core/enum_names.h"
#include "nmtx/model/seq2seq.h"
#include "nmtx/nn/init.h"
#include "nmtx/nn/rnn.h"

namespace nmtx {

// model.attention.score: a score's name, or "" for the type's default.
inline const EnumNames<std::optional<AttentionScore>>& optional_score_names() {
  static const EnumNames<std::optional<AttentionScore>> names = [] {
    std::vector<std::pair<const char*, std::optional<AttentionScore>>> entries{{"", std::nullopt}};
    for (const auto& [name, score] : attention_score_names().entries()) entries.emplace_back(name, score);
    return EnumNames<std::optional<AttentionScore>>(std::move(entries));
  }();
  return names;
}

inline const EnumNames<std::optional<ToyTask>>& task_names() {
  static const EnumNames<std::optional<ToyTask>> names{{"none", std::nullopt},
                                                       {"copy", ToyTask::copy},
                                                       {"reverse", ToyTask::reverse},
                                                       {"sort", ToyTask::sort},
                                                       {"reorder", ToyTask::reorder}};
  return names;
}
inline const EnumNames<TokenLevel>& level_names() {
  static const EnumNames<TokenLevel> names{{"word", TokenLevel::word}, {"char", TokenLevel::character}};
  return names;
}
inline const EnumNames<SubwordType>& subword_names() {
  static const EnumNames<SubwordType> names{{"none", SubwordType::none}, {"sentencepiece", SubwordType::sentencepiece}};
  return names;
}
inline const EnumNames<OptimizerType>& optimizer_names() {
  static const EnumNames<OptimizerType> names{{"adam", OptimizerType::adam}, {"sgd", OptimizerType::sgd}};
  return names;
}
inline const EnumNames<Schedule>& schedule_names() {
  static const EnumNames<Schedule> names{{"none", Schedule::none}, {"halving", Schedule::halving}, {"plateau", Schedule::plateau}};
  return names;
}
inline const EnumNames<bool>& batch_type_names() {  // training.batch_type: does batch_size count tokens?
  static const EnumNames<bool> names{{"sentences", false}, {"tokens", true}};
  return names;
}
inline const EnumNames<ValidationMetric>& metric_names() {
  static const EnumNames<ValidationMetric> names{
      {"bleu", ValidationMetric::bleu}, {"ppl", ValidationMetric::ppl}, {"loss", ValidationMetric::loss}};
  return names;
}
inline const EnumNames<BleuTokenizer>& bleu_tokenizer_names() {
  static const EnumNames<BleuTokenizer> names{
      {"none", BleuTokenizer::none}, {"13a", BleuTokenizer::t13a}, {"intl", BleuTokenizer::intl}};
  return names;
}

}  // namespace nmtx
