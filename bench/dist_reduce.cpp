// The shard-order reduction (dist/shard_sum.h) alone, against MPI_Allreduce on the same
// buffer, for docs/distributed.md:
//   mpirun -np N build/bench/nmtx_dist_reduce FLOATS SHARDS [REPEATS]
// prints, from rank 0, the median time per call of each and the bytes rank 0 sent and
// received per call. Every rank starts each call after a barrier, so waiting for a slower
// rank (which the times in train.log include) is not counted.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "nmtx/dist/communicator.h"
#include "nmtx/dist/shard_sum.h"

namespace {

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mpirun -np N %s FLOATS SHARDS [REPEATS]\n", argv[0]);
    return 2;
  }
  const nmtx::dist::Session session(argc, argv);
  nmtx::dist::Communicator& comm = nmtx::dist::Communicator::world();
  const auto n = static_cast<std::size_t>(std::atoll(argv[1]));
  const auto shards = static_cast<std::size_t>(std::atoll(argv[2]));
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 20;
  nmtx::dist::ShardSum sum(comm, shards, n);
  for (std::size_t l = 0; l < sum.local_shards(); ++l) std::fill_n(sum.shard(l), n, 1e-3f * static_cast<float>(l + 1));
  std::vector<float> out(n), in(n, 1e-3f);
  std::vector<double> ours, allreduce;
  using Clock = std::chrono::steady_clock;
  for (int r = 0; r < repeats + 2; ++r) {  // the first two warm the buffers up
    comm.barrier();
    auto t0 = Clock::now();
    sum.sum(out.data());
    const double a = std::chrono::duration<double>(Clock::now() - t0).count();
    comm.barrier();
    t0 = Clock::now();
    if (comm.distributed()) MPI_Allreduce(in.data(), out.data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    const double b = std::chrono::duration<double>(Clock::now() - t0).count();
    if (r >= 2) {
      ours.push_back(a);
      allreduce.push_back(b);
    }
  }
  if (comm.rank() == 0) {
    const auto& s = sum.stats();
    std::printf("processes %d  floats %zu (%.1f MB)  shards %zu  shard-order sum %.2f ms (sent %.1f MB, received %.1f MB)"
                "  MPI_Allreduce %.2f ms\n",
                comm.size(), n, 4e-6 * static_cast<double>(n), shards, 1e3 * median(ours),
                1e-6 * static_cast<double>(s.bytes_sent) / static_cast<double>(s.steps),
                1e-6 * static_cast<double>(s.bytes_received) / static_cast<double>(s.steps), 1e3 * median(allreduce));
  }
  return 0;
}
