#include "nmtx/dist/same_job.h"

#include <fmt/core.h>

#include <sstream>

#include "nmtx/core/digest.h"

namespace nmtx::dist {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Where two texts first differ: "line 23 (in training:): `  seed: 2` against `  seed: 1`".
std::string first_difference(const std::string& theirs, const std::string& ours) {
  const std::vector<std::string> a = split_lines(theirs), b = split_lines(ours);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::string section;
  for (std::size_t j = i; j-- > 0;) {
    if (!a[j].empty() && a[j][0] != ' ' && a[j][0] != '#') {
      section = " (in " + a[j] + ")";
      break;
    }
  }
  auto at = [](const std::vector<std::string>& x, std::size_t k) {
    return k < x.size() ? "`" + x[k] + "`" : std::string("the end");
  };
  return fmt::format("line {}{}: {} against {}", i + 1, section, at(a, i), at(b, i));
}

}  // namespace

std::string executable_digest() { return file_digest("/proc/self/exe"); }

void check_same_on_every_rank(Communicator& comm, const std::vector<std::pair<std::string, std::string>>& texts) {
  if (!comm.distributed()) return;
  for (const auto& [what, text] : texts) {
    const std::vector<std::string> all = comm.all_gather(text);
    for (std::size_t r = 1; r < all.size(); ++r) {
      if (all[r] == all[0]) continue;
      const bool multi_line = all[0].find('\n') != std::string::npos;
      throw SameOnEveryRank(fmt::format(
          "rank {}'s {} differs from rank 0's{}: every process of a job must run the same binary on the same "
          "recipe",
          r, what, multi_line ? ", " + first_difference(all[r], all[0]) + " (rank " + std::to_string(r) + " against rank 0)"
                              : fmt::format(" ({} against {})", all[r], all[0])));
    }
  }
}

void check_shards(const Communicator& comm, std::size_t shards) {
  const auto n = static_cast<std::size_t>(comm.size());
  if (shards > 0 && shards % n == 0) return;
  std::string counts;
  for (std::size_t d = 1; d <= shards; ++d) {
    if (shards % d == 0) counts += (counts.empty() ? "" : ", ") + std::to_string(d);
  }
  throw SameOnEveryRank(fmt::format(
      "training.shards is {} but {} processes were started: the process count must divide training.shards (here: {}); "
      "with mpirun -np {} set --set training.shards={} (or a multiple of it)",
      shards, n, counts, n, n));
}

}  // namespace nmtx::dist
