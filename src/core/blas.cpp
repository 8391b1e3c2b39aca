// Calls OpenBLAS's cblas directly: xt::linalg::dot always allocates its result and has no
// beta, and backward needs C += A·B. (This file must not include xtensor-blas: its
// cblas declarations clash with <cblas.h>.)
#include "nmtx/core/blas.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>

namespace nmtx {

namespace {
std::atomic<std::uint64_t> flops{0};  // decoding threads multiply at the same time
}

std::uint64_t gemm_flop_count() { return flops.load(std::memory_order_relaxed); }

void count_gemm_flops(std::size_t M, std::size_t N, std::size_t K) {
  flops.fetch_add(2ull * M * N * K, std::memory_order_relaxed);
}

void gemm(bool transpose_a, bool transpose_b, std::size_t M, std::size_t N, std::size_t K,
          float alpha, const float* A, const float* B, float beta, float* C) {
  if (M == 0 || N == 0) return;
  count_gemm_flops(M, N, K);
  if (K == 0) {  // an empty sum; BLAS would reject the zero leading dimension
    for (std::size_t i = 0; i < M * N; ++i) C[i] = beta == 0.0f ? 0.0f : beta * C[i];
    return;
  }
  const int lda = static_cast<int>(transpose_a ? M : K);
  const int ldb = static_cast<int>(transpose_b ? K : N);
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(M), static_cast<int>(N),
              static_cast<int>(K), alpha, A, lda, B, ldb, beta, C, static_cast<int>(N));
}

// Only when the count changes: setting it starts OpenBLAS's workers again if they were
// stopped (stop_blas_workers), even to the count it had.
void set_blas_threads(int n) {
  n = std::max(1, n);
  if (openblas_get_num_threads() != n) openblas_set_num_threads(n);
}

// OpenBLAS's internal shutdown (what its fork handler calls): the next product that uses
// more than one thread starts the workers again. Weak, so a BLAS without it links too.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

void stop_blas_workers() {
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

void use_one_blas_thread() {
  set_blas_threads(1);
  stop_blas_workers();
}

int blas_threads() { return openblas_get_num_threads(); }

}  // namespace nmtx
