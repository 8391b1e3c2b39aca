// What rank 0 leaves in train.log and on standard error when the job is ended by a signal:
// mpirun ends every process (SIGTERM, then SIGKILL) when one of them dies, and names the
// lost rank in its own report; this notice adds the last completed step and the
// checkpoint --resume will continue from. Armed only under mpirun (a plain `nmtx train`
// dies as it always did).
#pragma once

#include <cstdint>
#include <string>

namespace nmtx {

class StopNotice {
 public:
  // Installs the SIGTERM/SIGINT handler, appending to `log_path`.
  static void arm(const std::string& log_path);
  // After each completed step: what the notice will say (async-signal-safe to read).
  static void update(std::int64_t step, const std::string& latest_checkpoint);
};

}  // namespace nmtx
