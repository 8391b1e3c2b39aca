#include "packed_gemm.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "nmtx/core/blas.h"

namespace nmtx {

namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t kWidth = batch::size, kPanel = PackedWeight::kPanel;
// Rows per tile: 2·kRows accumulators, two panel registers and a broadcast must fit in
// the register file (32 with AVX-512, 16 below it).
constexpr std::size_t kRows = kWidth >= 16 ? 8 : 6;

// C[0..R) × [n0, n0 + kPanel) (+)= X[0..R) · panelᵀ (+ bias); columns past N are not stored.
// X comes packed (pack_rows): the R values of column k side by side, X[k·R + r].
template <std::size_t R>
void tile(const float* X, std::size_t K, const float* panel, const float* bias, float beta, float* C, std::size_t N,
          std::size_t n0) {
  batch lo[R], hi[R];
  for (std::size_t r = 0; r < R; ++r) lo[r] = hi[r] = batch(0.0f);
  for (std::size_t k = 0; k < K; ++k) {
    const batch w0 = batch::load_aligned(panel + k * kPanel), w1 = batch::load_aligned(panel + k * kPanel + kWidth);
    for (std::size_t r = 0; r < R; ++r) {
      const batch x(X[k * R + r]);
      lo[r] = xsimd::fma(x, w0, lo[r]);
      hi[r] = xsimd::fma(x, w1, hi[r]);
    }
  }
  const std::size_t width = std::min(kPanel, N - n0);
  if (width == kPanel) {
    batch b_lo(0.0f), b_hi(0.0f);
    if (bias != nullptr) {
      b_lo = batch::load_unaligned(bias + n0);
      b_hi = batch::load_unaligned(bias + n0 + kWidth);
    }
    for (std::size_t r = 0; r < R; ++r) {
      float* c = C + r * N + n0;
      if (bias != nullptr) {
        lo[r] += b_lo;
        hi[r] += b_hi;
      }
      if (beta != 0.0f) {
        lo[r] += batch::load_unaligned(c);
        hi[r] += batch::load_unaligned(c + kWidth);
      }
      lo[r].store_unaligned(c);
      hi[r].store_unaligned(c + kWidth);
    }
    return;
  }
  for (std::size_t r = 0; r < R; ++r) {  // the last panel, cut by N
    float* c = C + r * N + n0;
    alignas(64) float sums[kPanel];
    lo[r].store_aligned(sums);
    hi[r].store_aligned(sums + kWidth);
    for (std::size_t j = 0; j < width; ++j) {
      float v = bias != nullptr ? sums[j] + bias[n0 + j] : sums[j];
      c[j] = beta != 0.0f ? v + c[j] : v;
    }
  }
}

// tile<R> for a run-time R < kRows (the rows left at the end of X).
template <std::size_t R = 1>
void tail_tile(std::size_t rows, const float* X, std::size_t K, const float* panel, const float* bias, float beta,
               float* C, std::size_t N, std::size_t n0) {
  if constexpr (R < kRows) {
    if (rows == R) return tile<R>(X, K, panel, bias, beta, C, N, n0);
    tail_tile<R + 1>(rows, X, K, panel, bias, beta, C, N, n0);
  }
}

// X (M, K) rearranged tile by tile for tile<R>: rows m .. m+R-1 (R = kRows, fewer in
// the last tile) become R·K floats, column by column. The kernel then reads one stream
// instead of R rows K apart: 44 → 62 GFLOP/s on one core for 64 x 5,921 x 512, packing
// included. The sums are the same, in the same order.
const float* pack_rows(std::size_t M, std::size_t K, const float* X) {
  thread_local std::vector<float> packed;
  if (packed.size() < M * K) packed.resize(M * K);
  for (std::size_t m = 0; m < M; m += kRows) {
    const std::size_t R = std::min(kRows, M - m);
    float* out = packed.data() + m * K;
    for (std::size_t r = 0; r < R; ++r) {
      const float* row = X + (m + r) * K;
      for (std::size_t k = 0; k < K; ++k) out[k * R + r] = row[k];
    }
  }
  return packed.data();
}

}  // namespace

PackedWeight::PackedWeight(const float* W, std::size_t N, std::size_t K)
    : N_(N), K_(K), data_(((N + kPanel - 1) / kPanel) * kPanel * K, 0.0f) {
  if (K == 0) return;  // nothing to pack (and data_.data() may be null: no offsets from it)
  for (std::size_t n = 0; n < N; ++n) {
    float* out = data_.data() + (n / kPanel) * K * kPanel + n % kPanel;
    for (std::size_t k = 0; k < K; ++k) out[k * kPanel] = W[n * K + k];
  }
}

void gemm_packed(std::size_t M, const float* X, const PackedWeight& W, const float* bias, float beta, float* C) {
  if (beta != 0.0f && beta != 1.0f) throw std::invalid_argument("gemm_packed: beta must be 0 or 1");
  const std::size_t N = W.rows(), K = W.cols();
  X = pack_rows(M, K, X);
  for (std::size_t p = 0; p * kPanel < N; ++p) {
    const float* panel = W.panel(p);
    std::size_t m = 0;
    for (; m + kRows <= M; m += kRows) tile<kRows>(X + m * K, K, panel, bias, beta, C + m * N, N, p * kPanel);
    if (m < M) tail_tile(M - m, X + m * K, K, panel, bias, beta, C + m * N, N, p * kPanel);
  }
}

const PackedWeight* WeightPacks::get(const float* W, std::size_t N, std::size_t K) {
  if (N * K > kMaxElements) return nullptr;
  const std::lock_guard<std::mutex> lock(mutex_);
  std::unique_ptr<PackedWeight>& slot = packs_[W];
  if (!slot || slot->rows() != N || slot->cols() != K) slot = std::make_unique<PackedWeight>(W, N, K);
  return slot.get();
}

namespace {

thread_local WeightPacks* packs_in_force = nullptr;  // the innermost PackedWeightsScope's

}  // namespace

PackedWeightsScope::PackedWeightsScope() : packs_(std::make_unique<WeightPacks>()), previous_(packs_in_force) {
  packs_in_force = packs_.get();
}

PackedWeightsScope::~PackedWeightsScope() { packs_in_force = previous_; }

bool PackedWeightsScope::in_force() { return packs_in_force != nullptr; }

const PackedWeight* packed_weight(const Expr& W) {
  if (packs_in_force == nullptr) return nullptr;
  const Graph& g = W.graph();
  const Shape s = W.shape();
  if (g.grad_enabled() || !g.is_parameter(W) || s.rank() != 2) return nullptr;
  return packs_in_force->get(W.value().data(), s[0], s[1]);
}

void gemm_weight(const Expr& W, std::size_t M, const float* X, const float* bias, float beta, float* C) {
  const std::size_t N = W.shape()[0], K = W.shape()[1];
  if (const PackedWeight* packed = packed_weight(W)) {
    count_gemm_flops(M, N, K);
    gemm_packed(M, X, *packed, bias, beta, C);
    return;
  }
  if (bias != nullptr) {  // sgemm has no bias: put it in C first, then accumulate
    for (std::size_t r = 0; r < M; ++r) {
      float* c = C + r * N;
      if (beta == 0.0f) {
        std::copy_n(bias, N, c);
      } else {
        for (std::size_t j = 0; j < N; ++j) c[j] += bias[j];
      }
    }
    beta = 1.0f;
  }
  gemm(false, true, M, N, K, 1.0f, X, W.value().data(), beta, C);
}

}  // namespace nmtx
