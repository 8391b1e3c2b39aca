// The gradient of a step whose global batch is cut into S shards, summed in shard order
//   g = (((g_0 + g_1) + g_2) + … ) + g_{S−1}        (float additions, element by element)
// on every rank, the same bits whatever the number of processes N (N divides S; rank r
// computes the S/N consecutive shards r·S/N … (r+1)·S/N − 1). MPI_Allreduce cannot promise
// that: its algorithm, and so the order of the additions, changes with N and message size.
//
// How (a reduce-scatter and an allgather, like a ring allreduce, but in shard order): the
// n floats are cut into N chunks; every rank sends chunk j of each of its shards to rank j
// (MPI_Alltoallv), rank j folds its chunk over all S shards in shard order, and the folded
// chunks are gathered on every rank (MPI_Allgatherv). Each rank sends (S/N)·n·(N−1)/N +
// n·(N−1)/N floats per step: a ring allreduce's 2·n·(N−1)/N when S = N. One process folds
// its S buffers in the same order, with the same additions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nmtx/dist/communicator.h"

namespace nmtx::dist {

class ShardSum {
 public:
  // Throws SameOnEveryRank when N does not divide `shards` (check_shards). `first`, if
  // given, is local shard 0's buffer (n floats, the caller's): the parameters' gradient
  // block, so that one buffer fewer is allocated and, in one process, the sum lands where
  // shard 0 already is.
  ShardSum(Communicator& comm, std::size_t shards, std::size_t n, float* first = nullptr);

  std::size_t shards() const { return shards_; }
  std::size_t local_shards() const { return local_; }
  std::size_t first_shard() const { return first_; }  // this rank's first shard
  // Local shard l's buffer (n floats), for its gradient.
  float* shard(std::size_t l) { return l == 0 && first_buffer_ != nullptr ? first_buffer_ : buffers_[l].data(); }

  // The sum of all shards' buffers, in shard order, into `out` (n floats; every rank).
  void sum(float* out);
  // The S shards' losses from each rank's local ones, summed in shard order (double).
  double sum_losses(const std::vector<double>& local_losses);

  struct Stats {
    std::int64_t steps = 0;
    double seconds = 0.0;             // in sum() and sum_losses()
    std::uint64_t bytes_sent = 0, bytes_received = 0;  // by this rank
  };
  const Stats& stats() const { return stats_; }

 private:
  Communicator& comm_;
  std::size_t shards_, n_, local_, first_;
  float* first_buffer_;
  std::vector<std::vector<float>> buffers_;  // [0] empty when first_buffer_ is given
  std::vector<float> send_, receive_, folded_;
  std::vector<int> chunk_;  // floats of chunk j (rank j folds it)
  Stats stats_;
};

}  // namespace nmtx::dist
