// numpy-style broadcasting for the element-wise ops. Shapes align at the last axis; a
// dimension of 1, or a missing leading one, repeats. Three cases, fastest first:
//   same shape            one flat loop
//   repeated rows         (N, D) with (D) or (1, D): a flat loop per row (bias adds)
//   anything else         both padded to rank 4 and broadcast by xtensor
#pragma once

#include <array>

#include "nmtx/core/error.h"
#include <xtensor/xbroadcast.hpp>

#include "xt.h"

namespace nmtx {

// The shape a and b broadcast to; throws ShapeError naming `op` if they do not.
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);

// dst += src, summed over the axes along which dst's shape repeats to src's shape.
void add_reduced(const Tensor& dst, const Tensor& src);

namespace detail {

// Whether `small` repeats as whole rows of `big`: small's shape, leading 1s dropped,
// equals big's trailing dimensions.
bool repeats_as_rows(const Shape& small, const Shape& big);

inline auto padded4(const Tensor& t) {
  std::array<std::size_t, 4> shape{1, 1, 1, 1};
  const int r = t.shape().rank();
  for (int i = 0; i < r; ++i) shape[4 - r + i] = t.shape()[i];
  return xt::adapt(t.data(), t.size(), xt::no_ownership(), shape);
}

}  // namespace detail

// dst = src repeated to dst's shape (src must broadcast to it).
inline void broadcast_copy(const Tensor& dst, const Tensor& src) {
  if (src.shape() == dst.shape()) {
    dst.copy_from(src.data());
  } else {
    // Assignment would resize the target to src's shape: broadcast src explicitly.
    auto target = detail::padded4(dst);
    xt::noalias(target) = xt::broadcast(detail::padded4(src), target.shape());
  }
}

// Calls assign(y_view, a_view, b_view), which must do `xt::noalias(y) = f(a, b)`, with
// views chosen so that a and b broadcast to y (y's shape is broadcast_shape(a, b)).
template <class Assign>
void broadcast_apply(const Tensor& y, const Tensor& a, const Tensor& b, Assign assign) {
  if (a.shape() == y.shape() && b.shape() == y.shape()) {
    assign(xtv::flat(y), xtv::flat(a), xtv::flat(b));
  } else if (a.shape() == y.shape() && detail::repeats_as_rows(b.shape(), y.shape())) {
    const std::size_t cols = b.size();
    for (std::size_t r = 0; r < y.size() / cols; ++r) assign(xtv::row(y, r, cols), xtv::row(a, r, cols), xtv::flat(b));
  } else if (b.shape() == y.shape() && detail::repeats_as_rows(a.shape(), y.shape())) {
    const std::size_t cols = a.size();
    for (std::size_t r = 0; r < y.size() / cols; ++r) assign(xtv::row(y, r, cols), xtv::flat(a), xtv::row(b, r, cols));
  } else {
    assign(detail::padded4(y), detail::padded4(a), detail::padded4(b));
  }
}

}  // namespace nmtx
