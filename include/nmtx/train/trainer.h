// `nmtx train`: a configuration becomes a trained model in a run directory
//   RUN/config.yaml           the resolved recipe (every key)
//   RUN/src.vocab, tgt.vocab  vocabularies (and src/tgt.spm.model with SentencePiece)
//   RUN/data/                 a toy task's generated sets with gold alignments
//   RUN/checkpoints/          step-N directories, `latest` and `best` pointers (run/checkpoint.h)
//   RUN/metrics.jsonl         one JSON object per log interval and per validation
//   RUN/validations/          the dev translations of every validation
//   RUN/snapshots/            attention over training: a few dev sentences at every validation
//   RUN/train.log             the log lines, with speed and time
//   RUN/summary.json          the results, when training ends
// metrics.jsonl holds only what the same recipe and seed reproduce bit for bit (losses,
// learning rates, BLEU); wall-clock figures go to train.log and summary.json.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/dist/communicator.h"

namespace nmtx {

// Testing hooks of `nmtx train` (--debug-...): failures at chosen moments.
struct TrainHooks {
  std::int64_t nan_at_step = 0;             // a NaN gradient at this step
  // SIGKILL itself while writing the checkpoint of this step, at a stage of
  // save_checkpoint ("written" or "renamed").
  std::int64_t kill_in_checkpoint_at = 0;
  std::string kill_stage = "written";
  // Data-parallel runs: rank kill_rank SIGKILLs itself once step kill_at_step is done.
  int kill_rank = -1;
  std::int64_t kill_at_step = 0;
  // Rank 0 sends SIGINT to itself once this step is done (0: before the first step; -1:
  // never), as a user's Ctrl-C at a chosen moment.
  std::int64_t signal_at_step = -1;
};

// Training stopped by Ctrl-C or SIGTERM (StopRequest): the step in progress finished, its
// checkpoint written; `nmtx train --resume` continues exactly. Every rank stops at the
// same step (rank 0 decides).
class TrainingStopped : public dist::SameOnEveryRank {
 public:
  TrainingStopped(const std::string& what, int signal) : dist::SameOnEveryRank(what), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

// A NaN or infinite loss or gradient: training stopped, the last good checkpoint kept.
// Every rank of a data-parallel run meets it at the same step.
class TrainingDiverged : public dist::SameOnEveryRank {
 public:
  using dist::SameOnEveryRank::SameOnEveryRank;
};

// Under mpirun (dist::Session open) both train data-parallel (docs/distributed.md): every
// rank checks that the others run the same binary and recipe, rank 0 prepares and writes the
// run directory, the others read it (it must be on a file system every machine sees).
//
// Trains a new run of `config` in its run directory (config.run.dir, or runs/NAME for
// recipe NAME.yaml) to its end; returns the directory. An existing non-empty directory is
// refused unless `overwrite`. Everything a run starts with (config.yaml, data,
// vocabularies) is prepared under a temporary name and renamed into place, so bad input
// leaves no half-made run directory.
std::string train_new_run(Config config, bool overwrite, const TrainHooks& hooks = {});

// Continues the run in `dir` from its latest checkpoint with its own config.yaml, exactly
// as if it had not stopped; returns the directory. `overrides` ("KEY=VALUE") may change
// the keys that only extend or stop a run (resume_keys(): more steps or epochs, patience,
// validation, checkpoint and log frequency), and a finished run whose limits they raise
// trains on. A finished run with its summary.json and nothing raised is left as it is
// (a note says so).
std::string resume_run(const std::string& dir, const TrainHooks& hooks = {}, const std::vector<std::string>& overrides = {});

}  // namespace nmtx
