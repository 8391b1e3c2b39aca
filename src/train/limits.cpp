#include "limits.h"

#include <algorithm>

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

}  // namespace nmtx
