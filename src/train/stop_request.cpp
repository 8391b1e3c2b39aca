#include "stop_request.h"

#include <unistd.h>

#include <csignal>

namespace nmtx {

namespace {

volatile std::sig_atomic_t first_signal = 0;
struct sigaction previous_int, previous_term;
bool armed = false, term_armed = false;

extern "C" void on_stop_request(int sig) {
  if (first_signal == 0) {
    first_signal = sig;
    static const char note[] =
        "\nnmtx train: stopping after the step in progress and writing a checkpoint; "
        "press Ctrl-C again to stop at once (the previous checkpoint stays valid)\n";
    [[maybe_unused]] const auto n = ::write(2, note, sizeof note - 1);
    return;
  }
  // The second: whatever the signal did before (the default, or StopNotice's handler).
  sigaction(sig, sig == SIGINT ? &previous_int : &previous_term, nullptr);
  std::raise(sig);
}

}  // namespace

void StopRequest::arm(bool sigint_only) {
  first_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_request;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int);
  term_armed = !sigint_only;
  if (term_armed) sigaction(SIGTERM, &action, &previous_term);
  armed = true;
}

void StopRequest::disarm() {
  if (!armed) return;
  sigaction(SIGINT, &previous_int, nullptr);
  if (term_armed) sigaction(SIGTERM, &previous_term, nullptr);
  armed = term_armed = false;
}

int StopRequest::signal() { return first_signal; }

}  // namespace nmtx
