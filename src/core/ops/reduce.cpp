// Reductions, with x seen along `axis` as (outer, len, inner):
//   sum        y = Σ_all x                 dx += dy
//   sum axis   y[o, i] = Σ_l x[o, l, i]    dx[o, l, i] += dy[o, i]
//   mean       the same scaled by 1/size (or 1/len)
//   maxout     y[n, j] = max_k x[n, j·p + k]   dx[n, argmax] += dy[n, j]
// Totals over a whole tensor accumulate in double: losses are sums of many terms.
#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../xt.h"

namespace nmtx {

namespace {

Expr reduce_all(Op op, const Expr& x, float factor) {
  Graph& g = x.graph();
  Expr y = g.record(op, {x}, Shape{});
  const float* v = x.value().data();
  double total = 0.0;
  for (std::size_t i = 0; i < x.shape().size(); ++i) total += v[i];
  y.value()[0] = static_cast<float>(total * factor);
  g.on_backward(y, [=] { xtv::flat(x.grad()) += factor * y.grad()[0]; });
  return y;
}

Expr reduce_axis(Op op, const Expr& x, int axis, bool average) {
  const Shape s = x.shape();
  if (s.rank() == 0 || axis < -s.rank() || axis >= s.rank()) {
    throw shape_error(op_name(op), {{"x", s}}, "axis " + std::to_string(axis) + " is out of range");
  }
  Graph& g = x.graph();
  const std::size_t outer = s.outer(axis), len = s[axis], inner = s.inner(axis);
  const float factor = average ? 1.0f / static_cast<float>(len) : 1.0f;
  Expr y = g.record(op, {x}, s.without(axis));
  const float* xv = x.value().data();
  float* yv = y.value().data();
  for (std::size_t o = 0; o < outer; ++o) {
    auto out = xtv::vec(yv + o * inner, inner);
    out.fill(0.0f);
    for (std::size_t l = 0; l < len; ++l) out += xtv::vec(const_cast<float*>(xv) + (o * len + l) * inner, inner);
    if (average) out *= factor;
  }
  g.on_backward(y, [=] {
    float* dx = x.grad().data();
    const float* dy = y.grad().data();
    for (std::size_t o = 0; o < outer; ++o) {
      auto up = xtv::vec(const_cast<float*>(dy) + o * inner, inner);
      for (std::size_t l = 0; l < len; ++l) xtv::vec(dx + (o * len + l) * inner, inner) += factor * up;
    }
  });
  return y;
}

}  // namespace

Expr sum(const Expr& x) { return reduce_all(Op::sum, x, 1.0f); }
Expr sum(const Expr& x, int axis) { return reduce_axis(Op::sum, x, axis, false); }
Expr mean(const Expr& x) { return reduce_all(Op::mean, x, 1.0f / static_cast<float>(x.shape().size())); }
Expr mean(const Expr& x, int axis) { return reduce_axis(Op::mean, x, axis, true); }

namespace {

// The column of the first maximum in group j of row `row` (ties go to the first).
std::size_t group_argmax(const float* row, std::size_t j, std::size_t pool) {
  std::size_t best = j * pool;
  for (std::size_t k = 1; k < pool; ++k) {
    if (row[j * pool + k] > row[best]) best = j * pool + k;
  }
  return best;
}

}  // namespace

Expr maxout(const Expr& x, std::size_t pool) {
  const Shape s = x.shape();
  if (s.rank() != 2 || pool == 0 || s[1] % pool != 0) {
    throw shape_error("maxout", {{"x", s}}, "x must be (rows, units · pool) with pool = " + std::to_string(pool) + " > 0");
  }
  const std::size_t N = s[0], in = s[1], D = in / pool;
  Graph& g = x.graph();
  Expr y = g.record(Op::maxout, {x}, Shape{N, D});
  const float* xv = x.value().data();
  float* yv = y.value().data();
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t j = 0; j < D; ++j) yv[n * D + j] = xv[n * in + group_argmax(xv + n * in, j, pool)];
  }
  g.on_backward(y, [=] {
    const float* xv = x.value().data();
    const float* dy = y.grad().data();
    float* dx = x.grad().data();
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t j = 0; j < D; ++j) dx[n * in + group_argmax(xv + n * in, j, pool)] += dy[n * D + j];
    }
  });
  return y;
}

}  // namespace nmtx
