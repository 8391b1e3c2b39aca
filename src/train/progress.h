// What a training run tells the person watching: log lines on standard output and in
// RUN/train.log, and on a terminal a live progress line (step, loss, speed, ETA) on
// standard error, redrawn at most 5 times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

namespace nmtx {

// "42s", "3m07s", "1h05m".
std::string format_duration(double seconds);
// "950", "59.2k".
std::string format_thousands(double x);

// "12/3910", or "12" when the total is not known (0).
std::string of_total(std::int64_t n, std::int64_t total);

// A training session's clock: the training time of every session so far, and the time to
// the last step at this session's pace.
class Pace {
 public:
  void start(double seconds_before, std::int64_t first_step);
  double elapsed() const;  // seconds, every session's
  std::int64_t first_step() const { return first_step_; }
  // "?" before this session's first step, or without a known total (0).
  std::string eta(std::int64_t step, std::int64_t total) const;

 private:
  std::chrono::steady_clock::time_point start_;
  double seconds_before_ = 0.0;
  std::int64_t first_step_ = 0;
};

class RunLog {
 public:
  // An empty path: a muted log (the ranks other than 0 of a data-parallel run).
  explicit RunLog(const std::string& path);
  // A line on standard output and in the log file (the progress line is cleared first).
  void line(const std::string& text);
  // Redraws the progress line (a terminal only; at most every 200 ms).
  void progress(const std::string& text);
  // Whether standard error is a terminal: otherwise there is no progress line to format.
  bool live() const { return live_; }
  void clear_progress();

 private:
  std::ofstream file_;
  bool muted_;
  bool live_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace nmtx
