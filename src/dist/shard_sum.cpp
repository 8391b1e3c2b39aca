#include "nmtx/dist/shard_sum.h"

#include <algorithm>
#include <chrono>

#include "nmtx/dist/same_job.h"

namespace nmtx::dist {

namespace {

using Clock = std::chrono::steady_clock;

// acc += x, element by element: the one addition of the fold, for one process and many.
void add_into(float* acc, const float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) acc[i] += x[i];
}

}  // namespace

ShardSum::ShardSum(Communicator& comm, std::size_t shards, std::size_t n, float* first)
    : comm_(comm), shards_(shards), n_(n), first_buffer_(first) {
  check_shards(comm, shards);
  const auto N = static_cast<std::size_t>(comm.size());
  local_ = shards / N;
  first_ = static_cast<std::size_t>(comm.rank()) * local_;
  buffers_.resize(local_);
  for (std::size_t l = first != nullptr ? 1 : 0; l < local_; ++l) buffers_[l].assign(n, 0.0f);
  for (std::size_t j = 0; j < N; ++j) chunk_.push_back(static_cast<int>((j + 1) * n / N - j * n / N));
  if (N > 1) {
    const auto mine = static_cast<std::size_t>(chunk_[static_cast<std::size_t>(comm.rank())]);
    send_.resize(local_ * n);
    receive_.resize(shards * mine);
    folded_.resize(mine);
  }
}

void ShardSum::sum(float* out) {
  const auto start = Clock::now();
  const auto N = static_cast<std::size_t>(comm_.size());
  if (N == 1) {
    if (shard(0) != out) std::copy_n(shard(0), n_, out);
    for (std::size_t k = 1; k < shards_; ++k) add_into(out, shard(k), n_);
  } else {
    // Chunk j of every local shard, by destination j then shard.
    std::vector<int> send_counts(N), receive_counts(N);
    float* p = send_.data();
    std::size_t offset = 0;
    const auto me = static_cast<std::size_t>(comm_.rank());
    const auto mine = static_cast<std::size_t>(chunk_[me]);
    for (std::size_t j = 0; j < N; ++j) {
      const auto len = static_cast<std::size_t>(chunk_[j]);
      for (std::size_t l = 0; l < local_; ++l) p = std::copy_n(shard(l) + offset, len, p);
      send_counts[j] = static_cast<int>(len * local_);
      receive_counts[j] = static_cast<int>(mine * local_);
      offset += len;
    }
    comm_.all_to_all(send_.data(), send_counts, receive_.data(), receive_counts);
    // Received by source rank, then its shards: that is shard order.
    std::copy_n(receive_.data(), mine, folded_.data());
    for (std::size_t k = 1; k < shards_; ++k) add_into(folded_.data(), receive_.data() + k * mine, mine);
    comm_.all_gather(folded_.data(), out, chunk_);
    const std::uint64_t f = sizeof(float);
    stats_.bytes_sent += f * (local_ * (n_ - mine) + mine * (N - 1));
    stats_.bytes_received += f * ((shards_ - local_) * mine + (n_ - mine));
  }
  ++stats_.steps;
  stats_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
}

double ShardSum::sum_losses(const std::vector<double>& local_losses) {
  const auto start = Clock::now();
  const std::vector<double> all = comm_.all_gather(local_losses);  // by rank, then shard: shard order
  double total = all[0];
  for (std::size_t k = 1; k < all.size(); ++k) total += all[k];
  stats_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

}  // namespace nmtx::dist
