// Luong et al. (2015) local-p attention weights a Gaussian around a predicted, real
// position p_b inside an integer window:
//   w[b, s] = window[b, s] · exp(-(s - p_b)² / (2σ²))
//   dp_b    = Σ_s dw[b, s] · w[b, s] · (s - p_b) / σ²
// The window (1 where |s - p_b| <= D and s < length_b) is a constant computed from p's
// value: its edges move in steps, so only the Gaussian carries p's gradient (as in the
// paper).
#include <cmath>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"

namespace nmtx {

namespace {

std::size_t batch_of(const char* op, const Expr& p) {
  const Shape s = p.shape();
  if (!(s.rank() == 1 || (s.rank() == 2 && s[1] == 1))) {
    throw shape_error(op, {{"p", s}}, "p must be (batch,) or (batch, 1)");
  }
  return s[0];
}

}  // namespace

Expr gaussian_window(const Expr& p, const Expr& window, float sigma) {
  const std::size_t B = batch_of("gaussian_window", p);
  const Shape ws = window.shape();
  if (ws.rank() != 2 || ws[0] != B) {
    throw shape_error("gaussian_window", {{"p", p.shape()}, {"window", ws}}, "the window must be (batch, source length)");
  }
  if (!(sigma > 0.0f)) throw std::invalid_argument("gaussian_window: sigma must be positive");
  const std::size_t S = ws[1];
  const float inv_two_var = 1.0f / (2.0f * sigma * sigma), inv_var = 1.0f / (sigma * sigma);
  Graph& g = p.graph();
  Expr y = g.record(Op::gaussian_window, {p}, ws);
  const float* pv = p.value().data();
  const float* win = window.value().data();
  float* w = y.value().data();
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t s = 0; s < S; ++s) {
      const float d = static_cast<float>(s) - pv[b];
      w[b * S + s] = win[b * S + s] != 0.0f ? std::exp(-d * d * inv_two_var) : 0.0f;
    }
  }
  g.on_backward(y, [=] {
    const float* pv = p.value().data();
    const float* wv = y.value().data();
    const float* dw = y.grad().data();
    float* dp = p.grad().data();
    for (std::size_t b = 0; b < B; ++b) {
      float acc = 0.0f;
      for (std::size_t s = 0; s < S; ++s) acc += dw[b * S + s] * wv[b * S + s] * (static_cast<float>(s) - pv[b]);
      dp[b] += acc * inv_var;
    }
  });
  return y;
}

Expr local_window_mask(const Expr& p, const std::vector<int>& lengths, std::size_t S, float D) {
  const std::size_t B = batch_of("local_window_mask", p);
  if (lengths.size() != B) {
    throw shape_error("local_window_mask", {{"p", p.shape()}},
                      std::to_string(lengths.size()) + " lengths given for a batch of " + std::to_string(B));
  }
  std::vector<float> mask(B * S, 0.0f);
  const float* pv = p.value().data();
  for (std::size_t b = 0; b < B; ++b) {
    if (!std::isfinite(pv[b])) {
      throw std::invalid_argument("local_window_mask: position p[" + std::to_string(b) + "] is not finite");
    }
    const int last = std::min<int>(lengths[b], static_cast<int>(S)) - 1;
    const int lo = std::max(0, static_cast<int>(std::ceil(pv[b] - D)));
    const int hi = std::min(last, static_cast<int>(std::floor(pv[b] + D)));
    for (int s = lo; s <= hi; ++s) mask[b * S + s] = 1.0f;
  }
  return p.graph().constant(Shape{B, S}, mask.data());
}

}  // namespace nmtx
