// One optimisation step on one batch, the same for `nmtx train`, `nmtx demo`, the
// benchmark and the tests:
//   1. zero the gradients;
//   2. L = Σ cross-entropy over the batch's target tokens (</s> included; label smoothing,
//      dropout when asked), and backward of L / tokens (the token-normalised loss);
//   3. the global gradient norm, clipped to clip_norm (0: measured only);
//   4. only if L and the norm are finite: the optimiser's update. A NaN or infinity leaves
//      the parameters as they were, so the caller can stop with its last good state.
#pragma once

#include <cstddef>
#include <functional>

#include "nmtx/core/graph.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/params.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batch.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct StepOptions {
  float clip_norm = 5.0f;        // global gradient-norm clipping; 0: off
  float label_smoothing = 0.0f;
  Rng* dropout = nullptr;        // the dropout stream; null: no dropout
  // Testing hook, called between backward and clipping (nmtx train --debug-nan-at).
  std::function<void(ParameterSet&)> after_backward;
};

struct StepResult {
  double loss = 0.0;         // L, summed over the target tokens (natural log)
  std::size_t tokens = 0;    // target tokens, </s> included
  double grad_norm = 0.0;    // before clipping
  bool applied = false;      // the update was made (L and the norm were finite)
  double loss_per_token() const { return tokens ? loss / static_cast<double>(tokens) : 0.0; }
};

// Clears `g` and takes the step. `model` must have been built on `params`.
StepResult train_step(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g, const Batch& batch,
                      const StepOptions& options = {});

}  // namespace nmtx
