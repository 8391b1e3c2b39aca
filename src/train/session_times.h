// Where a training session's wall-clock time went, for summary.json ("session") and
// train.log's closing lines: the benchmark of the path users run (bench/train_real.sh)
// reads its speed over the training steps (validation excluded, reported apart) and the
// share of time outside forward, backward and update from here.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace nmtx {

struct SessionTimes {
  using Clock = std::chrono::steady_clock;

  // Adds the seconds from construction to destruction to `total`.
  class Timed {
   public:
    explicit Timed(double& total) : total_(total), start_(Clock::now()) {}
    ~Timed() { total_ += std::chrono::duration<double>(Clock::now() - start_).count(); }
    Timed(const Timed&) = delete;
    Timed& operator=(const Timed&) = delete;

   private:
    double& total_;
    Clock::time_point start_;
  };

  // Around a validation: its time, and its memory apart from the training steps' (their
  // peak so far recorded first; validation's own after it, decoding's leftovers given back
  // to the system and the peak started afresh).
  class Validating {
   public:
    explicit Validating(SessionTimes& times);
    ~Validating();
    Validating(const Validating&) = delete;
    Validating& operator=(const Validating&) = delete;

   private:
    SessionTimes& times_;
    Timed timed_;
  };

  double session = 0.0;         // the whole training loop of this session
  double steps = 0.0;           // train_step: forward, backward, clipping, the optimiser's update
  double batches = 0.0;         // an epoch's batch order and the padded batches
  double moving_average = 0.0;  // training.ema_decay's update
  double validation = 0.0;      // dev translation and scoring during training
  double checkpoints = 0.0;     // writing checkpoints
  std::int64_t steps_taken = 0;
  std::int64_t target_tokens = 0;
  double rss_at_start_mib = 0.0;  // once the model, optimiser and data are built
  double peak_rss_mib = 0.0;      // the training steps' peak (validation's apart, where the kernel allows)
  double validation_peak_rss_mib = 0.0;

  double training() const { return session - validation; }  // the training steps' wall clock
  double outside_steps() const { return training() - steps; }  // batches, logging, checkpoints, ...
  double tokens_per_second() const { return static_cast<double>(target_tokens) / std::max(training(), 1e-9); }

  nlohmann::json to_json() const;
  // "this session: 200 steps in 12.3 s, 22,812 target tokens/s over the training steps ..."
  std::string describe() const;
};

}  // namespace nmtx
