#include "session_times.h"

#include <fmt/core.h>

#include <algorithm>

#include "memory.h"
#include "progress.h"

namespace nmtx {

SessionTimes::Validating::Validating(SessionTimes& times) : times_(times), timed_(times.validation) {
  times_.peak_rss_mib = std::max(times_.peak_rss_mib, nmtx::peak_rss_mib());
}

SessionTimes::Validating::~Validating() {
  times_.validation_peak_rss_mib = std::max(times_.validation_peak_rss_mib, nmtx::peak_rss_mib());
  release_free_memory();
  reset_peak_rss();
}

nlohmann::json SessionTimes::to_json() const {
  return {{"steps", steps_taken},
          {"target_tokens", target_tokens},
          {"seconds", session},
          {"step_seconds", steps},
          {"batch_seconds", batches},
          {"moving_average_seconds", moving_average},
          {"validation_seconds", validation},
          {"checkpoint_seconds", checkpoints},
          {"other_seconds", outside_steps() - batches - moving_average - checkpoints},
          {"training_tokens_per_second", tokens_per_second()},
          {"outside_steps_share", outside_steps() / std::max(training(), 1e-9)},
          {"rss_at_start_mib", rss_at_start_mib},
          {"peak_rss_mib", peak_rss_mib},
          {"rss_growth_mib", peak_rss_mib - rss_at_start_mib},
          {"validation_peak_rss_mib", validation_peak_rss_mib}};
}

std::string SessionTimes::describe() const {
  const double t = std::max(training(), 1e-9);
  const auto share = [t](double s) { return fmt::format("{:.1f}%", 100.0 * s / t); };
  return fmt::format(
      "this session: {} steps, {} target tokens/s over the training steps ({} of them in forward, backward and update; "
      "batches {}, checkpoints {}{}, the rest {}); validation {} apart; memory {:.0f} MiB at the start, peak {:.0f} MiB over the steps{}",
      steps_taken, format_thousands(tokens_per_second()), share(steps), share(batches), share(checkpoints),
      moving_average > 0 ? ", moving average " + share(moving_average) : std::string(),
      share(outside_steps() - batches - moving_average - checkpoints), fmt::format("{:.1f} s", validation), rss_at_start_mib,
      peak_rss_mib,
      validation_peak_rss_mib > 0 ? fmt::format(", {:.0f} MiB in validation", validation_peak_rss_mib) : std::string());
}

}  // namespace nmtx
