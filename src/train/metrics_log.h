// RUN/metrics.jsonl: one JSON object per line (a log interval's training figures, a
// validation's dev figures), only numbers that the same recipe and seed reproduce bit for
// bit. Opened at the length the checkpoint being resumed recorded: whatever a killed run
// wrote after its last checkpoint is cut off, so the log matches an uninterrupted run's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace nmtx {

class MetricsLog {
 public:
  // Opens (or creates) `path` cut to `length` bytes; throws when the file is shorter
  // (it is cut back, never extended) or cannot be written.
  MetricsLog(const std::string& path, std::uint64_t length);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  void write(const nlohmann::json& entry);
  // fsyncs and returns the length: what a checkpoint records.
  std::uint64_t sync();

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t bytes_;
};

}  // namespace nmtx
