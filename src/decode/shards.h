// What greedy and beam search share: decoding in parallel shards.
//
// Decoding in parallel: the sentences are cut into contiguous shards, one per thread,
// each decoded with its own graph while BLAS runs single-threaded (so the threads do not
// oversubscribe the cores). Every sentence's result is independent of its shard up to
// float rounding, so the output does not depend on the order the threads finish in.
#pragma once

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "nmtx/core/threads.h"

namespace nmtx::detail {

// decode(part) → one Result per sentence of the part, in order.
template <class Result, class Decode>
std::vector<Result> decode_in_shards(const std::vector<std::vector<int>>& sources, std::size_t threads,
                                     const Decode& decode) {
  const std::size_t shards = std::min(std::max<std::size_t>(threads, 1), sources.size());
  if (shards <= 1) return decode(sources);
  std::vector<std::vector<std::vector<int>>> parts(shards);
  for (std::size_t i = 0; i < sources.size(); ++i) parts[i * shards / sources.size()].push_back(sources[i]);
  std::vector<std::vector<Result>> results(shards);
  run_on_threads(shards, [&](std::size_t k) { results[k] = decode(parts[k]); });
  std::vector<Result> out;
  for (auto& r : results) std::move(r.begin(), r.end(), std::back_inserter(out));
  return out;
}

}  // namespace nmtx::detail
