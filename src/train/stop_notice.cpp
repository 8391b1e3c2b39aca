#include "stop_notice.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace nmtx {

namespace {

// Two buffers: the handler reads the one not being written.
char notices[2][512];
std::atomic<int> current{-1};
int log_fd = -1;

void write_all(int fd, const char* text, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<std::size_t>(w);
  }
}

extern "C" void on_stop_signal(int sig) {
  const int i = current.load();
  if (i >= 0) {
    const std::size_t n = std::strlen(notices[i]);
    write_all(2, notices[i], n);
    if (log_fd >= 0) write_all(log_fd, notices[i], n);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

extern "C" void on_term_elsewhere(int sig) {
  unsigned left = 3;
  while (left > 0) left = ::sleep(left);  // async-signal-safe; interrupted: sleep on
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

void StopNotice::defer_to_rank_zero() { std::signal(SIGTERM, on_term_elsewhere); }

void StopNotice::arm(const std::string& log_path) {
  log_fd = ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
}

void StopNotice::update(std::int64_t step, const std::string& latest_checkpoint) {
  const int next = current.load() == 0 ? 1 : 0;
  std::snprintf(notices[next], sizeof notices[next],
                "\nnmtx train: the job was ended by a signal (mpirun ends every process when one is lost: its report "
                "names it) after step %lld, the last completed step; --resume continues from %s\n",
                static_cast<long long>(step),
                latest_checkpoint.empty() ? "the start (no checkpoint yet)" : latest_checkpoint.c_str());
  current.store(next);
}

}  // namespace nmtx
