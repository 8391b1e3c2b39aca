#include "nmtx/train/train_step.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "nmtx/core/ops.h"
#include "nmtx/core/threads.h"

namespace nmtx {

StepOptions step_options(const TrainingConfig& training, Rng* dropout) {
  StepOptions o;
  o.clip_norm = static_cast<float>(training.clip_norm);
  o.label_smoothing = static_cast<float>(training.label_smoothing);
  o.dropout = dropout;
  return o;
}

namespace {

// The token-normalised loss's backward: 1/tokens in double, then float (the scale every
// run since the first recipes used).
void backward_normalised(Graph& g, const Expr& loss, std::size_t tokens) {
  g.backward(scale(loss, static_cast<float>(1.0 / static_cast<double>(tokens))));
}

// Steps 3 and 4, once the gradient of the whole batch is in `params`.
void clip_and_update(ParameterSet& params, Optimizer& optimizer, const StepOptions& options, StepResult& r) {
  if (options.after_backward) options.after_backward(params);
  r.grad_norm = options.clip_norm > 0.0f ? clip_grad_norm(params, options.clip_norm) : grad_norm(params);
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return;
  optimizer.step(params);
  r.applied = true;
}

}  // namespace

StepResult train_step(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g, const Batch& batch,
                      const StepOptions& options) {
  StepResult r;
  g.clear();
  params.zero_grad();
  r.tokens = batch.target_tokens();
  const Expr loss = model.loss(g, batch, options.dropout, options.label_smoothing);
  backward_normalised(g, loss, r.tokens);
  r.loss = loss.item();
  clip_and_update(params, optimizer, options, r);
  return r;
}

ShardedStep::ShardedStep(dist::Communicator& comm, ParameterSet& params, std::size_t shards, std::uint64_t seed,
                         std::size_t threads)
    : sum_(comm, shards, params.numel(), params.grads()), seed_(seed), threads_(std::max<std::size_t>(1, std::min(threads, sum_.local_shards()))) {
  for (std::size_t w = 1; w < threads_; ++w) graphs_.push_back(std::make_unique<Graph>());
}

StepResult ShardedStep::operator()(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g,
                                   const ParallelCorpus& corpus, const BatchIndices& batch, std::int64_t step,
                                   const StepOptions& options) {
  StepResult r;
  r.tokens = target_tokens(corpus, batch);
  std::vector<double> losses(sum_.local_shards(), 0.0);
  // Local shard l's gradient of L_k / T, straight into its buffer of the shard sum.
  auto shard_gradient = [&](std::size_t l, Graph& graph) {
    const std::size_t k = sum_.first_shard() + l;
    float* grads = sum_.shard(l);
    std::fill_n(grads, params.numel(), 0.0f);
    graph.clear();
    graph.redirect_gradients(params, grads);
    const BatchIndices shard = batch_shard(batch, sum_.shards(), k);
    if (!shard.empty()) {  // an empty shard contributes zeros
      Rng dropout(derive_seed(seed_, fmt::format("dropout step {} shard {}", step, k)));
      const Expr loss = model.loss(graph, make_batch(corpus, shard), options.dropout ? &dropout : nullptr,
                                   options.label_smoothing);
      backward_normalised(graph, loss, r.tokens);
      losses[l] = loss.item();
    }
    graph.redirect_gradients(params, nullptr);
  };
  if (threads_ == 1) {
    for (std::size_t l = 0; l < sum_.local_shards(); ++l) shard_gradient(l, g);
  } else {
    // Thread w computes shards w, w + threads, ...: each shard's numbers are those of the
    // loop above (its own graph, dropout stream and buffer; single-threaded BLAS), and the
    // sum below is in shard order, so the threads change the time, not the bits.
    run_on_threads(threads_, [&](std::size_t w) {
      for (std::size_t l = w; l < sum_.local_shards(); l += threads_) shard_gradient(l, w == 0 ? g : *graphs_[w - 1]);
    });
  }
  sum_.sum(params.grads());
  r.loss = sum_.sum_losses(losses);
  clip_and_update(params, optimizer, options, r);
  return r;
}

}  // namespace nmtx
