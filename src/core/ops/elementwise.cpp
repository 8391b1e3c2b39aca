// Element-wise ops. Binary ops broadcast (see ../broadcast.h); their backward sums the
// upstream gradient back down to each input's shape:
//   add: da += dy, db += dy     sub: da += dy, db -= dy     mul: da += dy b, db += dy a
//   div: da += dy / b, db -= dy y / b   (y = a / b, so -dy a / b² = -dy y / b)
// Unary ops are written in terms of their output where that is cheaper:
//   tanh: dx += dy (1 - y²)   sigmoid: dx += dy y (1 - y)   exp: dx += dy y
//   relu: dx += dy [x > 0]    log: dx += dy / x             scale: dx += c dy
#include <cmath>

#include "../broadcast.h"
#include "nmtx/core/ops.h"
#include "nmtx/core/rng.h"

namespace nmtx {

namespace {

// Gradient of a broadcast binary op with respect to one input: in += reduce(dy ⊙ other)
// when `other` is given, else in += sign · reduce(dy).
void backward_binary_input(Graph& g, const Expr& in, const Tensor& dy, float sign) {
  if (!in.needs_grad()) return;
  if (in.shape() == dy.shape()) {
    if (sign > 0) accumulate_grad(in, xtv::flat(dy));
    else accumulate_grad(in, -xtv::flat(dy));
    return;
  }
  if (sign > 0) {
    add_reduced(in.grad(), dy);
  } else {
    Tensor neg = g.temporary(dy.shape());
    xt::noalias(xtv::flat(neg)) = -xtv::flat(dy);
    add_reduced(in.grad(), neg);
  }
}

void backward_mul_input(Graph& g, const Expr& in, const Expr& other, const Tensor& dy) {
  if (!in.needs_grad()) return;
  if (in.shape() == dy.shape() && other.shape() == dy.shape()) {
    accumulate_grad(in, xtv::flat(dy) * xtv::flat(other.value()));
    return;
  }
  Tensor product = g.temporary(dy.shape());
  broadcast_apply(product, dy, other.value(), [](auto&& y, auto&& a, auto&& b) { xt::noalias(y) = a * b; });
  add_reduced(in.grad(), product);
}

}  // namespace

Expr add(const Expr& a, const Expr& b) {
  Graph& g = a.graph();
  Expr y = g.record(Op::add, {a, b}, broadcast_shape("add", a.shape(), b.shape()));
  broadcast_apply(y.value(), a.value(), b.value(), [](auto&& y, auto&& a, auto&& b) { xt::noalias(y) = a + b; });
  g.on_backward(y, [=, &g] {
    backward_binary_input(g, a, y.grad(), +1.0f);
    backward_binary_input(g, b, y.grad(), +1.0f);
  });
  return y;
}

Expr sub(const Expr& a, const Expr& b) {
  Graph& g = a.graph();
  Expr y = g.record(Op::sub, {a, b}, broadcast_shape("sub", a.shape(), b.shape()));
  broadcast_apply(y.value(), a.value(), b.value(), [](auto&& y, auto&& a, auto&& b) { xt::noalias(y) = a - b; });
  g.on_backward(y, [=, &g] {
    backward_binary_input(g, a, y.grad(), +1.0f);
    backward_binary_input(g, b, y.grad(), -1.0f);
  });
  return y;
}

Expr mul(const Expr& a, const Expr& b) {
  Graph& g = a.graph();
  Expr y = g.record(Op::mul, {a, b}, broadcast_shape("mul", a.shape(), b.shape()));
  broadcast_apply(y.value(), a.value(), b.value(), [](auto&& y, auto&& a, auto&& b) { xt::noalias(y) = a * b; });
  g.on_backward(y, [=, &g] {
    backward_mul_input(g, a, b, y.grad());
    backward_mul_input(g, b, a, y.grad());
  });
  return y;
}

Expr div(const Expr& a, const Expr& b) {
  Graph& g = a.graph();
  Expr y = g.record(Op::div, {a, b}, broadcast_shape("div", a.shape(), b.shape()));
  broadcast_apply(y.value(), a.value(), b.value(), [](auto&& y, auto&& a, auto&& b) { xt::noalias(y) = a / b; });
  g.on_backward(y, [=, &g] {
    const Tensor dy = y.grad();
    auto divide_by_b = [](auto&& out, auto&& u, auto&& v) { xt::noalias(out) = u / v; };
    if (a.needs_grad()) {
      Tensor t = g.temporary(dy.shape());
      broadcast_apply(t, dy, b.value(), divide_by_b);
      add_reduced(a.grad(), t);
    }
    if (b.needs_grad()) {
      Tensor t = g.temporary(dy.shape());
      xt::noalias(xtv::flat(t)) = -xtv::flat(dy) * xtv::flat(y.value());
      broadcast_apply(t, t, b.value(), divide_by_b);  // element by element: in place is safe
      add_reduced(b.grad(), t);
    }
  });
  return y;
}

Expr scale(const Expr& x, float c) {
  Expr y = x.graph().record(Op::scale, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = c * xtv::flat(x.value());
  x.graph().on_backward(y, [=] { accumulate_grad(x, c * xtv::flat(y.grad())); });
  return y;
}

Expr tanh(const Expr& x) {
  Expr y = x.graph().record(Op::tanh, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = xt::tanh(xtv::flat(x.value()));
  x.graph().on_backward(y, [=] {
    auto v = xtv::flat(y.value());
    accumulate_grad(x, xtv::flat(y.grad()) * (1.0f - v * v));
  });
  return y;
}

Expr sigmoid(const Expr& x) {
  Expr y = x.graph().record(Op::sigmoid, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = 1.0f / (1.0f + xt::exp(-xtv::flat(x.value())));
  x.graph().on_backward(y, [=] {
    auto v = xtv::flat(y.value());
    accumulate_grad(x, xtv::flat(y.grad()) * v * (1.0f - v));
  });
  return y;
}

Expr relu(const Expr& x) {
  Expr y = x.graph().record(Op::relu, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = xt::maximum(xtv::flat(x.value()), 0.0f);
  x.graph().on_backward(y, [=] {
    accumulate_grad(x, xt::where(xtv::flat(x.value()) > 0.0f, xtv::flat(y.grad()), 0.0f));
  });
  return y;
}

Expr exp(const Expr& x) {
  Expr y = x.graph().record(Op::exp, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = xt::exp(xtv::flat(x.value()));
  x.graph().on_backward(y, [=] {
    accumulate_grad(x, xtv::flat(y.grad()) * xtv::flat(y.value()));
  });
  return y;
}

Expr log(const Expr& x) {
  Expr y = x.graph().record(Op::log, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = xt::log(xtv::flat(x.value()));
  x.graph().on_backward(y, [=] {
    accumulate_grad(x, xtv::flat(y.grad()) / xtv::flat(x.value()));
  });
  return y;
}

Expr select(const Expr& mask, const Expr& a, const Expr& b) {
  Graph& g = a.graph();
  if (a.shape() != b.shape()) {
    throw shape_error("select", {{"mask", mask.shape()}, {"a", a.shape()}, {"b", b.shape()}},
                      "a and b must have the same shape");
  }
  if (broadcast_shape("select", mask.shape(), a.shape()) != a.shape()) {
    throw shape_error("select", {{"mask", mask.shape()}, {"a", a.shape()}, {"b", b.shape()}},
                      "the mask must broadcast to the shape of a and b");
  }
  // The mask spread to the full shape once, so that forward and backward are flat loops.
  Tensor m = g.scratch(a.shape());
  broadcast_copy(m, mask.value());
  Expr y = g.record(Op::select, {a, b}, a.shape());
  xt::noalias(xtv::flat(y.value())) = xt::where(xt::not_equal(xtv::flat(m), 0.0f), xtv::flat(a.value()), xtv::flat(b.value()));
  g.on_backward(y, [=] {
    auto dy = xtv::flat(y.grad());
    auto on = xt::not_equal(xtv::flat(m), 0.0f);
    if (a.needs_grad()) accumulate_grad(a, xt::where(on, dy, 0.0f));
    if (b.needs_grad()) accumulate_grad(b, xt::where(on, 0.0f, dy));
  });
  return y;
}

Expr dropout(const Expr& x, float p, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f)) {
    throw std::invalid_argument("dropout: p = " + std::to_string(p) + " must be in [0, 1)");
  }
  if (p == 0.0f) return x;
  Graph& g = x.graph();
  const float keep_scale = 1.0f / (1.0f - p);
  Tensor m = g.scratch(x.shape());
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = rng.uniform() < p ? 0.0f : keep_scale;
  Expr y = g.record(Op::dropout, {x}, x.shape());
  xt::noalias(xtv::flat(y.value())) = xtv::flat(x.value()) * xtv::flat(m);
  g.on_backward(y, [=] { accumulate_grad(x, xtv::flat(y.grad()) * xtv::flat(m)); });
  return y;
}

}  // namespace nmtx
