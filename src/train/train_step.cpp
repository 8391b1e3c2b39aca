#include "nmtx/train/train_step.h"

#include <cmath>

#include "nmtx/core/ops.h"

namespace nmtx {

StepResult train_step(const Seq2Seq& model, ParameterSet& params, Optimizer& optimizer, Graph& g, const Batch& batch,
                      const StepOptions& options) {
  StepResult r;
  g.clear();
  params.zero_grad();
  r.tokens = batch.target_tokens();
  const Expr loss = model.loss(g, batch, options.dropout, options.label_smoothing);
  // 1/tokens in double, then float: the scale every run since the first recipes used.
  g.backward(scale(loss, static_cast<float>(1.0 / static_cast<double>(r.tokens))));
  if (options.after_backward) options.after_backward(params);
  r.grad_norm = options.clip_norm > 0.0f ? clip_grad_norm(params, options.clip_norm) : grad_norm(params);
  r.loss = loss.item();
  if (!std::isfinite(r.loss) || !std::isfinite(r.grad_norm)) return r;
  optimizer.step(params);
  r.applied = true;
  return r;
}

}  // namespace nmtx
