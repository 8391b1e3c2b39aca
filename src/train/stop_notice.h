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
  // Rank 0: installs the SIGTERM/SIGINT handler, appending to `log_path`.
  static void arm(const std::string& log_path);
  // Every other rank: leaves SIGTERM to rank 0. mpirun's kill sequence is SIGTERM, a
  // second's wait, SIGKILL, and the wait ends early when a process exits: ranks that died
  // on SIGTERM at once let SIGKILL reach rank 0 before its handler ran when it was off the
  // CPU (4 ranks on 2 cores). They now outlive the sequence (SIGKILL ends them), and a
  // SIGTERM sent to one of them alone still ends it, 3 s later.
  static void defer_to_rank_zero();
  // After each completed step: what the notice will say (async-signal-safe to read).
  static void update(std::int64_t step, const std::string& latest_checkpoint);
};

}  // namespace nmtx
