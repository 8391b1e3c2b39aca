#include "nmtx/train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nmtx/data/batching.h"

namespace nmtx {

double CorpusLoss::perplexity() const { return std::exp(per_token()); }

CorpusLoss corpus_loss(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size) {
  CorpusLoss out;
  Graph g;
  NoGradScope no_grad(g);
  for (const BatchIndices& indices : evaluation_batches(corpus, batch_size)) {
    const Batch batch = make_batch(corpus, indices);
    g.clear();
    out.total += model.loss(g, batch, nullptr).item();
    out.tokens += batch.target_tokens();
  }
  return out;
}

std::vector<Hypothesis> translate_corpus(const Seq2Seq& model, const TokenSequences& sources, std::size_t batch_size,
                                         const DecodeOptions& options) {
  std::vector<std::uint32_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return sources.length(a) < sources.length(b); });
  std::vector<Hypothesis> out(sources.size());
  const std::size_t chunk = batch_size * std::max<std::size_t>(1, options.threads);
  for (std::size_t k = 0; k < order.size(); k += chunk) {
    const std::size_t end = std::min(order.size(), k + chunk);
    std::vector<std::vector<int>> batch;
    for (std::size_t i = k; i < end; ++i) batch.push_back(sources.sentence(order[i]));
    std::vector<Hypothesis> hyps = greedy_decode(model, batch, options);
    for (std::size_t i = k; i < end; ++i) out[order[i]] = std::move(hyps[i - k]);
  }
  return out;
}

std::string hypothesis_text(const Hypothesis& h, const Vocab& vocab, const Segmenter& segmenter) {
  std::vector<std::string> tokens;
  tokens.reserve(h.tokens.size());
  for (int id : h.tokens) tokens.push_back(vocab.token(id));
  return segmenter.join(tokens);
}

}  // namespace nmtx
