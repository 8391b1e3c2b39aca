// The end of a run: the parameters it chose (the best checkpoint by dev; without one the
// moving average, or the last parameters) scored on dev and test, dev.hyp and test.hyp
// written, checkpoint.average_last's average scored too; the numbers of summary.json.
#pragma once

#include <string>

#include "nmtx/config/config.h"
#include "nmtx/core/params.h"
#include "nmtx/model/seq2seq.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/run_files.h"
#include "nmtx/translation/translator.h"
#include "progress.h"
#include "session_times.h"

namespace nmtx {

struct FinishedRun {
  const std::string& dir;
  const Config& config;
  const RunData& data;
  const Seq2Seq& model;           // built on `params`
  ParameterSet& params;           // loaded with what is scored
  const ParameterSet* average;    // training.ema_decay's θ̄, or null
  const TrainingState& state;
};

// summary.json's content from the evaluations (the caller adds what only it knows: the
// session's times, the ranks); the evaluations' lines go to `log`.
RunSummary evaluate_finished_run(const FinishedRun& run, const TranslateSettings& settings, RunLog& log);

// The same, with this session's times (when it took steps) and the ranks' report (null:
// one process without shards), written to RUN/summary.json.
void write_summary(const FinishedRun& run, const TranslateSettings& settings, const SessionTimes& times,
                   const nlohmann::json* ranks, RunLog& log);

}  // namespace nmtx
