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

// v[rows[0]], v[rows[1]], ...: the per-row bookkeeping of the rows that go on.
template <class T>
std::vector<T> pick(const std::vector<T>& v, const std::vector<int>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (int r : rows) out.push_back(v[static_cast<std::size_t>(r)]);
  return out;
}

// Whether to drop finished sentences' rows before the next decoding step (greedy, and beam
// search's finished sentences): the gather copies the live sentences' encoder memory,
// which costs about as much as a few steps of the rows it drops, so it waits until a
// quarter of the rows are finished. Greedy and beam size 1 drop at the same steps, so
// they compute the same rows together (and give the same bits).
inline bool worth_dropping(std::size_t finished_rows, std::size_t rows) {
  return finished_rows > 0 && 4 * finished_rows >= rows;
}

}  // namespace nmtx::detail
