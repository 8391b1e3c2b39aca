// The packed-weight product used by decoding (src/core/packed_gemm.h) against a plain
// loop, and when products use packed weights (PackedWeightsScope).
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/packed_gemm.h"
#include "nmtx/core/blas.h"
#include "nmtx/core/ops.h"
#include "nmtx/core/params.h"
#include "nmtx/core/rng.h"
#include "nmtx/nn/init.h"

using namespace nmtx;

namespace {

std::vector<float> random_values(std::size_t n, Rng& rng) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

// C = X Wᵀ + bias + beta C, in double, one element at a time.
std::vector<float> reference(std::size_t M, std::size_t N, std::size_t K, const std::vector<float>& X,
                             const std::vector<float>& W, const float* bias, float beta, std::vector<float> C) {
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t n = 0; n < N; ++n) {
      double s = 0;
      for (std::size_t k = 0; k < K; ++k) s += static_cast<double>(X[m * K + k]) * W[n * K + k];
      if (bias != nullptr) s += bias[n];
      C[m * N + n] = static_cast<float>(s + beta * C[m * N + n]);
    }
  }
  return C;
}

}  // namespace

TEST_CASE("gemm_packed equals a plain loop for every tail of rows and columns, with and without bias and beta") {
  Rng rng(3);
  const std::size_t panel = PackedWeight::kPanel;
  for (std::size_t M : {1, 5, 8, 9, 17, 32}) {
    for (std::size_t N : {std::size_t{1}, panel - 1, panel, panel + 1, 3 * panel + 5}) {
      for (std::size_t K : {0, 1, 7, 64}) {
        const auto X = random_values(M * K, rng), W = random_values(N * K, rng), b = random_values(N, rng);
        const auto C0 = random_values(M * N, rng);
        const PackedWeight packed(W.data(), N, K);
        REQUIRE(packed.rows() == N);
        REQUIRE(packed.cols() == K);
        for (const bool with_bias : {false, true}) {
          for (const float beta : {0.0f, 1.0f}) {
            CAPTURE(M);
            CAPTURE(N);
            CAPTURE(K);
            CAPTURE(with_bias);
            CAPTURE(beta);
            const float* bias = with_bias ? b.data() : nullptr;
            const auto expected = reference(M, N, K, X, W, bias, beta, C0);
            auto C = C0;
            gemm_packed(M, X.data(), packed, bias, beta, C.data());
            REQUIRE(C.size() == expected.size());
            for (std::size_t i = 0; i < C.size(); ++i) CHECK(C[i] == doctest::Approx(expected[i]).epsilon(1e-5));
          }
        }
      }
    }
  }
  std::vector<float> C(4);
  const std::vector<float> X(4), W(4);
  CHECK_THROWS_AS(gemm_packed(2, X.data(), PackedWeight(W.data(), 2, 2), nullptr, 0.5f, C.data()),
                  std::invalid_argument);
}

TEST_CASE("after OpenBLAS's workers are stopped, products on several BLAS threads start them again and are right") {
  const int before = blas_threads();
  const std::size_t M = 300, N = 280, K = 260;  // big enough for OpenBLAS to split it
  Rng rng(7);
  const std::vector<float> X = random_values(M * K, rng), W = random_values(N * K, rng);
  const std::vector<float> expected = reference(M, N, K, X, W, nullptr, 0.0f, std::vector<float>(M * N, 0.0f));
  for (int threads : {2, 1, 2}) {
    CAPTURE(threads);
    set_blas_threads(threads);
    stop_blas_workers();
    CHECK(blas_threads() == threads);
    std::vector<float> C(M * N, -1.0f);
    gemm(false, true, M, N, K, 1.0f, X.data(), W.data(), 0.0f, C.data());
    REQUIRE(C.size() == expected.size());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < C.size(); ++i) wrong += std::abs(C[i] - expected[i]) > 1e-4f * (1.0f + std::abs(expected[i]));
    CHECK(wrong == 0);
  }
  set_blas_threads(before);
}

TEST_CASE("inside a PackedWeightsScope, graphs without gradients pack parameters once, on this thread, up to a size") {
  ParameterSet params(1);
  ParameterFactory f(params, InitScheme::uniform, 0.5f);
  const Parameter W = f.weight("W", {40, 6});
  const Parameter b = f.bias("b", 40);
  const Parameter huge = f.weight("huge", {WeightPacks::kMaxElements / 2048 + 1, 2048});
  Graph g, other, with_grad;
  NoGradScope no_grad(g), no_grad_other(other);
  CHECK(packed_weight(g.param(W)) == nullptr);  // no scope: sgemm
  {
    PackedWeightsScope scope;
    CHECK(packed_weight(with_grad.param(W)) == nullptr);  // gradients on: never packed
    const PackedWeight* first = packed_weight(g.param(W));
    REQUIRE(first != nullptr);
    CHECK(first->rows() == 40);
    CHECK(first->cols() == 6);
    CHECK(packed_weight(g.param(W)) == first);          // packed once
    CHECK(packed_weight(other.param(W)) == first);      // and shared by the thread's graphs
    CHECK(packed_weight(g.param(b)) == nullptr);        // rank 1
    CHECK(packed_weight(g.param(huge)) == nullptr);     // streamed from memory either way: sgemm
    const TensorData copy(W.shape(), std::vector<float>(W.value().data(), W.value().data() + W.value().size()));
    CHECK(packed_weight(g.constant(copy)) == nullptr);  // not a parameter
    {
      PackedWeightsScope inner;  // scopes nest: the inner one's packs are in force
      const PackedWeight* again = packed_weight(g.param(W));
      REQUIRE(again != nullptr);
      CHECK(again != first);
    }
    CHECK(packed_weight(g.param(W)) == first);  // the outer scope again
    const PackedWeight* elsewhere = first;
    std::thread([&] { elsewhere = packed_weight(g.param(W)); }).join();
    CHECK(elsewhere == nullptr);  // another thread: not in this thread's scope
  }
  CHECK(packed_weight(g.param(W)) == nullptr);  // the scope ended
}

TEST_CASE("affine and GRU cells give the same values with packed weights as with sgemm") {
  ParameterSet params(2);
  ParameterFactory f(params, InitScheme::uniform, 0.5f);
  const Parameter W1 = f.weight("W1", {50, 7}), W2 = f.weight("W2", {50, 3}), b = f.bias("b", 50);
  const Parameter W_hh = f.weight("W_hh", {3 * 9, 9}), b_hh = f.bias("b_hh", 3 * 9);
  Rng rng(5);
  const TensorData x1({11, 7}, random_values(77, rng)), x2({11, 3}, random_values(33, rng));
  const TensorData xp({11, 27}, random_values(297, rng)), h({11, 9}, random_values(99, rng));
  auto run = [&](bool packed) {
    std::optional<PackedWeightsScope> scope;
    if (packed) scope.emplace();
    Graph g;
    NoGradScope no_grad(g);
    const Expr y = affine({g.constant(x1), g.constant(x2)}, {g.param(W1), g.param(W2)}, g.param(b));
    const Expr y1 = affine({g.constant(x1)}, {g.param(W1)}, Expr());
    const Expr s = gru_cell(g.constant(xp), g.constant(h), g.param(W_hh), g.param(b_hh));
    std::vector<float> out;
    for (const Expr& e : {y, y1, s}) out.insert(out.end(), e.value().data(), e.value().data() + e.value().size());
    return out;
  };
  const auto with_sgemm = run(false), with_packs = run(true);
  REQUIRE(with_sgemm.size() == 50 * 11 * 2 + 9 * 11);
  REQUIRE(with_packs.size() == with_sgemm.size());
  for (std::size_t i = 0; i < with_sgemm.size(); ++i) CHECK(with_packs[i] == doctest::Approx(with_sgemm[i]).epsilon(1e-5));
}
