#include "progress.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nmtx {

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string format_thousands(double x) { return x >= 1e4 ? fmt::format("{:.1f}k", x / 1e3) : fmt::format("{:.0f}", x); }

std::string of_total(std::int64_t n, std::int64_t total) {
  return total > 0 ? fmt::format("{}/{}", n, total) : std::to_string(n);
}

void Pace::start(double seconds_before, std::int64_t first_step) {
  start_ = std::chrono::steady_clock::now();
  seconds_before_ = seconds_before;
  first_step_ = first_step;
}

double Pace::elapsed() const {
  return seconds_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Pace::eta(std::int64_t step, std::int64_t total) const {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::int64_t done = step - first_step_;
  if (total <= 0 || done <= 0) return "?";
  return format_duration(seconds / static_cast<double>(done) * static_cast<double>(std::max<std::int64_t>(0, total - step)));
}

RunLog::RunLog(const std::string& path) : muted_(path.empty()), live_(!muted_ && ::isatty(2) != 0) {
  if (!muted_) file_.open(path, std::ios::app);
}

void RunLog::line(const std::string& text) {
  if (muted_) return;
  clear_progress();
  fmt::print("{}\n", text);
  std::fflush(stdout);
  file_ << text << "\n";
  file_.flush();
}

void RunLog::progress(const std::string& text) {
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  fmt::print(stderr, "\r\033[K{}", text);
  std::fflush(stderr);
  shown_ = true;
}

void RunLog::clear_progress() {
  if (!shown_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace nmtx
