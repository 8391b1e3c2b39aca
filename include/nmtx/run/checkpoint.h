// Checkpoints: everything a run needs to continue exactly where it was, as a directory
//   RUN/checkpoints/step-00001200/
//     params/NAME.npy          every parameter, under the names of docs/model.md
//     optimizer/BUFFER.npy     the optimiser's flat buffers (Adam's m and v, SGD's velocity)
//     state.json               step, epoch, position in the epoch, learning rate, RNG state,
//                              validation history, the metrics log's length, ...
//     config.yaml, src.vocab, tgt.vocab (and *.spm.model)   copies from the run directory
// written under a temporary name, fsynced and renamed into place; then the pointer file
// RUN/checkpoints/latest (and `best`) is replaced by rename. A kill at any moment leaves
// either the old or the new checkpoint under a real name, never a half-written one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "nmtx/core/params.h"
#include "nmtx/core/optim.h"

namespace nmtx {

// The training loop's position and bookkeeping.
struct TrainingState {
  std::int64_t step = 0;            // optimiser steps done
  std::int64_t epoch = 1;           // the epoch in progress (1-based)
  std::int64_t batch_in_epoch = 0;  // batches of that epoch done
  double learning_rate = 0.0;
  std::string dropout_rng;          // Rng::state()
  std::int64_t last_validation_step = -1;
  double best_metric = 0.0;         // of the best validation so far (valid when best_step >= 0)
  std::int64_t best_step = -1;
  std::string best_checkpoint;      // its directory name
  std::int64_t validations_without_improvement = 0;  // early stopping
  std::int64_t plateau_count = 0;                    // plateau schedule
  std::uint64_t metrics_bytes = 0;  // length of metrics.jsonl at this state
  double train_seconds = 0.0;       // wall time spent training (all sessions)
  std::int64_t target_tokens = 0;   // real target tokens trained on
  // The log interval in progress (so that a resumed run logs what an uninterrupted one does).
  double interval_loss = 0.0, interval_grad_norm = 0.0;
  std::int64_t interval_tokens = 0, interval_steps = 0;
  bool finished = false;
  std::string stop_reason;
};

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string checkpoint_name(std::int64_t step);  // "step-00001200"

// Writes a checkpoint into RUN/checkpoints and points `latest` at it (and `best` when
// `best` is true). `run_files` are copied from the run directory. `stage_hook`, for
// tests, is called with "written" (files complete, not yet renamed) and "renamed" (in
// place, `latest` not yet moved).
//
// With `training_params` (training.ema_decay: `params` is then the moving average, what
// every reader loads), the parameters the optimiser works on go to training-params/, which
// only resume reads (load_training_parameters).
void save_checkpoint(const std::string& run_dir, const ParameterSet& params, const Optimizer& optimizer,
                     const TrainingState& state, const std::vector<std::string>& run_files, bool best,
                     const std::function<void(const char* stage)>& stage_hook = {},
                     const ParameterSet* training_params = nullptr);

// The checkpoint a pointer names ("latest", "best"), or nothing when the pointer does not
// exist. A pointer naming a missing directory is an error.
std::optional<std::string> checkpoint_pointer(const std::string& run_dir, const std::string& pointer);

// state.json's text: every field of the state, and the optimiser's step count.
std::string training_state_text(const TrainingState& state, std::int64_t optimizer_steps);
// Reads state.json's text (`file` names it in errors): every field type- and
// range-checked; throws JsonFileError naming the file and the field. The optimiser's step
// count goes to `optimizer_steps` when given.
TrainingState parse_training_state(std::string_view text, const std::string& file, std::int64_t* optimizer_steps);

// Reads a checkpoint directory into `params` (shapes checked) and `optimizer`; throws
// CheckpointError naming the file for a missing, truncated or corrupt one.
TrainingState load_checkpoint(const std::string& checkpoint_dir, ParameterSet& params, Optimizer* optimizer);

// A checkpoint's training-params/ into `params`; false when it has none (no moving
// average: params/ is what the optimiser works on).
bool load_training_parameters(const std::string& checkpoint_dir, ParameterSet& params);

// The run's step-N checkpoint names, oldest first (none when it has no checkpoints/).
std::vector<std::string> step_checkpoints(const std::string& run_dir);

// Deletes checkpoints other than the newest `keep` and those named in `protect`; removes
// leftovers of interrupted writes.
void prune_checkpoints(const std::string& run_dir, std::size_t keep, const std::vector<std::string>& protect);

}  // namespace nmtx
