// Products with a weight packed once for many calls: C (M, N) = X (M, K) · Wᵀ (+ C), for
// decoding.
//
// Why: sgemm packs both operands into its own panel layout on every call. Decoding
// multiplies 32..64 rows by the same weights at every step, and at those sizes packing
// the weight costs about as much as the product: OpenBLAS's sgemm_incopy was 25% of
// greedy decoding's time at toy size (docs/benchmarks.md). Packing each weight once per
// decoding graph, and a register-tiled kernel over the packed panels, halves the time of
// these products on one thread.
//
// Layout: W (N, K) is cut into panels of kPanel = 2·(SIMD width) of its rows (output
// columns). Panel p stores, for k = 0 .. K-1, the kPanel values W[p·kPanel + j][k]
// (j < kPanel) contiguously, zero past row N:
//   packed[(p·K + k)·kPanel + j] = W[p·kPanel + j][k]
// A tile of kRows rows of X by one panel is 2·kRows SIMD accumulators; every k costs
// two aligned loads of the panel and kRows broadcasts of X, which each call first
// rearranges tile by tile (the kRows values of a column side by side) into a buffer per
// thread, so the broadcasts read one stream. Sums run over k in order, so
// results are deterministic (and, on the shapes measured, equal to OpenBLAS's bit for bit).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "nmtx/core/graph.h"
#include "nmtx/core/packed_weights.h"

namespace nmtx {

class PackedWeight {
 public:
  PackedWeight(const float* W, std::size_t N, std::size_t K);
  std::size_t rows() const { return N_; }  // N: outputs
  std::size_t cols() const { return K_; }  // K: inputs
  const float* panel(std::size_t p) const { return data_.data() + p * K_ * kPanel; }
  static constexpr std::size_t kPanel = 2 * xsimd::batch<float>::size;

 private:
  std::size_t N_, K_;
  std::vector<float, xsimd::aligned_allocator<float, 64>> data_;
};

// C (M, N) = X (M, K) · Wᵀ [+ bias on every row] + beta · C, beta 0 or 1, bias (N) or
// null; X and C row-major and contiguous. The bias is added with the sums, not in a pass
// of its own.
void gemm_packed(std::size_t M, const float* X, const PackedWeight& W, const float* bias, float beta, float* C);

// Packed weights by the address of the parameter's values, each packed on first use
// (thread-safe, though each decoding thread has its own PackedWeightsScope: the kernel ran
// 25% slower at toy size reading one copy from both cores). Weights above kMaxElements are not
// packed (null): the product then streams the weight from memory either way, and a copy
// per decoding call and thread costs more than it saves (measured: large decoding, a
// 16,000 x 512 output layer, fell from 192 to 149-178 sentences/s with it packed).
class WeightPacks {
 public:
  static constexpr std::size_t kMaxElements = std::size_t{1} << 22;  // 16 MiB of floats
  const PackedWeight* get(const float* W, std::size_t N, std::size_t K);

 private:
  std::mutex mutex_;
  std::unordered_map<const float*, std::unique_ptr<PackedWeight>> packs_;
};

// The packed copy of the weight node W when a PackedWeightsScope is in force on this
// thread, W's graph has gradients off, W is a parameter of rank 2 and not too large to
// pack (WeightPacks::kMaxElements); else null.
const PackedWeight* packed_weight(const Expr& W);

// C (M, N) = X (M, K) · Wᵀ [+ bias on every row] + beta · C for a weight node W (N, K),
// beta 0 or 1, bias (N) or null: through packed_weight(W) when there is one, otherwise
// sgemm. What ops call for x · Wᵀ + b products with a weight.
void gemm_weight(const Expr& W, std::size_t M, const float* X, const float* bias, float beta, float* C);

}  // namespace nmtx
