#include "nmtx/core/row_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "simd.h"

namespace nmtx {

std::size_t row_argmax(const float* x, std::size_t n) { return simd::argmax(x, n); }

namespace {

// m + log Σ_i e^{x_i - m}, the exponentials summed as they are computed.
double log_sum_exp_shifted(const float* x, std::size_t n, float m) {
  return m + std::log(static_cast<double>(simd::sum_of(n, [m](auto v) { return xsimd::exp(v - m); }, x)));
}

}  // namespace

double row_log_sum_exp(const float* x, std::size_t n) { return log_sum_exp_shifted(x, n, simd::max(x, n)); }

RowChoice row_argmax_log_sum_exp(const float* x, std::size_t n) {
  const float m = simd::max(x, n);
  return {simd::first_index(x, m), log_sum_exp_shifted(x, n, m)};
}

void row_top_k(const float* row, std::size_t V, std::size_t k, std::vector<int>& out) {
  out.clear();
  k = std::min(k, V);
  float kth = -std::numeric_limits<float>::infinity();  // the k-th best so far, once there are k
  auto offer = [&](int v) {
    if (out.size() == k && !(row[v] > kth)) return;
    if (out.size() == k) out.pop_back();
    // After every value at least as large: equal values keep the lower id first.
    const auto at = std::find_if(out.begin(), out.end(), [&](int u) { return row[u] < row[v]; });
    out.insert(at, v);
    if (out.size() == k) kth = row[out.back()];
  };
  std::size_t v = 0;
  for (; v + simd::kWidth <= V; v += simd::kWidth) {
    if (out.size() == k && xsimd::none(simd::batch::load_unaligned(row + v) > simd::batch(kth))) continue;
    for (std::size_t u = v; u < v + simd::kWidth; ++u) offer(static_cast<int>(u));
  }
  for (; v < V; ++v) offer(static_cast<int>(v));
}

}  // namespace nmtx
