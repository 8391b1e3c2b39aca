// Where a run ends: training.steps, training.epochs, validation.patience's early stopping,
// training.min_learning_rate's floor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "nmtx/config/config.h"
#include "nmtx/run/checkpoint.h"
#include "progress.h"

namespace nmtx {

// The steps a run reaches: training.steps, training.epochs × batches per epoch, or the
// first of them (0: unknown, no ETA).
std::int64_t total_steps(const TrainingConfig& training, std::size_t batches_per_epoch);

// After a step: "steps" or "epochs" when that limit is reached (at the end of an epoch for
// epochs), else empty.
std::string limit_reached(const TrainingConfig& training, const TrainingState& state, bool end_of_epoch);

// Whether a finished run's stop still holds under its (possibly changed) configuration:
// its steps or epochs reached, its patience used up, its learning rate below the floor.
bool limits_reached(const Config& config, const TrainingState& state);

// What a session does with the run it opened: train (a new or stopped run, or a finished
// one whose limits --resume --set raised: its stop cleared), only evaluate and write
// summary.json (finished without it), or nothing (finished with it). Logs what it decided.
enum class SessionWork { train, finish, nothing };
SessionWork session_work(const Config& config, TrainingState& state, const std::string& dir, RunLog& log);

// The message of a run stopped by a NaN or infinite loss or gradient norm at state.step.
std::string divergence_message(const TrainingState& state, double loss, double grad_norm,
                               const std::optional<std::string>& last_checkpoint);

}  // namespace nmtx
