#include "nmtx/decode/corpus.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "nmtx/data/batching.h"

namespace nmtx {

namespace {

// Teacher forcing over the corpus without gradients or dropout: fn(g, batch, indices) for
// each evaluation batch (sentences of similar length; indices: their corpus positions),
// on one graph cleared in between.
template <class Fn>
void for_each_forced_batch(const ParallelCorpus& corpus, std::size_t batch_size, Fn fn) {
  Graph g;
  NoGradScope no_grad(g);
  for (const BatchIndices& indices : evaluation_batches(corpus, batch_size)) {
    const Batch batch = make_batch(corpus, indices);
    g.clear();
    fn(g, batch, indices);
  }
}

}  // namespace

double CorpusLoss::perplexity() const { return std::exp(per_token()); }

CorpusLoss corpus_loss(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size) {
  CorpusLoss out;
  for_each_forced_batch(corpus, batch_size, [&](Graph& g, const Batch& batch, const BatchIndices&) {
    out.total += model.loss(g, batch, nullptr).item();
    out.tokens += batch.target_tokens();
  });
  return out;
}

std::vector<AttentionRecord> forced_attention(const Seq2Seq& model, const ParallelCorpus& corpus, std::size_t batch_size) {
  std::vector<AttentionRecord> records(corpus.size());
  for_each_forced_batch(corpus, batch_size, [&](Graph& g, const Batch& batch, const BatchIndices& indices) {
    const Seq2Seq::Forward f = model.forward(g, batch, nullptr);
    for (std::size_t b = 0; b < batch.size; ++b) {
      AttentionRecord& r = records[indices[b]];
      const std::size_t S = corpus.src.length(indices[b]);
      for (std::size_t t = 0; t < static_cast<std::size_t>(batch.tgt_lengths[b]); ++t) {
        const float* w = f.attention[t].weights.value().data() + b * batch.src_len;
        r.weights.emplace_back(w, w + S);
        if (f.attention[t].position.valid()) r.positions.push_back(f.attention[t].position.value()[b]);
        if (const Expr& heads = f.attention[t].heads; heads.valid()) {  // (B, k, S)
          const std::size_t k = heads.shape()[1];
          r.append_heads(heads.value().data() + b * k * batch.src_len, k, batch.src_len, S);
        }
      }
    }
  });
  return records;
}

std::vector<std::vector<double>> forced_token_log_probs(const Seq2Seq& model, const ParallelCorpus& corpus,
                                                        std::size_t batch_size) {
  std::vector<std::vector<double>> out(corpus.size());
  for_each_forced_batch(corpus, batch_size, [&](Graph& g, const Batch& batch, const BatchIndices& indices) {
    const Expr logits = model.forward(g, batch, nullptr).logits;  // (T·B, V)
    const std::size_t V = logits.shape()[1];
    for (std::size_t b = 0; b < batch.size; ++b) {
      std::vector<double>& tokens = out[indices[b]];
      for (std::size_t t = 0; t < static_cast<std::size_t>(batch.tgt_lengths[b]); ++t) {
        const float* row = logits.value().data() + (t * batch.size + b) * V;
        const float mx = *std::max_element(row, row + V);
        double sum = 0;
        for (std::size_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(row[v] - mx));
        tokens.push_back(static_cast<double>(row[batch.tgt_out[t * batch.size + b]]) - mx - std::log(sum));
      }
    }
  });
  return out;
}

double sequence_log_prob(const std::vector<double>& token_log_probs) {
  return std::accumulate(token_log_probs.begin(), token_log_probs.end(), 0.0);
}

std::string hypothesis_text(const Hypothesis& h, const Vocab& vocab, const Segmenter& segmenter) {
  std::vector<std::string> tokens;
  tokens.reserve(h.tokens.size());
  for (int id : h.tokens) tokens.push_back(vocab.token(id));
  return segmenter.join(tokens);
}

}  // namespace nmtx
