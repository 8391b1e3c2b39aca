// Forward values against numbers computed by hand (or, for matmul on odd sizes, by a
// plain-loop reference and by xtensor-blas's dot), never only against the engine itself.
// Sizes are asserted before elements.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <xtensor-blas/xlinalg.hpp>

#include "core/xt.h"
#include "grad_test.h"
#include "nmtx/core/error.h"
#include "nmtx/core/rng.h"
#include "nmtx/core/row_kernels.h"

using namespace nmtx;
using nmtx::test::random_tensor;

namespace {

void expect_values(const Expr& e, const Shape& shape, const std::vector<float>& want, float tol = 1e-6f) {
  REQUIRE(e.shape() == shape);
  REQUIRE(e.value().size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    // Zeros and infinities are exact: masked positions must be exactly 0 (or -inf).
    if (want[i] == 0.0f || std::isinf(want[i])) CHECK(e.value()[i] == want[i]);
    else CHECK(e.value()[i] == doctest::Approx(want[i]).epsilon(tol));
  }
}

// C = op(A) op(B) by three plain loops: the independent reference for the sgemm path.
std::vector<float> naive_matmul(const TensorData& a, const TensorData& b, bool ta, bool tb) {
  const std::size_t M = ta ? a.shape[1] : a.shape[0], K = ta ? a.shape[0] : a.shape[1];
  const std::size_t N = tb ? b.shape[0] : b.shape[1];
  std::vector<float> c(M * N, 0.0f);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        const float av = ta ? a.values[k * M + i] : a.values[i * K + k];
        const float bv = tb ? b.values[j * K + k] : b.values[k * N + j];
        acc += static_cast<double>(av) * bv;
      }
      c[i * N + j] = static_cast<float>(acc);
    }
  return c;
}

}  // namespace

TEST_CASE("matmul by hand") {
  Graph g;
  const Expr a = g.constant({2, 3}, {1, 2, 3, 4, 5, 6});
  const Expr b = g.constant({3, 2}, {1, 0, 0, 1, 1, 1});
  // [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [1+3, 2+3; 4+6, 5+6]
  expect_values(matmul(a, b), {2, 2}, {4, 5, 10, 11});
  // aᵀ (3, 2) · a (2, 3): row i, column j = a[0,i] a[0,j] + a[1,i] a[1,j]
  expect_values(matmul(a, a, true, false), {3, 3}, {17, 22, 27, 22, 29, 36, 27, 36, 45});
  // a · bᵀ needs b (2, 3): bᵀ of the (3, 2) b above is [1 0 1; 0 1 1]
  const Expr bt = g.constant({2, 3}, {1, 0, 1, 0, 1, 1});
  expect_values(matmul(a, bt, false, true), {2, 2}, {4, 5, 10, 11});
}

TEST_CASE("matmul agrees with a plain-loop reference and xtensor-blas on odd sizes") {
  const std::size_t M = 7, K = 13, N = 5;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(ta);
      CAPTURE(tb);
      const TensorData a = random_tensor(ta ? Shape{K, M} : Shape{M, K}, 10 + ta);
      const TensorData b = random_tensor(tb ? Shape{N, K} : Shape{K, N}, 20 + tb);
      Graph g;
      const Expr c = matmul(g.constant(a), g.constant(b), ta, tb);
      expect_values(c, {M, N}, naive_matmul(a, b, ta, tb), 1e-5f);
      // xtensor-blas, on explicitly transposed copies
      xt::xtensor<float, 2> A = xtv::as<2>(Tensor(const_cast<float*>(a.values.data()), a.shape));
      xt::xtensor<float, 2> B = xtv::as<2>(Tensor(const_cast<float*>(b.values.data()), b.shape));
      if (ta) A = xt::transpose(A);
      if (tb) B = xt::transpose(B);
      const xt::xtensor<float, 2> want = xt::linalg::dot(A, B);
      REQUIRE(want.size() == c.value().size());
      for (std::size_t i = 0; i < want.size(); ++i) CHECK(c.value()[i] == doctest::Approx(want.data()[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("bmm agrees with a plain-loop reference for every transpose") {
  // (M, K, N): a general product, and the matrix-vector shapes attention uses (N = 1:
  // scores, M = 1: context), which bmm computes with vector loops instead of sgemm.
  const std::size_t shapes[][3] = {{4, 5, 2}, {20, 37, 1}, {1, 37, 20}, {1, 3, 1}};
  const std::size_t B = 3;
  for (const auto& mkn : shapes) {
  const std::size_t M = mkn[0], K = mkn[1], N = mkn[2];  // not a structured binding: CAPTURE needs variables
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(M);
      CAPTURE(K);
      CAPTURE(N);
      CAPTURE(ta);
      CAPTURE(tb);
      const Shape sa = ta ? Shape{K, M} : Shape{M, K};
      const Shape sb = tb ? Shape{N, K} : Shape{K, N};
      TensorData a(Shape{B, sa[0], sa[1]}), b(Shape{B, sb[0], sb[1]});
      std::vector<float> want;
      for (std::size_t i = 0; i < B; ++i) {
        const TensorData ai = random_tensor(sa, 30 + i), bi = random_tensor(sb, 40 + i);
        std::copy(ai.values.begin(), ai.values.end(), a.values.begin() + i * sa.size());
        std::copy(bi.values.begin(), bi.values.end(), b.values.begin() + i * sb.size());
        const std::vector<float> ci = naive_matmul(ai, bi, ta, tb);
        want.insert(want.end(), ci.begin(), ci.end());
      }
      Graph g;
      expect_values(bmm(g.constant(a), g.constant(b), ta, tb), {B, M, N}, want, 1e-5f);
    }
  }
  }
}

TEST_CASE("transpose, unfold and maxout by hand") {
  Graph g;
  expect_values(transpose(g.constant({2, 3}, {1, 2, 3, 4, 5, 6}), {1, 0}), {3, 2}, {1, 4, 2, 5, 3, 6});
  const Expr x = g.constant({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_values(transpose(x, {1, 0, 2}), {2, 2, 2}, {0, 1, 4, 5, 2, 3, 6, 7});  // y[i,j,k] = x[j,i,k]
  expect_values(transpose(x, {2, 0, 1}), {2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7});  // y[i,j,k] = x[j,k,i]
  // windows of 3 around each position, zero-padded at both ends
  expect_values(unfold(g.constant({1, 3}, {1, 2, 3}), 3), {1, 3, 3}, {0, 1, 2, 1, 2, 3, 2, 3, 0});
  expect_values(unfold(g.constant({2, 2}, {1, 2, 3, 4}), 1), {2, 2, 1}, {1, 2, 3, 4});
  expect_values(maxout(g.constant({2, 4}, {1, 5, -2, -3, 0, 0, 7, 8}), 2), {2, 2}, {5, -2, 0, 8});
  expect_values(div(g.constant({2, 2}, {1, 2, 3, 4}), g.constant({2}, {2, 4})), {2, 2}, {0.5f, 0.5f, 1.5f, 1.0f});
}

TEST_CASE("element-wise and broadcasting by hand") {
  Graph g;
  const Expr m = g.constant({2, 2}, {1, 2, 3, 4});
  expect_values(add(m, g.constant({2}, {10, 20})), {2, 2}, {11, 22, 13, 24});
  expect_values(sub(g.constant({2}, {10, 20}), m), {2, 2}, {9, 18, 7, 16});
  expect_values(add(g.constant({2, 1}, {1, 2}), g.constant({1, 3}, {10, 20, 30})), {2, 3}, {11, 21, 31, 12, 22, 32});
  expect_values(mul(m, g.constant({2, 1}, {2, -1})), {2, 2}, {2, 4, -3, -4});
  expect_values(mul(m, g.constant({}, {0.5f})), {2, 2}, {0.5f, 1, 1.5f, 2});
  // (2, 2, 2) + (2, 1): broadcast along the last and the first axis at once
  const Expr cube = g.constant({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_values(add(cube, g.constant({2, 1}, {100, 200})), {2, 2, 2}, {100, 101, 202, 203, 104, 105, 206, 207});
  expect_values(scale(m, -2.0f), {2, 2}, {-2, -4, -6, -8});
  expect_values(tanh(g.constant({2}, {0.5f, 0.0f})), {2}, {0.46211716f, 0.0f});
  expect_values(sigmoid(g.constant({3}, {1.0f, -2.0f, 0.0f})), {3}, {0.73105858f, 0.11920292f, 0.5f});
  expect_values(relu(g.constant({3}, {-1.5f, 0.0f, 2.5f})), {3}, {0.0f, 0.0f, 2.5f});
  expect_values(exp(g.constant({2}, {1.0f, 0.0f})), {2}, {2.71828183f, 1.0f});
  expect_values(log(g.constant({2}, {2.0f, 1.0f})), {2}, {0.69314718f, 0.0f});
  expect_values(select(g.constant({2, 1}, {1, 0}), m, scale(m, 10.0f)), {2, 2}, {1, 2, 30, 40});
}

TEST_CASE("softmax and log-softmax by hand, with masks") {
  Graph g;
  const Expr x = g.constant({1, 3}, {1, 2, 3});
  expect_values(softmax(x), {1, 3}, {0.09003057f, 0.24472847f, 0.66524096f});
  expect_values(log_softmax(x), {1, 3}, {-2.40760596f, -1.40760596f, -0.40760596f});
  const Expr mask = g.constant({1, 3}, {1, 1, 0});
  // softmax over (1, 2) only; the masked position is exactly 0
  expect_values(softmax(x, -1, mask), {1, 3}, {0.26894142f, 0.73105858f, 0.0f});
  const float inf = std::numeric_limits<float>::infinity();
  expect_values(log_softmax(x, -1, mask), {1, 3}, {-1.31326169f, -0.31326169f, -inf});
  // Large logits do not overflow.
  expect_values(softmax(g.constant({2}, {1000, 1001})), {2}, {0.26894142f, 0.73105858f});
  // Along the first axis: each column is softmax(1, 3).
  expect_values(softmax(g.constant({2, 2}, {1, 1, 3, 3}), 0), {2, 2}, {0.11920292f, 0.11920292f, 0.88079708f, 0.88079708f});
  // A fully masked row is all 0, not NaN; a masked position holding +inf stays exactly 0.
  expect_values(softmax(g.constant({2, 2}, {1, 2, 5, inf}), -1, g.constant({2, 2}, {0, 0, 1, 0})), {2, 2}, {0, 0, 1, 0});
}

TEST_CASE("losses by hand") {
  Graph g;
  // logp = log(0.2, 0.5, 0.3), target 1: -log 0.5
  const Expr logp = g.constant({1, 3}, {std::log(0.2f), std::log(0.5f), std::log(0.3f)});
  expect_values(nll_loss(logp, {1}), {}, {0.69314718f});
  // ε = 0.1: 0.9 · (-log 0.5) + 0.1 · (1/3) · (-(log 0.2 + log 0.5 + log 0.3))
  expect_values(nll_loss(logp, {1}, 0.1f), {}, {0.74071773f});
  // logits (1, 2, 3), target 0: log(e + e² + e³) - 1
  const Expr logits = g.constant({2, 3}, {1, 2, 3, 5, 5, 5});
  expect_values(cross_entropy(logits, {0, 2}, g.constant({2}, {1, 0})), {}, {2.40760596f});
  // ε = 0.1: 0.9 (lse - 1) + 0.1 (lse - mean(1, 2, 3)); the second row adds log 3 unmasked
  expect_values(cross_entropy(logits, {0, 2}, g.constant({2}, {1, 0}), 0.1f), {}, {2.30760596f});
  expect_values(cross_entropy(logits, {0, 2}), {}, {2.40760596f + std::log(3.0f)});
}

TEST_CASE("cross_entropy equals nll_loss of log_softmax, values and gradients") {
  const TensorData logits = random_tensor({4, 7}, 3, -3.0f, 3.0f);
  const std::vector<int> targets = {6, 0, 3, 3};
  const TensorData mask({4}, {1, 1, 0, 1});
  for (float eps : {0.0f, 0.15f}) {
    CAPTURE(eps);
    Graph g1, g2;
    const Expr x1 = g1.variable(logits), x2 = g2.variable(logits);
    const Expr fused = cross_entropy(x1, targets, g1.constant(mask), eps);
    const Expr composed = nll_loss(log_softmax(x2), targets, g2.constant(mask), eps);
    CHECK(fused.item() == doctest::Approx(composed.item()).epsilon(1e-6));
    g1.backward(fused);
    g2.backward(composed);
    REQUIRE(x1.grad().size() == x2.grad().size());
    for (std::size_t i = 0; i < x1.grad().size(); ++i) CHECK(x1.grad()[i] == doctest::Approx(x2.grad()[i]).epsilon(1e-5));
  }
}

TEST_CASE("cross_entropy_in_place: the same loss and the same gradient bits, written over the logits") {
  const TensorData logits = random_tensor({4, 7}, 5, -3.0f, 3.0f);
  const std::vector<int> targets = {1, 6, 0, 2};
  const TensorData mask({4}, {1, 0, 1, 1});
  Graph g1, g2;
  const Expr x1 = g1.variable(logits), x2 = g2.variable(logits);
  const Expr y1 = 2.0f * x1, y2 = 2.0f * x2;  // logits made by an op, as the model's are
  const Expr kept = cross_entropy(y1, targets, g1.constant(mask), 0.1f);
  const Expr over = cross_entropy_in_place(y2, targets, g2.constant(mask), 0.1f);
  CHECK(kept.item() == over.item());
  g1.backward(kept);
  g2.backward(over);
  REQUIRE(y1.grad().size() == y2.grad().size());
  CHECK(y2.grad().data() == y2.value().data());  // one buffer
  CHECK(y1.grad().data() != y1.value().data());
  for (std::size_t i = 0; i < y1.grad().size(); ++i) CHECK(y1.grad()[i] == y2.grad()[i]);
  REQUIRE(x1.grad().size() == x2.grad().size());
  for (std::size_t i = 0; i < x1.grad().size(); ++i) CHECK(x1.grad()[i] == x2.grad()[i]);
  CHECK_THROWS_AS(y2.grad_over_value(), std::logic_error);  // it has a gradient already
}

TEST_CASE("structure ops by hand") {
  Graph g;
  const Expr a = g.constant({2, 2}, {1, 2, 3, 4});
  const Expr b = g.constant({2, 1}, {5, 6});
  expect_values(concat({a, b}, 1), {2, 3}, {1, 2, 5, 3, 4, 6});
  expect_values(concat({a, a}, 0), {4, 2}, {1, 2, 3, 4, 1, 2, 3, 4});
  const Expr c = g.constant({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  expect_values(slice(c, 1, 1, 2), {3, 2}, {2, 3, 5, 6, 8, 9});
  expect_values(slice(c, 0, 2, 1), {1, 3}, {7, 8, 9});
  const auto parts = split(c, 0, {1, 2});
  REQUIRE(parts.size() == 2);
  expect_values(parts[0], {1, 3}, {1, 2, 3});
  expect_values(parts[1], {2, 3}, {4, 5, 6, 7, 8, 9});
  expect_values(reshape(a, {4}), {4}, {1, 2, 3, 4});
  expect_values(stack({a, scale(a, 2.0f)}), {2, 2, 2}, {1, 2, 3, 4, 2, 4, 6, 8});
  expect_values(gather_rows(c, {2, 0, 2}), {3, 3}, {7, 8, 9, 1, 2, 3, 7, 8, 9});
  CHECK_THROWS_WITH_AS(gather_rows(c, {3}), doctest::Contains("row 3 is outside the first axis"), ShapeError);
}

TEST_CASE("reductions and embedding by hand") {
  Graph g;
  const Expr x = g.constant({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_values(sum(x), {}, {21});
  expect_values(mean(x), {}, {3.5f});
  expect_values(sum(x, 0), {3}, {5, 7, 9});
  expect_values(sum(x, -1), {2}, {6, 15});
  expect_values(mean(x, 1), {2}, {2, 5});
  const Expr table = g.constant({3, 2}, {0, 1, 10, 11, 20, 21});
  expect_values(embedding(table, {2, 0, 2}), {3, 2}, {20, 21, 0, 1, 20, 21});
}

TEST_CASE("local-p Gaussian window by hand") {
  Graph g;
  // p = 1.5, D = 2, σ = 1, sentence length 4 of 5 positions: window [0, 3];
  // w(s) = exp(-(s - 1.5)² / 2) inside it.
  // p = 4.0, D = 1, length 5: window [3, 4] (5 is past the sentence); w(3) = e^{-1/2}, w(4) = 1.
  const Expr p1 = g.constant({1}, {1.5f});
  const Expr w1 = gaussian_window(p1, local_window_mask(p1, {4}, 5, 2.0f), 1.0f);
  expect_values(w1, {1, 5}, {0.32465247f, 0.88249690f, 0.88249690f, 0.32465247f, 0.0f});
  const Expr p2 = g.constant({1, 1}, {4.0f});
  const Expr mask2 = local_window_mask(p2, {5}, 6, 1.0f);
  expect_values(mask2, {1, 6}, {0, 0, 0, 1, 1, 0});
  expect_values(gaussian_window(p2, mask2, 0.5f * 2.0f), {1, 6}, {0, 0, 0, 0.60653066f, 1.0f, 0});
}

TEST_CASE("dropout is seeded, scales what it keeps, and p = 0 is the identity") {
  const TensorData ones(Shape{100, 50}, 1.0f);
  Graph g;
  const Expr x = g.constant(ones);
  Rng r1(5), r2(5), r3(6);
  const Expr y1 = dropout(x, 0.25f, r1), y2 = dropout(x, 0.25f, r2), y3 = dropout(x, 0.25f, r3);
  std::size_t dropped = 0, same = 0, same_other_seed = 0;
  for (std::size_t i = 0; i < ones.values.size(); ++i) {
    const float v = y1.value()[i];
    CHECK((v == 0.0f || v == doctest::Approx(1.0f / 0.75f)));
    dropped += v == 0.0f;
    same += v == y2.value()[i];
    same_other_seed += v == y3.value()[i];
  }
  CHECK(same == ones.values.size());
  CHECK(same_other_seed < ones.values.size());
  // 5000 draws at p = 0.25: 1250 expected, standard deviation about 31.
  CHECK(dropped > 1100);
  CHECK(dropped < 1400);
  Rng r4(5);
  CHECK(dropout(x, 0.0f, r4).id() == x.id());
}

TEST_CASE("additive_energy equals its composition from primitive ops, values and gradients") {
  const TensorData keys = random_tensor({3, 5, 7}, 1), q = random_tensor({3, 7}, 2), v = random_tensor({7}, 3),
                   extra = random_tensor({3, 5, 7}, 4);
  for (bool with_extra : {false, true}) {
    CAPTURE(with_extra);
    std::vector<std::vector<float>> results;
    for (bool fused : {true, false}) {
      Graph g;
      const Expr k = g.variable(keys), qq = g.variable(q), vv = g.variable(v), ex = g.variable(extra);
      const Expr e = fused ? additive_energy(k, qq, vv, with_extra ? ex : Expr())
                           : additive_energy_reference(k, qq, vv, with_extra ? ex : Expr());
      g.backward(sum(mul(e, e)));
      std::vector<float> r(e.value().data(), e.value().data() + e.value().size());
      for (const Expr& x : {k, qq, vv, ex}) r.insert(r.end(), x.grad().data(), x.grad().data() + x.grad().size());
      results.push_back(r);
    }
    REQUIRE(results[0].size() == results[1].size());
    for (std::size_t i = 0; i < results[0].size(); ++i) CHECK(results[0][i] == doctest::Approx(results[1][i]).epsilon(1e-5));
  }
}

TEST_CASE("affine by hand") {
  Graph g;
  // y = x0 W0ᵀ + x1 W1ᵀ + b with x0 = [1 2], W0 = I, x1 = [3], W1 = [10; 20], b = [0.5, -0.5]
  const Expr y = affine({g.constant({1, 2}, {1, 2}), g.constant({1, 1}, {3})},
                        {g.constant({2, 2}, {1, 0, 0, 1}), g.constant({2, 1}, {10, 20})}, g.constant({2}, {0.5f, -0.5f}));
  REQUIRE(y.shape() == Shape{1, 2});
  CHECK(y.value()[0] == 1 + 30 + 0.5f);  // 1·1 + 2·0 + 3·10 + 0.5
  CHECK(y.value()[1] == 2 + 60 - 0.5f);  // 1·0 + 2·1 + 3·20 - 0.5
}

TEST_CASE("row kernels: argmax and log-sum-exp against plain loops, and the fused form gives the same bits") {
  for (std::size_t n : {1u, 7u, 8u, 9u, 17u, 1000u, 1003u}) {
    CAPTURE(n);
    const TensorData x = random_tensor({n}, static_cast<std::uint64_t>(n) + 5);
    std::vector<float> row(x.values);
    row[n / 2] = 4.0f;  // the maximum, twice: the first one counts
    row[n - 1] = 4.0f;
    double sum = 0.0;
    for (float v : row) sum += std::exp(static_cast<double>(v) - 4.0);
    const double want = 4.0 + std::log(sum);
    CHECK(row_argmax(row.data(), n) == n / 2);
    CHECK(row_log_sum_exp(row.data(), n) == doctest::Approx(want).epsilon(1e-6));
    const RowChoice both = row_argmax_log_sum_exp(row.data(), n);
    CHECK(both.argmax == n / 2);
    CHECK(both.log_sum_exp == row_log_sum_exp(row.data(), n));
  }
}
