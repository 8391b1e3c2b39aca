// The run's checkpoints as training writes them: the files every checkpoint carries
// (config.yaml, the vocabularies, SentencePiece models), the moving average's θ̄ in params/
// with θ in training-params/ (moving_average.h), checkpoint.keep_last's pruning (the best
// kept), the tests' kills while writing (fault_injection.h). Only rank 0 writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fault_injection.h"
#include "moving_average.h"
#include "nmtx/config/config.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/params.h"
#include "nmtx/run/checkpoint.h"

namespace nmtx {

class CheckpointWriter {
 public:
  CheckpointWriter(std::string dir, const CheckpointConfig& config, const FaultInjection& faults);

  // The checkpoint of state.step (`best`: the `best` pointer moves to it too).
  void save(const ParameterSet& params, MovingAverage* average, const Optimizer& optimizer, const TrainingState& state,
            bool best);
  // The latest checkpoint: the one just written, or (resuming) the one read.
  void set_latest(const std::string& checkpoint, std::int64_t step);

  const std::string& latest() const { return latest_; }  // its path ("": none yet)
  std::int64_t saved_step() const { return saved_step_; }  // its step (-1: none)

 private:
  std::string dir_;
  std::size_t keep_last_;
  const FaultInjection& faults_;
  std::vector<std::string> run_files_;  // those of run_files:: the run has
  std::string latest_;
  std::int64_t saved_step_ = -1;
};

}  // namespace nmtx
