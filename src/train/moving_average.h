// training.ema_decay: the moving average θ̄ of the parameters (ema.h) beside the parameters
// θ the optimiser works on. Validation and the final evaluation score θ̄, checkpoints keep θ̄
// in params/ (what every reader loads) and θ in training-params/ (for resume).
#pragma once

#include <cstdint>
#include <string>

#include "nmtx/core/params.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

class MovingAverage {
 public:
  // θ̄_0 = θ_0, in a parameter set laid out as the model's (a model built on it registers
  // the same parameters).
  MovingAverage(const ModelConfig& config, const ParameterSet& start);
  // After optimiser step `step` (ema.h's d_t).
  void update(const ParameterSet& params, double decay, std::int64_t step);
  // Resuming: `params` holds the checkpoint's params/ (θ̄); θ̄ is taken from it and θ read
  // from the checkpoint's training-params/ into it. Throws CheckpointError without them.
  void resume(const std::string& checkpoint, ParameterSet& params);
  ParameterSet& values() { return average_; }

 private:
  ParameterSet average_;
  Seq2Seq layout_;
};

}  // namespace nmtx
