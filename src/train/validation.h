// Validation and what follows it: a set scored (teacher-forced loss, greedy translations,
// corpus BLEU), the verdict recorded in the training state (the best so far, the counts
// that patience and the plateau read), and the learning-rate schedule with early stopping.
#pragma once

#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/core/optim.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_data.h"
#include "metrics_log.h"
#include "moving_average.h"
#include "nmtx/translation/translator.h"
#include "progress.h"
#include "snapshots.h"

namespace nmtx {

// One line per text (what dev.hyp, test.hyp and validations/ hold).
std::string text_lines(const std::vector<std::string>& texts);

struct Evaluation {
  CorpusLoss loss;
  Bleu bleu;
  std::vector<std::string> hypotheses;
  std::vector<Hypothesis> outputs;  // the hypotheses decoded (with attention when kept)
};

// `set` scored as validation and the final evaluation score it (the translator's model as
// it is now).
Evaluation evaluate(const Translator& translator, const EvalSet& set, const TranslateSettings& settings,
                    const BleuOptions& bleu);

// Records the validation at state.step: returns whether it improves on the best so far
// (validation.metric: BLEU higher is better, perplexity and loss lower), in which case its
// checkpoint becomes the best.
bool record_validation(ValidationMetric metric, const Evaluation& e, TrainingState& state);

// The learning rate over training: training.schedule (halving after epochs, plateau after
// validations), the floor training.min_learning_rate, and validation.patience's early
// stopping. A change is logged and given to the optimiser; a stop is set as
// state.stop_reason.
class LearningRateSchedule {
 public:
  LearningRateSchedule(const Config& config, Optimizer& optimizer, RunLog& log)
      : config_(config), optimizer_(optimizer), log_(log) {}
  void set(TrainingState& state, double lr, const std::string& why) const;
  // At the end of epoch state.epoch (before it moves on).
  void after_epoch(TrainingState& state) const;
  // After a validation that did not improve.
  void after_no_improvement(TrainingState& state) const;

 private:
  const Config& config_;
  Optimizer& optimizer_;
  RunLog& log_;
};

// A validation as training reaches it: the dev set scored with the model as it is (the
// moving average θ̄ when there is one), RUN/validations/dev-step-N.txt written, the
// attention snapshots and measures (snapshots.h), the verdict recorded, metrics.jsonl's
// line, train.log's lines with validation.examples dev sentences (as Joey NMT prints
// them), and the schedule told. Only rank 0 validates.
class Validator {
 public:
  Validator(const Config& config, const RunData& data, std::string dir, RunLog& log, LearningRateSchedule& schedule);
  // Before the session's first step (rank 0): the snapshots' start (SnapshotRecorder::start).
  void start(std::int64_t step) const { snapshots_.start(step); }
  // Returns whether this validation is the best so far. `model` is built on `params`.
  bool operator()(const Seq2Seq& model, ParameterSet& params, MovingAverage* average, TrainingState& state,
                  MetricsLog& metrics) const;
  // How it decodes (the final evaluation decodes so too).
  const TranslateSettings& settings() const { return settings_; }

 private:
  const Config& config_;
  const RunData& data_;
  std::string dir_;
  RunLog& log_;
  LearningRateSchedule& schedule_;
  TranslateSettings settings_;
  SnapshotRecorder snapshots_;
};

}  // namespace nmtx
