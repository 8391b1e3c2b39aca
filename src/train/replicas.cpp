#include "replicas.h"

#include <fmt/core.h>

#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "nmtx/core/digest.h"

namespace nmtx {

std::vector<std::string> describe_job(dist::Communicator& comm, const TrainingConfig& training) {
  const std::vector<std::string> hosts = comm.all_gather(comm.host());
  std::map<std::string, int> per_host;
  for (const std::string& h : hosts) ++per_host[h];
  std::string machines;
  for (const auto& [h, n] : per_host) machines += (machines.empty() ? "" : ", ") + fmt::format("{}: {}", h, n);
  const auto shards = static_cast<std::size_t>(training.shard_count());
  std::vector<std::string> lines{fmt::format(
      "data-parallel: {} processes on {} machine{} ({}), {} thread{} each; training.shards {}, {} per process; "
      "validation on rank 0",
      comm.size(), per_host.size(), per_host.size() == 1 ? "" : "s", machines, training.threads,
      training.threads == 1 ? "" : "s", shards, shards / static_cast<std::size_t>(comm.size()))};
  const unsigned cores = std::thread::hardware_concurrency();
  const auto wanted = static_cast<std::int64_t>(comm.local_size()) * training.threads;
  if (cores > 0 && wanted > static_cast<std::int64_t>(cores)) {
    lines.push_back(fmt::format("warning: {} processes × {} threads on {}'s {} cores: oversubscribed, each step waits "
                                "for the slowest (lower training.threads or the process count)",
                                comm.local_size(), training.threads, comm.host(), cores));
  }
  return lines;
}

void check_replicas(dist::Communicator& comm, const ParameterSet& params, std::int64_t step) {
  if (!comm.distributed()) return;
  Fnv1a digest;
  digest.add(params.values(), params.numel() * sizeof(float));
  const std::vector<std::string> all = comm.all_gather(digest.hex());
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] != all[0]) {
      throw dist::SameOnEveryRank(fmt::format(
          "after step {} rank {}'s parameters differ from rank 0's (digest {} against {}): the ranks have drifted "
          "apart, which is a bug in nmtx; please report it with the recipe",
          step, r, all[r], all[0]));
    }
  }
}

}  // namespace nmtx
