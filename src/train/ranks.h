// The ranks of a data-parallel run, seen from the trainer (docs/distributed.md): every rank
// runs the same loop on the same numbers; rank 0 (the leader) alone prepares the run
// directory, validates, writes and logs, and tells the others what it decided. Here: the
// checks before anything is written, the leader's decisions shared, what the log says about
// the ranks, the check that their parameters are still identical, their memory. With one
// process nothing here sends anything.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/core/params.h"
#include "nmtx/dist/communicator.h"
#include "nmtx/dist/shard_sum.h"
#include "nmtx/run/checkpoint.h"
#include "progress.h"

namespace nmtx {

// Before anything is written, under mpirun: every rank runs the same binary, command and
// recipe, and the process count divides training.shards. Nothing to check for one process.
void check_job(dist::Communicator& comm, const Config& config, const std::string& command);

// Rank 0 does `prepare`; the others wait for its outcome: its error stops them too (it
// reports it), its success lets them `join`.
template <typename Result, typename Prepare, typename Join>
Result on_leader_then_all(dist::Communicator& comm, Prepare prepare, Join join) {
  if (!comm.distributed()) return prepare();
  std::optional<Result> result;
  std::string status = "ok";
  if (comm.rank() == 0) {
    try {
      result.emplace(prepare());
    } catch (const std::exception& e) {
      status = "rank 0 stopped: " + std::string(e.what());
      comm.broadcast(status);
      throw;
    }
  }
  comm.broadcast(status);
  if (status != "ok") throw dist::SameOnEveryRank(status);
  if (comm.rank() != 0) result.emplace(join());
  return std::move(*result);
}

// `signal` (Ctrl-C or SIGTERM received, or 0) as rank 0 has it, on every rank: all stop
// after the same step.
int leader_signal(dist::Communicator& comm, int signal);

// After rank 0's validation: what it decided (the best checkpoint, the counts for patience
// and the plateau, the learning rate, early stopping) copied into every rank's state,
// through the state's own codec (state.json's).
void share_validation(dist::Communicator& comm, TrainingState& state);

// The cost of the shard reduction and every rank's peak memory (`peak_mib`, this rank's),
// for summary.json's "data_parallel"; under mpirun also as lines in `log`. A collective.
nlohmann::json report_ranks(dist::Communicator& comm, const dist::ShardSum::Stats& reduction,
                            const TrainingConfig& training, double peak_mib, RunLog& log);

// "2 processes on 1 machine (vm: 2), 1 thread each; training.shards 4, 2 per process",
// and a warning when this machine's processes × threads exceed its cores.
std::vector<std::string> describe_job(dist::Communicator& comm, const TrainingConfig& training);

// Throws dist::SameOnEveryRank when some rank's parameters differ from rank 0's (a bug:
// every rank applies the same update to the same numbers). A collective.
void check_replicas(dist::Communicator& comm, const ParameterSet& params, std::int64_t step);

// A session's start under mpirun: the job described in `log`, the replicas checked, rank 0's
// stop notice (stop_notice.h) armed to append to RUN/train.log, naming `latest` (the
// checkpoint to resume from, "" for none) at `step`. Nothing for one process.
void start_ranks(dist::Communicator& comm, const TrainingConfig& training, const ParameterSet& params,
                 std::int64_t step, const std::string& dir, const std::string& latest, RunLog& log);

}  // namespace nmtx
