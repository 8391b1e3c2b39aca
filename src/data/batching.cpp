#include "nmtx/data/batching.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "nmtx/core/rng.h"
#include "nmtx/data/vocab.h"

namespace nmtx {

namespace {

// Fisher–Yates with our own Rng (std::shuffle's algorithm is not specified by the standard).
template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::size_t padded_length(const ParallelCorpus& c, std::uint32_t i) {
  return std::max(c.src.length(i), c.tgt.length(i) + 1);
}

// Cuts `order` into consecutive batches of the requested size.
void cut(const ParallelCorpus& c, const std::vector<std::uint32_t>& order, std::size_t begin, std::size_t end,
         const BatchingOptions& o, std::vector<BatchIndices>& out) {
  BatchIndices batch;
  std::size_t longest = 0;
  for (std::size_t k = begin; k < end; ++k) {
    const std::uint32_t i = order[k];
    if (o.by_tokens) {
      const std::size_t longer = std::max(longest, padded_length(c, i));
      if (!batch.empty() && longer * (batch.size() + 1) > o.batch_size) {
        out.push_back(std::move(batch));
        batch.clear();
        longest = 0;
      }
      longest = std::max(longest, padded_length(c, i));
    } else if (batch.size() == o.batch_size) {
      out.push_back(std::move(batch));
      batch.clear();
    }
    batch.push_back(i);
  }
  if (!batch.empty()) out.push_back(std::move(batch));
}

}  // namespace

std::vector<BatchIndices> epoch_batches(const ParallelCorpus& corpus, const BatchingOptions& o, std::uint64_t seed) {
  if (o.batch_size == 0) throw std::invalid_argument("batch size must be positive");
  std::vector<std::uint32_t> order(corpus.size());
  std::iota(order.begin(), order.end(), 0u);
  Rng rng(seed);
  if (o.shuffle) shuffle(order, rng);
  std::vector<BatchIndices> batches;
  if (!o.bucket) {
    cut(corpus, order, 0, order.size(), o, batches);
    return batches;
  }
  // A pool holds about pool_batches batches: sentences for sentence batches, and for token
  // batches as many sentences as fit at the corpus's mean padded length.
  std::size_t pool = o.pool_batches * o.batch_size;
  if (o.by_tokens) {
    std::size_t total = 0;
    for (std::uint32_t i = 0; i < corpus.size(); ++i) total += padded_length(corpus, i);
    const std::size_t mean = std::max<std::size_t>(1, total / std::max<std::size_t>(1, corpus.size()));
    pool = std::max<std::size_t>(1, o.pool_batches * o.batch_size / mean);
  }
  for (std::size_t begin = 0; begin < order.size(); begin += pool) {
    const std::size_t end = std::min(order.size(), begin + pool);
    std::stable_sort(order.begin() + begin, order.begin() + end, [&](std::uint32_t a, std::uint32_t b) {
      return corpus.src.length(a) != corpus.src.length(b) ? corpus.src.length(a) < corpus.src.length(b)
                                                          : corpus.tgt.length(a) < corpus.tgt.length(b);
    });
    cut(corpus, order, begin, end, o, batches);
  }
  if (o.shuffle) shuffle(batches, rng);
  return batches;
}

std::vector<BatchIndices> evaluation_batches(const ParallelCorpus& corpus, std::size_t sentences_per_batch) {
  std::vector<std::uint32_t> order(corpus.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return corpus.src.length(a) < corpus.src.length(b); });
  std::vector<BatchIndices> batches;
  for (std::size_t k = 0; k < order.size(); k += sentences_per_batch) {
    batches.emplace_back(order.begin() + k, order.begin() + std::min(order.size(), k + sentences_per_batch));
  }
  return batches;
}

Batch make_batch(const ParallelCorpus& corpus, const BatchIndices& indices) {
  std::vector<std::vector<int>> src, tgt;
  src.reserve(indices.size());
  tgt.reserve(indices.size());
  for (std::uint32_t i : indices) {
    src.push_back(corpus.src.sentence(i));
    tgt.push_back(corpus.tgt.sentence(i));
  }
  return make_batch(src, tgt, Vocab::kPad, Vocab::kBos, Vocab::kEos);
}

BatchIndices batch_shard(const BatchIndices& batch, std::size_t shards, std::size_t k) {
  const std::size_t b = batch.size();
  return BatchIndices(batch.begin() + static_cast<std::ptrdiff_t>(k * b / shards),
                      batch.begin() + static_cast<std::ptrdiff_t>((k + 1) * b / shards));
}

std::size_t target_tokens(const ParallelCorpus& corpus, const BatchIndices& indices) {
  std::size_t n = 0;
  for (std::uint32_t i : indices) n += corpus.tgt.length(i) + 1;
  return n;
}

}  // namespace nmtx
