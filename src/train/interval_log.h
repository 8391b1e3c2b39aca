// The figures of each log interval (training.log_every steps): metrics.jsonl's "train"
// line and train.log's line with speed and ETA, and between them, on a terminal, the live
// progress line.
#pragma once

#include <cstdint>
#include <optional>

#include "metrics_log.h"
#include "nmtx/config/config.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/train/train_step.h"
#include "progress.h"

namespace nmtx {

class IntervalLog {
 public:
  IntervalLog(RunLog& log, const TrainingConfig& training, const Pace& pace) : log_(log), training_(training), pace_(pace) {}
  // The step just taken (state.step) into the interval in `state`; at the interval's end
  // its lines (metrics.jsonl's when `metrics`), and the interval starts over. Then the
  // progress line. `total_steps`: the step the run will reach (0: unknown).
  void add(TrainingState& state, const StepResult& step, std::int64_t total_steps, MetricsLog* metrics);

 private:
  void end_interval(TrainingState& state, std::int64_t total_steps, MetricsLog* metrics);
  void progress(const TrainingState& state, std::int64_t total_steps);

  RunLog& log_;
  const TrainingConfig& training_;
  const Pace& pace_;
  std::optional<double> last_loss_;  // the last logged interval's loss per token
};

}  // namespace nmtx
