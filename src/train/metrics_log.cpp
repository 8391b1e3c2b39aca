#include "metrics_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nmtx {

MetricsLog::MetricsLog(const std::string& path, std::uint64_t length) : path_(path), bytes_(length) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < length) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    ::close(fd_);
    throw std::runtime_error(path + ": the checkpoint records " + std::to_string(length) + " bytes of metrics.jsonl, "
                             "but the file holds " + std::to_string(size));
  }
  if (::ftruncate(fd_, static_cast<off_t>(length)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("cannot truncate " + path + ": " + why);
  }
}

MetricsLog::~MetricsLog() { ::close(fd_); }

void MetricsLog::write(const nlohmann::json& entry) {
  const std::string line = entry.dump() + "\n";
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
  }
  bytes_ += line.size();
}

std::uint64_t MetricsLog::sync() {
  ::fsync(fd_);
  return bytes_;
}

}  // namespace nmtx
