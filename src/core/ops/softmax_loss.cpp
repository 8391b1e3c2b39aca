// Softmax, log-softmax and the token losses.
//
// Along an axis of length L, viewing x as (outer, L, inner):
//   softmax      y_i = e^{x_i - m} / Σ_j e^{x_j - m}     (m = max_j x_j, for stability)
//                dx_i = y_i (dy_i - Σ_j dy_j y_j)
//   log_softmax  y_i = x_i - m - log Σ_j e^{x_j - m}
//                dx_i = dy_i - e^{y_i} Σ_j dy_j
// A mask removes positions from every sum: their softmax is exactly 0, their
// log-softmax -inf, and they receive no gradient.
//
// Losses over rows i of (N, V) with targets y_i, row mask m_i, smoothing ε, and
// q_i = (1 - ε) onehot(y_i) + ε/V:
//   nll_loss       L = -Σ_i m_i Σ_v q_iv logp_iv           dlogp_iv = -m_i q_iv dL
//   cross_entropy  L = Σ_i m_i (lse_i - Σ_v q_iv x_iv)      dx_iv = m_i (softmax_iv - q_iv) dL
//                  with lse_i = log Σ_v e^{x_iv}; the softmax is recomputed from lse_i in
//                  backward rather than stored.
#include <cmath>
#include <limits>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../simd.h"
#include "../xt.h"

namespace nmtx {

namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

struct Lines {  // a tensor seen as `outer × inner` lines of `len` elements at stride `inner`
  std::size_t outer, len, inner;
  std::size_t count() const { return outer * inner; }
  std::size_t start(std::size_t line) const { return (line / inner) * len * inner + line % inner; }
};

Lines lines_of(const char* op, const Expr& x, int axis, const Expr* mask) {
  const Shape s = x.shape();
  if (s.rank() == 0) throw shape_error(op, {{"x", s}}, "needs a tensor of rank >= 1");
  if (axis < -s.rank() || axis >= s.rank()) {
    throw shape_error(op, {{"x", s}}, "axis " + std::to_string(axis) + " is out of range");
  }
  if (mask != nullptr && mask->shape() != s) {
    throw shape_error(op, {{"x", s}, {"mask", mask->shape()}}, "the mask must have x's shape");
  }
  return {s.outer(axis), s[axis], s.inner(axis)};
}

// y = softmax (or log-softmax) of one line of x. When the line is contiguous the
// exponentials are vectorised; `mask` may be null.
void softmax_line(const float* x, const float* mask, float* y, std::size_t len, std::size_t stride, bool log_space) {
  auto on = [&](std::size_t i) { return mask == nullptr || mask[i * stride] != 0.0f; };
  float m = kMinusInf;
  for (std::size_t i = 0; i < len; ++i) {
    if (on(i) && x[i * stride] > m) m = x[i * stride];
  }
  if (m == kMinusInf) {  // nothing unmasked
    for (std::size_t i = 0; i < len; ++i) y[i * stride] = log_space ? kMinusInf : 0.0f;
    return;
  }
  float total = 0.0f;
  if (stride == 1) {
    simd::map(y, len, [m](auto v) { return xsimd::exp(v - m); }, x);
    for (std::size_t i = 0; i < len; ++i) {
      if (on(i)) total += y[i];
    }
  } else {
    for (std::size_t i = 0; i < len; ++i) {
      y[i * stride] = std::exp(x[i * stride] - m);
      if (on(i)) total += y[i * stride];
    }
  }
  const float log_total = std::log(total), inverse = 1.0f / total;
  for (std::size_t i = 0; i < len; ++i) {
    float& v = y[i * stride];
    if (!on(i)) v = log_space ? kMinusInf : 0.0f;
    else v = log_space ? x[i * stride] - m - log_total : v * inverse;
  }
}

Expr softmax_impl(Op op, const Expr& x, int axis, const Expr* mask) {
  const bool log_space = op == Op::log_softmax;
  const Lines L = lines_of(op_name(op), x, axis, mask);
  Graph& g = x.graph();
  Expr y = g.record(op, {x}, x.shape());
  const float* mk = mask != nullptr ? mask->value().data() : nullptr;
  for (std::size_t line = 0; line < L.count(); ++line) {
    const std::size_t o = L.start(line);
    softmax_line(x.value().data() + o, mk != nullptr ? mk + o : nullptr, y.value().data() + o, L.len, L.inner, log_space);
  }
  const Tensor mask_value = mask != nullptr ? mask->value() : Tensor();
  g.on_backward(y, [=] {
    const float* yv = y.value().data();
    const float* dy = y.grad().data();
    float* dx = x.grad().data();
    const float* mk = mask_value.empty() ? nullptr : mask_value.data();
    for (std::size_t line = 0; line < L.count(); ++line) {
      const std::size_t o = L.start(line);
      auto at = [&](std::size_t i) { return o + i * L.inner; };
      auto on = [&](std::size_t i) { return mk == nullptr || mk[at(i)] != 0.0f; };
      float dot = 0.0f;  // softmax: Σ dy_j y_j;  log-softmax: Σ dy_j over unmasked j
      for (std::size_t i = 0; i < L.len; ++i) {
        if (on(i)) dot += log_space ? dy[at(i)] : dy[at(i)] * yv[at(i)];
      }
      for (std::size_t i = 0; i < L.len; ++i) {
        if (!on(i)) continue;
        dx[at(i)] += log_space ? dy[at(i)] - std::exp(yv[at(i)]) * dot : yv[at(i)] * (dy[at(i)] - dot);
      }
    }
  });
  return y;
}

struct LossShape {
  std::size_t rows, vocabulary;  // N, V
};

// Validates the inputs shared by nll_loss and cross_entropy.
LossShape check_loss_inputs(const char* op, const Expr& x, const std::vector<int>& targets,
                                                      const Expr* row_mask, float smoothing) {
  const Shape s = x.shape();
  if (s.rank() != 2) throw shape_error(op, {{"x", s}}, "expected (rows, vocabulary) of rank 2");
  const std::size_t N = s[0], V = s[1];
  if (targets.size() != N) {
    throw shape_error(op, {{"x", s}}, std::to_string(targets.size()) + " targets given for " + std::to_string(N) + " rows");
  }
  if (row_mask != nullptr && row_mask->shape() != Shape{N}) {
    throw shape_error(op, {{"x", s}, {"row_mask", row_mask->shape()}}, "the row mask must have shape (rows,)");
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (targets[i] < 0 || static_cast<std::size_t>(targets[i]) >= V) {
      throw std::out_of_range(std::string(op) + ": target " + std::to_string(targets[i]) + " in row " +
                              std::to_string(i) + " is outside the vocabulary [0, " + std::to_string(V) + ")");
    }
  }
  if (!(smoothing >= 0.0f && smoothing < 1.0f)) {
    throw std::invalid_argument(std::string(op) + ": label smoothing " + std::to_string(smoothing) + " must be in [0, 1)");
  }
  return {N, V};
}

Expr nll_impl(const Expr& logp, const std::vector<int>& targets, const Expr* row_mask, float eps) {
  // Plain variables, not a structured binding: C++17 does not let lambdas capture those
  // (GCC accepts it, clang does not).
  const LossShape shape = check_loss_inputs("nll_loss", logp, targets, row_mask, eps);
  const std::size_t N = shape.rows, V = shape.vocabulary;
  Graph& g = logp.graph();
  const Tensor mask = row_mask != nullptr ? row_mask->value() : Tensor();
  auto weight = [mask](std::size_t i) { return mask.empty() ? 1.0f : mask[i]; };
  Expr y = g.record(Op::nll_loss, {logp}, Shape{});
  const float* lp = logp.value().data();
  double loss = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    if (weight(i) == 0.0f) continue;
    double row = -(1.0 - eps) * lp[i * V + targets[i]];
    if (eps > 0.0f) {
      double all = 0.0;
      for (std::size_t v = 0; v < V; ++v) all += lp[i * V + v];
      row -= eps / static_cast<double>(V) * all;
    }
    loss += weight(i) * row;
  }
  y.value()[0] = static_cast<float>(loss);
  g.on_backward(y, [=] {
    const float dL = y.grad()[0];
    float* d = logp.grad().data();
    for (std::size_t i = 0; i < N; ++i) {
      const float w = weight(i) * dL;
      if (w == 0.0f) continue;
      if (eps > 0.0f) xtv::vec(d + i * V, V) -= w * eps / static_cast<float>(V);
      d[i * V + targets[i]] -= w * (1.0f - eps);
    }
  });
  return y;
}

Expr cross_entropy_impl(const Expr& logits, const std::vector<int>& targets, const Expr* row_mask, float eps,
                        bool in_place) {
  const LossShape shape = check_loss_inputs("cross_entropy", logits, targets, row_mask, eps);
  const std::size_t N = shape.rows, V = shape.vocabulary;
  Graph& g = logits.graph();
  const Tensor mask = row_mask != nullptr ? row_mask->value() : Tensor();
  auto weight = [mask](std::size_t i) { return mask.empty() ? 1.0f : mask[i]; };
  Tensor lse = g.scratch(Shape{N});  // log Σ_v e^{x_iv}, kept for backward
  Expr y = g.record(Op::cross_entropy, {logits}, Shape{});
  double loss = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    const float* x = logits.value().data() + i * V;
    const float m = simd::max(x, V);
    const double mean_x = eps > 0.0f ? simd::sum(x, V) / static_cast<double>(V) : 0.0;
    lse[i] = m + std::log(simd::sum_of(V, [m](auto v) { return xsimd::exp(v - m); }, x));
    if (weight(i) == 0.0f) continue;
    const double row = (1.0 - eps) * (lse[i] - x[targets[i]]) + eps * (lse[i] - mean_x);
    loss += weight(i) * row;
  }
  y.value()[0] = static_cast<float>(loss);
  g.on_backward(y, [=] {
    const float dL = y.grad()[0];
    bool fresh = true;  // every row is written: no zero-fill first
    const Tensor grad = in_place ? logits.grad_over_value() : logits.grad_for_write(fresh);
    for (std::size_t i = 0; i < N; ++i) {
      const float w = weight(i) * dL;
      float* d = grad.data() + i * V;
      if (w == 0.0f) {
        if (fresh) std::fill_n(d, V, 0.0f);
        continue;
      }
      const float l = lse[i], uniform = eps / static_cast<float>(V);
      auto row_grad = [w, l, uniform](auto x) { return w * (xsimd::exp(x - l) - uniform); };  // w (softmax - ε/V)
      if (fresh) simd::map(d, V, row_grad, logits.value().data() + i * V);
      else simd::map_add(d, V, row_grad, logits.value().data() + i * V);
      d[targets[i]] -= w * (1.0f - eps);
    }
  });
  return y;
}

}  // namespace

Expr softmax(const Expr& x, int axis) { return softmax_impl(Op::softmax, x, axis, nullptr); }
Expr softmax(const Expr& x, int axis, const Expr& mask) { return softmax_impl(Op::softmax, x, axis, &mask); }
Expr log_softmax(const Expr& x, int axis) { return softmax_impl(Op::log_softmax, x, axis, nullptr); }
Expr log_softmax(const Expr& x, int axis, const Expr& mask) { return softmax_impl(Op::log_softmax, x, axis, &mask); }

Expr nll_loss(const Expr& logp, const std::vector<int>& targets, float label_smoothing) {
  return nll_impl(logp, targets, nullptr, label_smoothing);
}
Expr nll_loss(const Expr& logp, const std::vector<int>& targets, const Expr& row_mask, float label_smoothing) {
  return nll_impl(logp, targets, &row_mask, label_smoothing);
}
Expr cross_entropy(const Expr& logits, const std::vector<int>& targets, float label_smoothing) {
  return cross_entropy_impl(logits, targets, nullptr, label_smoothing, false);
}
Expr cross_entropy(const Expr& logits, const std::vector<int>& targets, const Expr& row_mask, float label_smoothing) {
  return cross_entropy_impl(logits, targets, &row_mask, label_smoothing, false);
}
Expr cross_entropy_in_place(const Expr& logits, const std::vector<int>& targets, const Expr& row_mask,
                            float label_smoothing) {
  return cross_entropy_impl(logits, targets, &row_mask, label_smoothing, true);
}

}  // namespace nmtx
