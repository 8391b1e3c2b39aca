#include "interval_log.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "nmtx/run/run_files.h"

namespace nmtx {

void IntervalLog::add(TrainingState& state, const StepResult& r, std::int64_t total_steps, MetricsLog* metrics) {
  state.target_tokens += static_cast<std::int64_t>(r.tokens);
  state.interval_loss += r.loss;
  state.interval_tokens += static_cast<std::int64_t>(r.tokens);
  state.interval_grad_norm += r.grad_norm;
  ++state.interval_steps;
  if (state.step % training_.log_every == 0) end_interval(state, total_steps, metrics);
  progress(state, total_steps);
}

void IntervalLog::end_interval(TrainingState& state, std::int64_t total_steps, MetricsLog* metrics) {
  const double per_token = state.interval_loss / static_cast<double>(state.interval_tokens);
  const double mean_norm = state.interval_grad_norm / static_cast<double>(state.interval_steps);
  if (metrics != nullptr) {
    metrics->write(metrics_entry(TrainMetrics{state.step, state.epoch, per_token, std::exp(per_token), mean_norm,
                                              state.learning_rate, state.interval_tokens}));
  }
  const double seconds = pace_.elapsed();
  const double rate = static_cast<double>(state.target_tokens) / std::max(seconds, 1e-9);
  log_.line(fmt::format("epoch {}  step {}  loss {:.4f}  ppl {:8.2f}  |g| {:.3f}  lr {:.3g}  {} tok/s  {}  ETA {}",
                        of_total(state.epoch, training_.epochs), of_total(state.step, total_steps), per_token,
                        std::exp(per_token), mean_norm, state.learning_rate, format_thousands(rate),
                        format_duration(seconds), pace_.eta(state.step, total_steps)));
  last_loss_ = per_token;
  state.interval_loss = state.interval_grad_norm = 0.0;
  state.interval_tokens = state.interval_steps = 0;
}

void IntervalLog::progress(const TrainingState& state, std::int64_t total_steps) {
  if (!log_.live()) return;  // no terminal: nothing to draw, nothing to format each step
  // The interval so far, or the last whole one right after a log line: an interval with
  // no steps has no loss to show (not a perfect 0).
  std::string loss = "loss -";
  if (state.interval_tokens > 0) {
    const double per_token = state.interval_loss / static_cast<double>(state.interval_tokens);
    loss = fmt::format("loss {:.4f}  ppl {:.2f}", per_token, std::exp(per_token));
  } else if (last_loss_) {
    loss = fmt::format("loss {:.4f}  ppl {:.2f}", *last_loss_, std::exp(*last_loss_));
  }
  log_.progress(fmt::format("epoch {} step {}  {}  {} tok/s  lr {:.3g}  ETA {}", of_total(state.epoch, training_.epochs),
                            of_total(state.step, total_steps), loss,
                            format_thousands(static_cast<double>(state.target_tokens) / std::max(pace_.elapsed(), 1e-9)),
                            state.learning_rate, pace_.eta(state.step, total_steps)));
}

}  // namespace nmtx
