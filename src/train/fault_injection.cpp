#include "fault_injection.h"

#include <csignal>
#include <limits>

namespace nmtx {

std::function<void(ParameterSet&)> FaultInjection::nan_gradient(const std::int64_t* step) const {
  if (hooks_.nan_at_step <= 0) return {};
  return [step, at = hooks_.nan_at_step](ParameterSet& params) {
    if (*step + 1 == at) params.grads()[0] = std::numeric_limits<float>::quiet_NaN();
  };
}

void FaultInjection::before_first_step() const {
  if (rank_ == 0 && hooks_.signal_at_step == 0) ::raise(SIGINT);
}

void FaultInjection::after_step(std::int64_t step) const {
  if (hooks_.kill_rank == rank_ && hooks_.kill_at_step == step) ::raise(SIGKILL);
  if (rank_ == 0 && hooks_.signal_at_step == step) ::raise(SIGINT);
}

std::function<void(const char*)> FaultInjection::in_checkpoint(std::int64_t step) const {
  if (hooks_.kill_in_checkpoint_at != step) return {};
  return [stage = hooks_.kill_stage](const char* at) {
    if (stage == at) ::raise(SIGKILL);
  };
}

}  // namespace nmtx
