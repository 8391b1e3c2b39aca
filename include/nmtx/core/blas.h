// The BLAS calls the engine makes, on contiguous row-major float32 buffers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nmtx {

// C (M, N) = alpha · op(A) · op(B) + beta · C, where op(A) is (M, K) and op(B) is (K, N):
// A is stored (M, K), or (K, M) when transpose_a; B is stored (K, N), or (N, K) when
// transpose_b. beta = 1 accumulates into C (how every backward uses it).
void gemm(bool transpose_a, bool transpose_b, std::size_t M, std::size_t N, std::size_t K,
          float alpha, const float* A, const float* B, float beta, float* C);

// Floating-point operations (2·M·N·K per product) of every gemm since the program
// started: what benchmarks divide by time to report GFLOP/s.
std::uint64_t gemm_flop_count();
// Adds a product computed elsewhere (the packed kernel) to that count.
void count_gemm_flops(std::size_t M, std::size_t N, std::size_t K);

// The number of threads OpenBLAS uses for every later call.
void set_blas_threads(int n);
int blas_threads();
// Ends OpenBLAS's idle worker threads. After a product they spin (sched_yield) for about
// 0.1 s waiting for the next, which takes a core from threads of our own that multiply
// with one BLAS thread each. They start again when set_blas_threads() changes the count
// or a product runs on more than one thread.
void stop_blas_workers();
// For programs whose own threads do the multiplying, one BLAS thread each (decoding,
// shards on threads): the count set to 1 and the idle workers ended, so that they do not
// spin beside those threads (after the library loads, and each time the count changed).
void use_one_blas_thread();

}  // namespace nmtx
