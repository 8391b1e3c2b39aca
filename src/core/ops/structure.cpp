// Ops that move values without arithmetic. Seen along an axis as (outer, len, inner),
// each is a set of block copies, and its backward adds the same blocks back:
//   concat   y = [x_1 | x_2 | ...]            dx_k += dy[block k]
//   slice    y = x[start : start + length]    dx[start : start + length] += dy
//   reshape  y = x (another shape)            dx += dy
//   stack    y[t] = x_t                       dx_t += dy[t]
// Slices along the first axis and reshapes alias x's memory instead of copying it
// (a node's value is never written after it is recorded, so sharing is safe).
#include <algorithm>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../xt.h"

namespace nmtx {

namespace {

// dst[i] += src[i] for n floats.
void add_into(float* dst, const float* src, std::size_t n) { xtv::vec(dst, n) += xtv::vec(const_cast<float*>(src), n); }

}  // namespace

Expr concat(const std::vector<Expr>& xs, int axis) {
  if (xs.empty()) throw std::invalid_argument("concat: no inputs");
  const Shape& first = xs[0].shape();
  if (axis < -first.rank() || axis >= first.rank()) {
    throw shape_error("concat", {{"x0", first}}, "axis " + std::to_string(axis) + " is out of range");
  }
  std::size_t total = 0;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Shape& s = xs[k].shape();
    if (s.rank() != first.rank() || s.with(axis, 1) != first.with(axis, 1)) {
      throw shape_error("concat", {{"x0", first}, {"input", s}},
                        "input " + std::to_string(k) + " must match x0 on every axis but " + std::to_string(axis));
    }
    total += s[axis];
  }
  Graph& g = xs[0].graph();
  const std::size_t outer = first.outer(axis), inner = first.inner(axis);
  Expr y = g.record(Op::concat, xs, first.with(axis, total));
  std::size_t column = 0;  // running offset along the axis, in units of `inner`
  for (const Expr& x : xs) {
    const std::size_t block = x.shape()[axis] * inner;
    for (std::size_t o = 0; o < outer; ++o) {
      std::copy_n(x.value().data() + o * block, block, y.value().data() + (o * total + column) * inner);
    }
    column += x.shape()[axis];
  }
  g.on_backward(y, [=] {
    std::size_t column = 0;
    const float* dy = y.grad().data();
    for (const Expr& x : xs) {
      const std::size_t block = x.shape()[axis] * inner;
      if (x.needs_grad()) {
        float* dx = x.grad().data();
        for (std::size_t o = 0; o < outer; ++o) add_into(dx + o * block, dy + (o * total + column) * inner, block);
      }
      column += x.shape()[axis];
    }
  });
  return y;
}

Expr slice(const Expr& x, int axis, std::size_t start, std::size_t length) {
  const Shape& s = x.shape();
  if (axis < -s.rank() || axis >= s.rank()) {
    throw shape_error("slice", {{"x", s}}, "axis " + std::to_string(axis) + " is out of range");
  }
  if (start + length > s[axis]) {
    throw shape_error("slice", {{"x", s}}, "slice [" + std::to_string(start) + ", " + std::to_string(start + length) +
                                               ") exceeds axis " + std::to_string(axis) + " of length " + std::to_string(s[axis]));
  }
  Graph& g = x.graph();
  const std::size_t outer = s.outer(axis), inner = s.inner(axis), len = s[axis];
  const Shape out = s.with(axis, length);
  const std::size_t block = length * inner;
  Expr y;
  if (outer == 1) {
    y = g.record_view(Op::slice, {x}, out, x.value().data() + start * inner);
  } else {
    y = g.record(Op::slice, {x}, out);
    for (std::size_t o = 0; o < outer; ++o) {
      std::copy_n(x.value().data() + (o * len + start) * inner, block, y.value().data() + o * block);
    }
  }
  g.on_backward(y, [=] {
    float* dx = x.grad().data();
    const float* dy = y.grad().data();
    for (std::size_t o = 0; o < outer; ++o) add_into(dx + (o * len + start) * inner, dy + o * block, block);
  });
  return y;
}

std::vector<Expr> split(const Expr& x, int axis, const std::vector<std::size_t>& sizes) {
  std::size_t total = 0;
  for (std::size_t n : sizes) total += n;
  if (total != x.shape()[axis]) {
    throw shape_error("split", {{"x", x.shape()}}, "the sizes add up to " + std::to_string(total) + ", not to the length " +
                                                      std::to_string(x.shape()[axis]) + " of axis " + std::to_string(axis));
  }
  std::vector<Expr> parts;
  std::size_t start = 0;
  for (std::size_t n : sizes) {
    parts.push_back(slice(x, axis, start, n));
    start += n;
  }
  return parts;
}

Expr reshape(const Expr& x, const Shape& shape) {
  if (shape.size() != x.shape().size()) {
    throw shape_error("reshape", {{"x", x.shape()}}, "cannot reshape to " + shape.str() + ": the sizes differ");
  }
  Expr y = x.graph().record_view(Op::reshape, {x}, shape, x.value().data());
  x.graph().on_backward(y, [=] { add_into(x.grad().data(), y.grad().data(), y.shape().size()); });
  return y;
}

Expr stack(const std::vector<Expr>& xs) {
  if (xs.empty()) throw std::invalid_argument("stack: no inputs");
  const Shape& first = xs[0].shape();
  for (std::size_t t = 0; t < xs.size(); ++t) {
    if (xs[t].shape() != first) {
      throw shape_error("stack", {{"x0", first}, {"input", xs[t].shape()}},
                        "input " + std::to_string(t) + " must have the same shape as x0");
    }
  }
  Graph& g = xs[0].graph();
  const std::size_t n = first.size();
  Expr y = g.record(Op::stack, xs, first.prepend(xs.size()));
  for (std::size_t t = 0; t < xs.size(); ++t) std::copy_n(xs[t].value().data(), n, y.value().data() + t * n);
  g.on_backward(y, [=] {
    for (std::size_t t = 0; t < xs.size(); ++t) {
      if (xs[t].needs_grad()) add_into(xs[t].grad().data(), y.grad().data() + t * n, n);
    }
  });
  return y;
}

}  // namespace nmtx
