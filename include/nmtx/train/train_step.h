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
#include <memory>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/core/graph.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/params.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batch.h"
#include "nmtx/data/batching.h"
#include "nmtx/dist/shard_sum.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

struct StepOptions {
  float clip_norm = 5.0f;        // global gradient-norm clipping; 0: off
  float label_smoothing = 0.0f;
  Rng* dropout = nullptr;        // the dropout stream; null: no dropout
  // Testing hook, called between backward and clipping (nmtx train --debug-nan-at).
  std::function<void(ParameterSet&)> after_backward;
};

// training.clip_norm and training.label_smoothing; dropout from `dropout` (null: none).
StepOptions step_options(const TrainingConfig& training, Rng* dropout);

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

// The same step on a global batch cut into S = training.shards shards (batch_shard), for
// data-parallel training (docs/distributed.md). In step 2 this rank computes, for each of
// its shards k, the gradient of L_k / T, T the global batch's target tokens; the shards'
// gradients are summed in shard order over all ranks (dist/shard_sum.h), L likewise; steps
// 3-4 then run on every rank on identical numbers, so the parameters stay identical. Shard
// k's dropout masks at step n come from Rng(derive_seed(seed, "dropout step n shard k")),
// whichever rank computes it. With S = 1 in one process the trainer calls train_step.
// `threads` > 1 computes this rank's shards on that many threads at once (each with its
// own graph and single-threaded BLAS): the same bits as one thread, in less time where
// products are too small for BLAS's own threads (the toy sizes).
class ShardedStep {
 public:
  // Local shard 0's gradient is computed in params' own gradient block (the sum ends there).
  ShardedStep(dist::Communicator& comm, ParameterSet& params, std::size_t shards, std::uint64_t seed,
              std::size_t threads = 1);

  // `step`: the number this step will have (1 for the first); `options.dropout` non-null
  // asks for dropout (its stream is not used: each shard has its own).
  StepResult operator()(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g,
                        const ParallelCorpus& corpus, const BatchIndices& batch, std::int64_t step,
                        const StepOptions& options);
  const dist::ShardSum& reduction() const { return sum_; }
  std::size_t threads() const { return threads_; }  // shards computed at once

 private:
  dist::ShardSum sum_;
  std::uint64_t seed_;
  std::size_t threads_;
  std::vector<std::unique_ptr<Graph>> graphs_;  // threads 2, 3, ... (the first uses the caller's)
};

}  // namespace nmtx
