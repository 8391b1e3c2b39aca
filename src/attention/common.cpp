#include "common.h"

#include <cmath>
#include <stdexcept>

namespace nmtx {

const EnumNames<Normalization>& normalization_names() {
  static const EnumNames<Normalization> names{{"softmax", Normalization::softmax}, {"sigmoid", Normalization::sigmoid}};
  return names;
}

}  // namespace nmtx

namespace nmtx::attention {

Expr allowed_positions(Graph& g, const Expr& mask, const AttentionState& state, const InferenceConstraints& c) {
  if (!c.monotonic && c.window == 0) return mask;
  const std::size_t B = mask.shape()[0], S = mask.shape()[1];
  TensorData allowed(mask.shape());
  for (std::size_t b = 0; b < B; ++b) {
    const long focus = state.focus.empty() ? 0 : state.focus[b];
    for (std::size_t s = 0; s < S; ++s) {
      bool ok = mask.value()[b * S + s] != 0.0f;
      if (c.monotonic) ok = ok && static_cast<long>(s) >= focus;
      if (c.window > 0) ok = ok && std::labs(static_cast<long>(s) - focus) <= static_cast<long>(c.window);
      allowed.values[b * S + s] = ok ? 1.0f : 0.0f;
    }
  }
  return g.constant(allowed);
}

Expr normalize_scores(const Expr& e, const Expr& allowed, Normalization n) {
  if (n == Normalization::softmax) return softmax(e, -1, allowed);
  const Expr kept = mul(sigmoid(e), allowed);                  // σ(e), 0 where not allowed
  const Expr totals = reshape(sum(kept, -1), e.shape().with(-1, 1));  // (..., 1) to broadcast back
  // A row with no allowed position (only inference constraints make one: a local window
  // that --monotonic or --window excludes) gets all-zero weights, as softmax gives it,
  // instead of 0/0: its total is divided as 1. Every other total is left exactly as it is.
  TensorData empty_rows(totals.shape());
  bool any_empty = false;
  for (std::size_t i = 0; i < empty_rows.values.size(); ++i) {
    if (totals.value()[i] == 0.0f) empty_rows.values[i] = 1.0f, any_empty = true;
  }
  return div(kept, any_empty ? totals + e.graph().constant(empty_rows) : totals);
}

Expr hard_weights(Graph& g, const Expr& weights) {
  const std::size_t S = weights.shape()[-1], rows = weights.shape().size() / S;
  TensorData one_hot(weights.shape());
  const float* w = weights.value().data();
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t best = 0;  // a plain loop: xt::argmax on 1-D data returns the argmin (xtensor #2550)
    for (std::size_t s = 1; s < S; ++s) {
      if (w[r * S + s] > w[r * S + best]) best = s;
    }
    one_hot.values[r * S + best] = 1.0f;
  }
  return g.constant(one_hot);
}

Expr weighted_context(const Expr& weights, const Expr& values) {
  const std::size_t B = values.shape()[0], S = values.shape()[1], D = values.shape()[2];
  return reshape(bmm(reshape(weights, {B, 1, S}), values), {B, D});
}

Expr intervene(Graph& g, const Expr& weights, std::size_t t, const AttentionIntervention& iv) {
  using Kind = AttentionIntervention::Kind;
  if (iv.kind == Kind::none || iv.step != t) return weights;
  const std::size_t S = weights.shape()[-1], rows = weights.shape().size() / S;
  if (iv.position >= S) {
    throw std::invalid_argument("attention intervention: position " + std::to_string(iv.position) +
                                " is beyond the source's " + std::to_string(S) + " positions");
  }
  if (iv.kind == Kind::scale && !(iv.factor >= 0.0f)) {
    throw std::invalid_argument("attention intervention: the factor must be >= 0");
  }
  TensorData changed(weights.shape());
  const float* w = weights.value().data();
  for (std::size_t r = 0; r < rows; ++r) {
    float* out = changed.values.data() + r * S;
    if (iv.kind == Kind::pin) {
      out[iv.position] = 1.0f;
      continue;
    }
    std::copy_n(w + r * S, S, out);
    double mass = 0.0, total = 0.0;
    for (std::size_t s = 0; s < S; ++s) mass += out[s];
    out[iv.position] *= iv.factor;
    for (std::size_t s = 0; s < S; ++s) total += out[s];
    if (total <= 0.0) continue;
    for (std::size_t s = 0; s < S; ++s) out[s] = static_cast<float>(out[s] * mass / total);
  }
  return g.constant(changed);
}

Expr finish_weights(Graph& g, const Expr& weights, std::size_t t, AttentionState& state, const InferenceConstraints& c) {
  const Expr a = intervene(g, c.hard ? hard_weights(g, weights) : weights, t, c.intervention);
  const std::size_t B = a.shape()[0], S = a.shape()[1];
  state.focus.assign(B, 0);
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t s = 1; s < S; ++s) {
      if (a.value()[b * S + s] > a.value()[b * S + state.focus[b]]) state.focus[b] = static_cast<int>(s);
    }
  }
  return a;
}

}  // namespace nmtx::attention
