// Cutting a corpus into batches for one epoch: seeded shuffling, bucketing by length
// (sentences of similar length share a batch, so little padding is computed), and batch
// sizes counted in sentences or in tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "nmtx/data/batch.h"
#include "nmtx/data/corpus.h"

namespace nmtx {

struct BatchingOptions {
  std::size_t batch_size = 64;  // sentences, or tokens when by_tokens
  // Tokens of a batch = its sentences × the longest side (source, or target + 1): the
  // padded size the model computes over (Joey NMT's token batches count the same way).
  bool by_tokens = false;
  bool shuffle = true;          // a new seeded order every epoch
  // Sort pools of pool_batches × batch_size sentences by length before cutting them
  // (torchtext's BucketIterator); the batches are shuffled again afterwards.
  bool bucket = true;
  std::size_t pool_batches = 100;
};

using BatchIndices = std::vector<std::uint32_t>;  // sentence indices of one batch

// The batches of one epoch. The same (corpus, options, seed) give the same batches.
std::vector<BatchIndices> epoch_batches(const ParallelCorpus& corpus, const BatchingOptions& options,
                                        std::uint64_t seed);

// Batches in corpus order, each sorted by source length inside (evaluation: the caller
// restores the order from the indices).
std::vector<BatchIndices> evaluation_batches(const ParallelCorpus& corpus, std::size_t sentences_per_batch);

// The model's input for the given sentences.
Batch make_batch(const ParallelCorpus& corpus, const BatchIndices& indices);

// Shard k of `shards` of a batch (data-parallel training, docs/distributed.md): its
// sentences ⌊k·B/S⌋ … ⌊(k+1)·B/S⌋ − 1 in the batch's order; empty when B < S leaves it none.
BatchIndices batch_shard(const BatchIndices& batch, std::size_t shards, std::size_t k);

// The target tokens the loss counts over these sentences (each target + </s>), what
// make_batch(...).target_tokens() would say, without making the batch.
std::size_t target_tokens(const ParallelCorpus& corpus, const BatchIndices& indices);

}  // namespace nmtx
