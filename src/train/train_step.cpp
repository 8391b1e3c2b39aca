#include "nmtx/train/train_step.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "nmtx/core/ops.h"

namespace nmtx {

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

ShardedStep::ShardedStep(dist::Communicator& comm, std::size_t shards, std::size_t numel, std::uint64_t seed)
    : sum_(comm, shards, numel), seed_(seed) {}

StepResult ShardedStep::operator()(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g,
                                   const ParallelCorpus& corpus, const BatchIndices& batch, std::int64_t step,
                                   const StepOptions& options) {
  StepResult r;
  r.tokens = target_tokens(corpus, batch);
  std::vector<double> losses(sum_.local_shards(), 0.0);
  for (std::size_t l = 0; l < sum_.local_shards(); ++l) {
    const std::size_t k = sum_.first_shard() + l;
    g.clear();
    params.zero_grad();
    const BatchIndices shard = batch_shard(batch, sum_.shards(), k);
    if (!shard.empty()) {  // an empty shard contributes zeros
      Rng dropout(derive_seed(seed_, fmt::format("dropout step {} shard {}", step, k)));
      const Expr loss = model.loss(g, make_batch(corpus, shard), options.dropout ? &dropout : nullptr,
                                   options.label_smoothing);
      backward_normalised(g, loss, r.tokens);
      losses[l] = loss.item();
    }
    std::copy_n(params.grads(), params.numel(), sum_.shard(l));
  }
  sum_.sum(params.grads());
  r.loss = sum_.sum_losses(losses);
  clip_and_update(params, optimizer, options, r);
  return r;
}

}  // namespace nmtx
