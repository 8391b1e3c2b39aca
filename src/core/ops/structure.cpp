// Ops that move values without arithmetic. Seen along an axis as (outer, len, inner),
// each is a set of block copies, and its backward adds the same blocks back:
//   concat   y = [x_1 | x_2 | ...]            dx_k += dy[block k]
//   slice    y = x[start : start + length]    dx[start : start + length] += dy
//   reshape  y = x (another shape)            dx += dy
//   stack    y[t] = x_t                       dx_t += dy[t]
//   transpose y[i_perm] = x[i]                 dx += dy permuted back
//   unfold   y[b, s, j] = x[b, s + j - c]      dx[b, s + j - c] += dy[b, s, j]   (c = (k-1)/2)
//   gather_rows y[i] = x[r_i]                  dx[r_i] += dy[i]
// Slices along the first axis and reshapes alias x's memory instead of copying it
// (a node's value is never written after it is recorded, so sharing is safe).
#include <algorithm>
#include <array>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../xt.h"

namespace nmtx {

namespace {

// dst[i] += src[i] for n floats.
void add_into(float* dst, const float* src, std::size_t n) { xtv::vec(dst, n) += xtv::vec(const_cast<float*>(src), n); }

// Copies (or adds, when accumulate) src of shape `shape` into dst permuted by perm:
// dst's axis i is src's axis perm[i]. Both padded to rank 4.
void permute_into(const float* src, const Shape& shape, const std::vector<int>& perm, float* dst, bool accumulate) {
  const int r = shape.rank();
  std::array<std::size_t, 4> n{1, 1, 1, 1}, src_stride{0, 0, 0, 0};
  std::size_t s = 1;
  std::array<std::size_t, 4> stride_of_axis{};
  for (int i = r - 1; i >= 0; --i) {
    stride_of_axis[i] = s;
    s *= shape[i];
  }
  // Walk dst in order: its axis i has length shape[perm[i]] and steps src by stride_of_axis[perm[i]].
  for (int i = 0; i < r; ++i) {
    n[4 - r + i] = shape[perm[i]];
    src_stride[4 - r + i] = stride_of_axis[perm[i]];
  }
  float* out = dst;
  for (std::size_t i0 = 0; i0 < n[0]; ++i0)
    for (std::size_t i1 = 0; i1 < n[1]; ++i1)
      for (std::size_t i2 = 0; i2 < n[2]; ++i2) {
        const float* in = src + i0 * src_stride[0] + i1 * src_stride[1] + i2 * src_stride[2];
        if (accumulate) {
          for (std::size_t i3 = 0; i3 < n[3]; ++i3) *out++ += in[i3 * src_stride[3]];
        } else {
          for (std::size_t i3 = 0; i3 < n[3]; ++i3) *out++ = in[i3 * src_stride[3]];
        }
      }
}

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
  const Shape s = x.shape();
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

Expr gather_rows(const Expr& x, const std::vector<int>& rows) {
  const Shape s = x.shape();
  if (s.rank() < 1) throw shape_error("gather_rows", {{"x", s}}, "x needs at least one axis");
  for (int r : rows) {
    if (r < 0 || static_cast<std::size_t>(r) >= s[0]) {
      throw shape_error("gather_rows", {{"x", s}}, "row " + std::to_string(r) + " is outside the first axis");
    }
  }
  if (rows.empty()) throw shape_error("gather_rows", {{"x", s}}, "no rows to gather");
  Graph& g = x.graph();
  const std::size_t row = s.inner(0);
  Expr y = g.record(Op::gather_rows, {x}, s.with(0, rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(x.value().data() + static_cast<std::size_t>(rows[i]) * row, row, y.value().data() + i * row);
  }
  g.on_backward(y, [=] {
    float* dx = x.grad().data();
    const float* dy = y.grad().data();
    for (std::size_t i = 0; i < rows.size(); ++i) add_into(dx + static_cast<std::size_t>(rows[i]) * row, dy + i * row, row);
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
  x.graph().on_backward(y, [=] { accumulate_grad(x, xtv::flat(y.grad())); });
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

Expr transpose(const Expr& x, const std::vector<int>& perm) {
  const Shape s = x.shape();
  std::vector<int> inverse(perm.size(), -1);
  bool valid = static_cast<int>(perm.size()) == s.rank();
  for (std::size_t i = 0; valid && i < perm.size(); ++i) {
    valid = perm[i] >= 0 && perm[i] < s.rank() && inverse[perm[i]] < 0;
    if (valid) inverse[perm[i]] = static_cast<int>(i);
  }
  if (!valid) {
    std::string p;
    for (int a : perm) p += (p.empty() ? "" : ", ") + std::to_string(a);
    throw shape_error("transpose", {{"x", s}}, "[" + p + "] is not a permutation of the " + std::to_string(s.rank()) + " axes");
  }
  Shape out;
  for (int i = s.rank() - 1; i >= 0; --i) out = out.prepend(s[perm[i]]);
  Expr y = x.graph().record(Op::transpose, {x}, out);
  permute_into(x.value().data(), s, perm, y.value().data(), false);
  x.graph().on_backward(y, [=] { permute_into(y.grad().data(), y.shape(), inverse, x.grad().data(), true); });
  return y;
}

Expr unfold(const Expr& x, std::size_t k) {
  const Shape s = x.shape();
  if (s.rank() != 2) throw shape_error("unfold", {{"x", s}}, "x must be (batch, length)");
  if (k % 2 == 0) throw shape_error("unfold", {{"x", s}}, "the window size " + std::to_string(k) + " must be odd");
  const std::size_t B = s[0], S = s[1];
  const long c = static_cast<long>(k - 1) / 2;
  Expr y = x.graph().record(Op::unfold, {x}, Shape{B, S, k});
  // Visits every (b, s, j) whose source position s + j - c lies inside the sequence.
  auto for_each_inside = [B, S, k, c](auto&& visit) {
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t pos = 0; pos < S; ++pos)
        for (std::size_t j = 0; j < k; ++j) {
          const long from = static_cast<long>(pos + j) - c;
          if (from >= 0 && from < static_cast<long>(S)) visit((b * S + pos) * k + j, b * S + from);
        }
  };
  const float* xv = x.value().data();
  float* yv = y.value().data();
  y.value().fill(0.0f);
  for_each_inside([&](std::size_t out, std::size_t in) { yv[out] = xv[in]; });
  x.graph().on_backward(y, [=] {
    const float* dy = y.grad().data();
    float* dx = x.grad().data();
    for_each_inside([&](std::size_t out, std::size_t in) { dx[in] += dy[out]; });
  });
  return y;
}

}  // namespace nmtx
