// Ctrl-C (SIGINT) or SIGTERM during `nmtx train`, as Marian's save-and-exit: the first
// signal asks the training loop to stop after the step in progress (it writes a checkpoint
// and exits non-zero, and `--resume` continues exactly); a second one ends the process at
// once, as the signal would have without this handler (the previous checkpoint, written
// atomically, stays valid). Armed only while steps are taken: during preparation and the
// final evaluation a signal ends the process as it always did.
//
// Under mpirun rank 0 decides (the trainer broadcasts its answer before every step), and
// only SIGINT is taken: mpirun ends its processes with SIGTERM (then SIGKILL a second
// later) when one is lost or mpirun itself is interrupted, and those must still end
// (StopNotice says where --resume continues).
#pragma once

namespace nmtx {

class StopRequest {
 public:
  // Installs the handlers (SIGINT, and SIGTERM unless `sigint_only`).
  static void arm(bool sigint_only);
  // Puts back the handlers that were there before arm().
  static void disarm();
  // The first signal received since arm(), 0 if none.
  static int signal();

  // Armed for its lifetime (and put back however the scope ends).
  struct Armed {
    explicit Armed(bool sigint_only) { arm(sigint_only); }
    ~Armed() { disarm(); }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;
  };
};

}  // namespace nmtx
