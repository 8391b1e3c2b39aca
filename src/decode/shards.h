// What greedy and beam search share: decoding in parallel shards.
//
// Decoding in parallel: the sentences are cut into contiguous shards, one per thread,
// each decoded with its own graph while BLAS runs single-threaded (so the threads do not
// oversubscribe the cores). Every sentence's result is independent of its shard up to
// float rounding, so the output does not depend on the order the threads finish in.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iterator>
#include <numeric>
#include <vector>

#include "nmtx/core/packed_weights.h"
#include "nmtx/core/threads.h"
#include "nmtx/decode/greedy.h"
#include "nmtx/decode/hypothesis.h"

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

// Many sentences in batches: sentence i has lengths[i] source tokens. They are sorted by
// length (stably), so that a batch pads little and its sentences end at about the same
// step, and cut into batches of `batch`, which options.threads threads take from a queue,
// the longest first, each batch decoded whole by one thread with single-threaded BLAS and
// each weight packed once per thread. Unlike cutting each run of batch × threads sentences
// into shards, no thread waits for the other's longer sentences after every run. A
// batch's sentences are the same whatever the number of threads, so the output is too.
// decode(sentences, one_thread) → one Result per index in `sentences` (one batch), in
// order, decoded with `one_thread` (options with threads 1). Results in the caller's order.
template <class Result, class Decode>
std::vector<Result> decode_in_batches(const std::vector<std::size_t>& lengths, std::size_t batch,
                                      const DecodeOptions& options, const Decode& decode) {
  std::vector<std::size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  DecodeOptions one_thread = options;
  one_thread.threads = 1;
  batch = std::max<std::size_t>(batch, 1);
  const std::size_t count = order.size(), batches = (count + batch - 1) / batch;
  std::vector<Result> out(count);
  auto run_batch = [&](std::size_t k) {
    const std::vector<std::size_t> sentences(order.begin() + static_cast<std::ptrdiff_t>(k * batch),
                                             order.begin() + static_cast<std::ptrdiff_t>(std::min(count, (k + 1) * batch)));
    std::vector<Result> results = decode(sentences, one_thread);
    for (std::size_t j = 0; j < sentences.size(); ++j) out[sentences[j]] = std::move(results[j]);
  };
  const std::size_t workers = std::min(std::max<std::size_t>(options.threads, 1), batches);
  if (workers <= 1) {
    const PackedWeightsScope packed;
    for (std::size_t k = 0; k < batches; ++k) run_batch(k);
  } else {
    std::atomic<std::size_t> taken{0};
    run_on_threads(workers, [&](std::size_t) {
      const PackedWeightsScope packed;  // each weight packed once per thread, not per batch
      for (std::size_t i = taken.fetch_add(1); i < batches; i = taken.fetch_add(1)) run_batch(batches - 1 - i);
    });
  }
  return out;
}

// search(part, part_trees) → the n-best lists of a part's sentences, and into part_trees
// (null when no trees are asked for) their search trees; over decode_in_shards, with every
// sentence's tree moved into `trees` in order when it is given.
template <class Search>
std::vector<std::vector<Hypothesis>> search_in_shards(const std::vector<std::vector<int>>& sources, std::size_t threads,
                                                      std::vector<BeamTree>* trees, const Search& search) {
  struct Searched {
    std::vector<Hypothesis> n_best;
    BeamTree tree;
  };
  std::vector<Searched> searched =
      decode_in_shards<Searched>(sources, threads, [&](const std::vector<std::vector<int>>& part) {
        std::vector<BeamTree> part_trees;
        std::vector<std::vector<Hypothesis>> hyps = search(part, trees != nullptr ? &part_trees : nullptr);
        std::vector<Searched> out(hyps.size());
        for (std::size_t i = 0; i < hyps.size(); ++i) {
          out[i].n_best = std::move(hyps[i]);
          if (trees != nullptr) out[i].tree = std::move(part_trees[i]);
        }
        return out;
      });
  std::vector<std::vector<Hypothesis>> out;
  out.reserve(searched.size());
  if (trees != nullptr) trees->clear();
  for (Searched& s : searched) {
    out.push_back(std::move(s.n_best));
    if (trees != nullptr) trees->push_back(std::move(s.tree));
  }
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
