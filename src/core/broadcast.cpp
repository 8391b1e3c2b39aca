#include "broadcast.h"

#include <algorithm>

namespace nmtx {

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  const int rank = std::max(a.rank(), b.rank());
  std::array<std::size_t, Shape::kMaxRank> dims{};
  for (int i = 1; i <= rank; ++i) {  // from the last axis
    const std::size_t da = i <= a.rank() ? a[-i] : 1;
    const std::size_t db = i <= b.rank() ? b[-i] : 1;
    if (da != db && da != 1 && db != 1) {
      throw shape_error(op, {{"a", a}, {"b", b}},
                        "cannot broadcast: axis " + std::to_string(-i) + " has " + std::to_string(da) +
                            " and " + std::to_string(db) + " (each axis must agree or be 1)");
    }
    dims[rank - i] = std::max(da, db);
  }
  Shape out;
  for (int i = rank - 1; i >= 0; --i) out = out.prepend(dims[i]);
  return out;
}

namespace detail {

bool repeats_as_rows(const Shape& small, const Shape& big) {
  int lead = 0;
  while (lead < small.rank() && small[lead] == 1) ++lead;
  const int kept = small.rank() - lead;
  if (kept == 0 || kept > big.rank()) return false;
  for (int i = 1; i <= kept; ++i) {
    if (small[-i] != big[-i]) return false;
  }
  return true;
}

}  // namespace detail

void add_reduced(const Tensor& dst, const Tensor& src) {
  if (dst.shape() == src.shape()) {
    xtv::flat(dst) += xtv::flat(src);
    return;
  }
  if (detail::repeats_as_rows(dst.shape(), src.shape())) {
    auto d = xtv::flat(dst);
    const std::size_t cols = dst.size();
    for (std::size_t r = 0; r < src.size() / cols; ++r) d += xtv::row(src, r, cols);
    return;
  }
  // General case: walk src in order, sending each element to the dst element it came
  // from (a stride of 0 along every axis where dst has dimension 1).
  std::array<std::size_t, 4> n{1, 1, 1, 1}, stride{0, 0, 0, 0};
  const int rs = src.shape().rank(), rd = dst.shape().rank();
  for (int i = 0; i < rs; ++i) n[4 - rs + i] = src.shape()[i];
  std::size_t s = 1;
  for (int i = rd - 1; i >= 0; --i) {
    const int axis = 4 - rd + i;
    stride[axis] = dst.shape()[i] == 1 ? 0 : s;
    s *= dst.shape()[i];
  }
  const float* in = src.data();
  float* out = dst.data();
  for (std::size_t i0 = 0; i0 < n[0]; ++i0)
    for (std::size_t i1 = 0; i1 < n[1]; ++i1)
      for (std::size_t i2 = 0; i2 < n[2]; ++i2) {
        float* o = out + i0 * stride[0] + i1 * stride[1] + i2 * stride[2];
        for (std::size_t i3 = 0; i3 < n[3]; ++i3) o[i3 * stride[3]] += *in++;
      }
}

}  // namespace nmtx
