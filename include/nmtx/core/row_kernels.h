// Vectorised kernels over one row of floats (a vocabulary's scores), for code outside the
// engine that works on values rather than graphs: decoding's choice of the next token.
// The engine's own kernels (src/core/simd.h) stay private to core.
#pragma once

#include <cstddef>
#include <vector>

namespace nmtx {

// The first index holding the row's maximum (ties: the lowest index).
std::size_t row_argmax(const float* x, std::size_t n);

// log Σ_i e^{x_i}, shifted by the maximum (no overflow), accumulated in float and
// returned as double.
double row_log_sum_exp(const float* x, std::size_t n);

// Both of the above from one search for the maximum (greedy decoding needs both).
struct RowChoice {
  std::size_t argmax = 0;
  double log_sum_exp = 0.0;
};
RowChoice row_argmax_log_sum_exp(const float* x, std::size_t n);

// The indices of the k largest values, largest first; equal values keep the lower index
// first (as row_argmax). One pass: a SIMD batch with no value above the current k-th best
// costs one comparison.
void row_top_k(const float* x, std::size_t n, std::size_t k, std::vector<int>& out);

}  // namespace nmtx
