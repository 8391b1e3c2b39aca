#include "moving_average.h"

#include <algorithm>

#include "nmtx/run/checkpoint.h"
#include "nmtx/train/ema.h"

namespace nmtx {

MovingAverage::MovingAverage(const ModelConfig& config, const ParameterSet& start)
    : average_(start.seed()), layout_(config, average_) {
  std::copy_n(start.values(), start.numel(), average_.values());
}

void MovingAverage::update(const ParameterSet& params, double decay, std::int64_t step) {
  ema_update(params, average_, ema_decay_at(decay, step));
}

void MovingAverage::resume(const std::string& checkpoint, ParameterSet& params) {
  std::copy_n(params.values(), params.numel(), average_.values());
  if (!load_training_parameters(checkpoint, params)) {
    throw CheckpointError(checkpoint + " has no training-params/ but the run has training.ema_decay: it cannot be "
                          "resumed exactly");
  }
}

}  // namespace nmtx
