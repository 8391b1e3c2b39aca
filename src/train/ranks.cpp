#include "ranks.h"

#include <fmt/core.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "nmtx/core/digest.h"
#include "nmtx/dist/same_job.h"
#include "stop_notice.h"

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

void check_job(dist::Communicator& comm, const Config& config, const std::string& command) {
  if (!comm.distributed()) return;  // (hashing the executable takes a while: only where it matters)
  dist::check_same_on_every_rank(comm, {{"command", command},
                                        {"binary (nmtx executable)", dist::executable_digest()},
                                        {"recipe (resolved)", config_yaml(config)}});
  dist::check_shards(comm, static_cast<std::size_t>(config.training.shard_count()));
}

int leader_signal(dist::Communicator& comm, int signal) {
  if (!comm.distributed()) return signal;
  std::string text = comm.rank() == 0 ? std::to_string(signal) : std::string();
  comm.broadcast(text);
  return std::stoi(text);
}

void share_validation(dist::Communicator& comm, TrainingState& state) {
  if (!comm.distributed()) return;
  std::string text = comm.rank() == 0 ? training_state_text(state, 0) : std::string();
  comm.broadcast(text);
  if (comm.rank() == 0) return;
  const TrainingState decided = parse_training_state(text, "rank 0's validation", nullptr);
  state.best_metric = decided.best_metric;
  state.best_step = decided.best_step;
  state.best_checkpoint = decided.best_checkpoint;
  state.validations_without_improvement = decided.validations_without_improvement;
  state.plateau_count = decided.plateau_count;
  state.last_validation_step = decided.last_validation_step;
  state.learning_rate = decided.learning_rate;
  state.stop_reason = decided.stop_reason;
}

nlohmann::json report_ranks(dist::Communicator& comm, const dist::ShardSum::Stats& r, const TrainingConfig& training,
                            double peak_mib, RunLog& log) {
  const std::vector<double> memory = comm.all_gather(std::vector<double>{peak_mib});  // every rank's, this session
  const double steps = std::max<double>(1.0, static_cast<double>(r.steps));
  nlohmann::json report{{"processes", comm.size()},
                        {"shards", training.shard_count()},
                        {"threads_per_process", training.threads},
                        {"reduction_bytes_sent_per_step", static_cast<double>(r.bytes_sent) / steps},
                        {"reduction_bytes_received_per_step", static_cast<double>(r.bytes_received) / steps},
                        {"reduction_ms_per_step", 1e3 * r.seconds / steps},
                        {"reduction_steps", r.steps},
                        {"peak_rss_mib", memory}};
  if (!comm.distributed()) return report;  // one process: no ranks, nothing sent (summary.json keeps the record)
  log.line(fmt::format("shard reduction (rank 0, this session): {:.2f} MB sent, {:.2f} MB received, {:.2f} ms per step "
                       "over {} steps",
                       static_cast<double>(r.bytes_sent) / steps / 1e6, static_cast<double>(r.bytes_received) / steps / 1e6,
                       1e3 * r.seconds / steps, r.steps));
  std::string by_rank;
  for (std::size_t i = 0; i < memory.size(); ++i) by_rank += fmt::format("{}rank {}: {:.0f} MiB", i ? ", " : "", i, memory[i]);
  log.line("peak memory: " + by_rank);
  return report;
}

void start_ranks(dist::Communicator& comm, const TrainingConfig& training, const ParameterSet& params,
                 std::int64_t step, const std::string& dir, const std::string& latest, RunLog& log) {
  if (!comm.distributed()) return;
  for (const std::string& line : describe_job(comm, training)) log.line(line);
  check_replicas(comm, params, step);
  if (comm.rank() == 0) {
    StopNotice::arm((std::filesystem::path(dir) / "train.log").string());
  } else {
    StopNotice::defer_to_rank_zero();
  }
  StopNotice::update(step, latest);
}

}  // namespace nmtx
