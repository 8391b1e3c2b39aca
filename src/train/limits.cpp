#include "limits.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace nmtx {

std::int64_t total_steps(const TrainingConfig& training, std::size_t batches_per_epoch) {
  const std::int64_t max_steps = training.steps, max_epochs = training.epochs;
  const std::int64_t by_epochs = max_epochs > 0 ? max_epochs * static_cast<std::int64_t>(batches_per_epoch) : 0;
  if (max_steps > 0 && by_epochs > 0) return std::min(max_steps, by_epochs);
  return max_steps > 0 ? max_steps : by_epochs;
}

std::string limit_reached(const TrainingConfig& training, const TrainingState& state, bool end_of_epoch) {
  if (training.steps > 0 && state.step >= training.steps) return "steps";
  if (training.epochs > 0 && end_of_epoch && state.epoch - 1 >= training.epochs) return "epochs";
  return "";
}

bool limits_reached(const Config& config, const TrainingState& state) {
  const TrainingConfig& t = config.training;
  if (t.steps > 0 && state.step >= t.steps) return true;
  if (t.epochs > 0 && state.epoch - 1 >= t.epochs) return true;
  const std::int64_t patience = config.validation.patience;
  if (patience > 0 && state.validations_without_improvement >= patience) return true;
  return t.min_learning_rate > 0 && state.learning_rate < t.min_learning_rate;
}

SessionWork session_work(const Config& config, TrainingState& state, const std::string& dir, RunLog& log) {
  if (!state.finished) return SessionWork::train;
  if (!limits_reached(config, state)) {
    log.line(fmt::format("{} had finished at step {} ({}); training on", dir, state.step, state.stop_reason));
    state.finished = false;
    state.stop_reason.clear();
    return SessionWork::train;
  }
  if (!std::filesystem::exists(std::filesystem::path(dir) / "summary.json")) return SessionWork::finish;
  log.line(fmt::format("{} has finished (step {}, epoch {}: {}) and holds its summary.json: nothing to do. "
                       "`--set training.steps=N` (or training.epochs) with --resume trains it further",
                       dir, state.step, state.epoch - 1, state.stop_reason));
  return SessionWork::nothing;
}

std::string divergence_message(const TrainingState& state, double loss, double grad_norm,
                               const std::optional<std::string>& last_checkpoint) {
  const bool loss_finite = std::isfinite(loss);
  return fmt::format("step {}: the {} is {}: training stopped. {}", state.step,
                     loss_finite ? "gradient norm" : "loss", loss_finite ? grad_norm : loss,
                     last_checkpoint ? "The last good checkpoint is " + *last_checkpoint +
                                           " (training.learning_rate or training.clip_norm may be too high)"
                                     : std::string("No checkpoint was written yet."));
}

}  // namespace nmtx
