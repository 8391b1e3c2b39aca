// Lines of text translated by one run or an ensemble (nmtx translate): each run reads the
// source its own way, an empty line is not decoded, the output is the first run's tokens
// (with unknown-word replacement when asked), and the attention export labels what the
// model read.
#pragma once

#include <string>
#include <vector>

#include "nmtx/report/attention_export.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/translation/translator.h"

namespace nmtx {

// The lines as each run reads them: [run][line].
struct SourceLines {
  std::vector<std::vector<std::vector<int>>> ids;
  std::vector<std::vector<std::vector<std::string>>> tokens;
  void append(const SourceLines& more);  // more's lines after these
};
SourceLines read_source_lines(const std::vector<const TrainedRun*>& runs, const std::vector<std::string>& lines);

// Every line's n-best hypotheses (none for a line some run reads as empty), decoded in
// batches of similar length; several runs decode as an ensemble, their attention averaged
// when they read the source alike.
std::vector<std::vector<Hypothesis>> translate_lines(const std::vector<const TrainedRun*>& runs,
                                                     const SourceLines& sources, const TranslateSettings& settings);

// A hypothesis's output tokens in `run`'s target vocabulary; with settings.replace_unk
// each <unk> becomes its most attended token of `source` (Luong et al. 2015).
std::vector<std::string> output_tokens(const TrainedRun& run, const Hypothesis& h, const std::vector<std::string>& source,
                                       const TranslateSettings& settings);

// The source tokens the first run does not know (read as <unk>), in order.
std::vector<std::string> unknown_tokens(const std::vector<int>& ids, const std::vector<std::string>& tokens);

// Each line's best translation with its attention as the export shows it (source tokens as
// the first run read them, an unknown word as <unk>; output tokens with </s> when it was
// produced); for an ensemble, each member's own attention over that translation (forced
// decoding) beside it.
std::vector<SentenceAttention> translation_attention(const std::vector<const TrainedRun*>& runs,
                                                     const SourceLines& sources,
                                                     const std::vector<std::vector<Hypothesis>>& results,
                                                     const TranslateSettings& settings);

}  // namespace nmtx
