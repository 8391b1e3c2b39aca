// The failures tests ask of `nmtx train` (--debug-... flags, TrainHooks), in one place: the
// trainer calls each at the moment it names, and each does nothing unless asked for.
#pragma once

#include <cstdint>
#include <functional>

#include "nmtx/core/params.h"
#include "nmtx/train/trainer.h"

namespace nmtx {

class FaultInjection {
 public:
  FaultInjection(const TrainHooks& hooks, int rank) : hooks_(hooks), rank_(rank) {}

  // StepOptions::after_backward: a NaN gradient in the step after `*step` (the steps done so
  // far) reaches hooks.nan_at_step; empty when not asked for.
  std::function<void(ParameterSet&)> nan_gradient(const std::int64_t* step) const;
  // Before the first step of the session, and after every step (`step` done): rank 0's
  // Ctrl-C, a rank's SIGKILL.
  void before_first_step() const;
  void after_step(std::int64_t step) const;
  // save_checkpoint's stage hook for the checkpoint of `step`: SIGKILL at hooks.kill_stage.
  std::function<void(const char*)> in_checkpoint(std::int64_t step) const;

 private:
  TrainHooks hooks_;
  int rank_;
};

}  // namespace nmtx
