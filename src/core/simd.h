// Element-wise kernels on short rows, written with xsimd (the SIMD library xtensor uses).
// xtensor's expressions are fast on long arrays, but a transcendental (tanh, exp) of a
// short expression (a row of 64..1024 floats) runs about 10x slower than the same loop on
// xsimd batches (measured in docs/benchmarks.md), and the cells, attention and softmax
// work row by row. Only .cpp files include this.
#pragma once

#include <algorithm>
#include <cstddef>
#include <xsimd/xsimd.hpp>

namespace nmtx::simd {

using batch = xsimd::batch<float>;
constexpr std::size_t kWidth = batch::size;

// out[i] = f(in_0[i], in_1[i], ...) for i < n: whole batches, then a scalar tail. f must
// accept both xsimd::batch<float> and float arguments (write it with xsimd:: functions).
template <class F, class... In>
inline void map(float* out, std::size_t n, F f, const In*... in) {
  std::size_t i = 0;
  for (; i + kWidth <= n; i += kWidth) xsimd::store_unaligned(out + i, f(batch::load_unaligned(in + i)...));
  for (; i < n; ++i) out[i] = f(in[i]...);
}

// out[i] += f(in_0[i], ...)
template <class F, class... In>
inline void map_add(float* out, std::size_t n, F f, const In*... in) {
  std::size_t i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    xsimd::store_unaligned(out + i, batch::load_unaligned(out + i) + f(batch::load_unaligned(in + i)...));
  }
  for (; i < n; ++i) out[i] += f(in[i]...);
}

// The logistic function, for batches and scalars alike.
template <class T>
inline T sigmoid(const T& x) {
  return T(1.0f) / (T(1.0f) + xsimd::exp(-x));
}

inline float max(const float* x, std::size_t n) {
  float m = x[0];
  std::size_t i = 0;
  if (n >= kWidth) {
    batch acc = batch::load_unaligned(x);
    for (i = kWidth; i + kWidth <= n; i += kWidth) acc = xsimd::max(acc, batch::load_unaligned(x + i));
    alignas(64) float lanes[kWidth];
    acc.store_aligned(lanes);
    m = *std::max_element(lanes, lanes + kWidth);
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

// The first index holding `value`, which x holds.
inline std::size_t first_index(const float* x, float value) {
  std::size_t i = 0;
  while (x[i] != value) ++i;
  return i;
}

// The first index holding the maximum (a vectorised max, then a scan for it). Never
// xt::argmax on 1-D data: in xtensor 0.24.3 it returns the argmin.
inline std::size_t argmax(const float* x, std::size_t n) { return first_index(x, max(x, n)); }

// Σ_i f(in_0[i], ...), batched (a fixed summation order: results do not depend on the
// data), without writing the f values out. f as for map.
template <class F, class... In>
inline float sum_of(std::size_t n, F f, const In*... in) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + kWidth <= n; i += kWidth) acc += f(batch::load_unaligned(in + i)...);
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += f(in[i]...);
  return total;
}

// Σ_i x[i], in sum_of's order.
inline float sum(const float* x, std::size_t n) {
  return sum_of(n, [](auto v) { return v; }, x);
}

// Σ_i x[i] · y[i], batched.
inline float dot(const float* x, const float* y, std::size_t n) {
  batch acc(0.0f);
  std::size_t i = 0;
  for (; i + kWidth <= n; i += kWidth) acc = xsimd::fma(batch::load_unaligned(x + i), batch::load_unaligned(y + i), acc);
  float total = xsimd::hadd(acc);
  for (; i < n; ++i) total += x[i] * y[i];
  return total;
}

}  // namespace nmtx::simd
