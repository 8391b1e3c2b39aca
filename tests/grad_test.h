// Shared test helpers: the gradient-test registry behind GRAD_TEST, and deterministic
// test inputs.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "nmtx/core/gradcheck.h"
#include "nmtx/core/ops.h"

namespace nmtx::test {

// The ops that have a GRAD_TEST in this binary, filled during static initialisation
// (so the coverage test sees all of them whichever test case runs).
std::set<Op>& ops_with_gradient_tests();
bool register_gradient_test(Op op);

// Runs the finite-difference checker over `inputs` and requires that every element
// matches and that the graph really used `op` (a GRAD_TEST cannot test another op).
void expect_gradients(Op op, const GradCheckFunction& f, const std::vector<TensorData>& inputs,
                      GradCheckOptions options = {});

// Values uniform in [lo, hi) from `seed`.
TensorData random_tensor(const Shape& shape, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f);
// Values whose magnitude is in [lo, hi) with random signs: away from a kink at 0.
TensorData away_from_zero(const Shape& shape, std::uint64_t seed, float lo = 0.1f, float hi = 1.0f);

// log softmax(row)[target] over n logits, in plain double arithmetic: an independent
// reference for losses and decoding scores.
double log_softmax_at(const float* row, std::size_t n, std::size_t target);

}  // namespace nmtx::test

#define NMTX_CONCAT_(a, b) a##b
#define NMTX_CONCAT(a, b) NMTX_CONCAT_(a, b)
// The gradient test of one op: a doctest case "gradient: OP", counted by the coverage test.
#define GRAD_TEST(op)                                                                                  \
  static const bool NMTX_CONCAT(grad_test_registered_, op) = ::nmtx::test::register_gradient_test(::nmtx::Op::op); \
  TEST_CASE("gradient: " #op)
