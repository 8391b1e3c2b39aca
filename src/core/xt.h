// Fixed-rank xtensor views over engine tensors (no copies). Only .cpp files include
// this: xtensor's headers are heavy and must stay out of the public headers.
//
// Two xtensor 0.24.3 bugs give silently wrong results (../shared/guides/xtensor-notes.md):
// a lazy keep_dims reducer over the last axis broadcast back reads wrong elements, and
// xt::argmax on a 1-D tensor returns the argmin. The engine uses neither: reductions
// are written as explicit loops or evaluated into a tensor before use.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <utility>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "nmtx/core/graph.h"
#include "nmtx/core/tensor.h"

namespace nmtx::xtv {

// n contiguous floats as a 1-D xtensor (element-wise work is shape-blind).
// The pointer is passed to xt::adapt as an rvalue: given an lvalue, xt::adapt stores a
// REFERENCE to the pointer variable, which would dangle once this function returns.
inline auto vec(float* data, std::size_t n) {
  return xt::adapt(std::move(data), n, xt::no_ownership(), std::array<std::size_t, 1>{n});
}
inline auto flat(const Tensor& t) { return vec(t.data(), t.size()); }

// A tensor of rank N as a fixed-rank xtensor.
template <std::size_t N>
auto as(const Tensor& t) {
  if (t.shape().rank() != static_cast<int>(N)) {
    throw std::logic_error("xtv::as: tensor of shape " + t.shape().str() + " viewed with rank " +
                           std::to_string(N));
  }
  std::array<std::size_t, N> shape;
  for (std::size_t i = 0; i < N; ++i) shape[i] = t.shape()[static_cast<int>(i)];
  return xt::adapt(t.data(), t.size(), xt::no_ownership(), shape);
}

// Row i of a tensor viewed as (rows, cols): cols contiguous floats.
inline auto row(const Tensor& t, std::size_t i, std::size_t cols) { return vec(t.data() + i * cols, cols); }

}  // namespace nmtx::xtv

namespace nmtx {

// x's gradient += value (an element-wise expression over x's flat elements); assigned
// instead when the gradient is new, which saves zero-filling it first.
template <class E>
void accumulate_grad(const Expr& x, E&& value) {
  bool fresh = false;
  auto g = xtv::flat(x.grad_for_write(fresh));
  if (fresh) xt::noalias(g) = std::forward<E>(value);
  else xt::noalias(g) += std::forward<E>(value);
}

}  // namespace nmtx
