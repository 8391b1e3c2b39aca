// The ranks of a data-parallel run, seen from the trainer: what the log says about them,
// the check that their parameters are still identical, their memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/core/params.h"
#include "nmtx/dist/communicator.h"

namespace nmtx {

// "2 processes on 1 machine (vm: 2), 1 thread each; training.shards 4, 2 per process",
// and a warning when this machine's processes × threads exceed its cores.
std::vector<std::string> describe_job(dist::Communicator& comm, const TrainingConfig& training);

// Throws dist::SameOnEveryRank when some rank's parameters differ from rank 0's (a bug:
// every rank applies the same update to the same numbers). A collective.
void check_replicas(dist::Communicator& comm, const ParameterSet& params, std::int64_t step);

}  // namespace nmtx
