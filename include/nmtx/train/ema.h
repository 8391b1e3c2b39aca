// An exponential moving average of the parameters during training (Marian's exponential
// smoothing; TensorFlow's ExponentialMovingAverage with num_updates for the warm-up).
// After optimiser step t = 1, 2, ...:
//   d_t = min(decay, (1 + t) / (10 + t))
//   θ̄_t = d_t · θ̄_{t−1} + (1 − d_t) · θ_t        element by element, in float; θ̄_0 = θ_0
// The warm-up (d_1 = 2/11, d_10 = 11/20, d_100 ≈ 0.92) keeps the average from holding on to
// the random initialisation for 1/(1 − decay) steps. With `training.ema_decay` set,
// validation, the best checkpoint and the test score use θ̄; checkpoints hold θ̄ in params/
// (what translate, score, align and inspect load) and θ in training-params/ (for resume).
#pragma once

#include <cstdint>

#include "nmtx/core/params.h"

namespace nmtx {

// d_t above.
float ema_decay_at(double decay, std::int64_t step);

// average ← d · average + (1 − d) · params, over every float of the two sets (same layout).
void ema_update(const ParameterSet& params, ParameterSet& average, float d);

// Swaps the values of two sets of the same layout for its lifetime: the model built on `a`
// computes with b's values (validation on the average), then gets its own back.
class SwappedValues {
 public:
  SwappedValues(ParameterSet& a, ParameterSet& b);
  ~SwappedValues();
  SwappedValues(const SwappedValues&) = delete;
  SwappedValues& operator=(const SwappedValues&) = delete;

 private:
  ParameterSet &a_, &b_;
};

}  // namespace nmtx
