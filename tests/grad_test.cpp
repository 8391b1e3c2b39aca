#include "grad_test.h"

#include <cmath>

#include "nmtx/core/rng.h"

namespace nmtx::test {

std::set<Op>& ops_with_gradient_tests() {
  static std::set<Op> ops;
  return ops;
}

bool register_gradient_test(Op op) {
  ops_with_gradient_tests().insert(op);
  return true;
}

void expect_gradients(Op op, const GradCheckFunction& f, const std::vector<TensorData>& inputs,
                      GradCheckOptions options) {
  const GradCheckReport report = check_gradients(f, inputs, options);
  std::size_t elements = 0;
  for (const TensorData& t : inputs) elements += t.values.size();
  INFO("op ", op_name(op), "; failures:\n", report.failures);
  CHECK(report.uses(op));
  CHECK(report.checked == elements);
  CHECK(report.ok);
}

TensorData random_tensor(const Shape& shape, std::uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  TensorData t(shape);
  for (float& v : t.values) v = rng.uniform(lo, hi);
  return t;
}

TensorData away_from_zero(const Shape& shape, std::uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  TensorData t(shape);
  for (float& v : t.values) v = (rng.uniform() < 0.5f ? -1.0f : 1.0f) * rng.uniform(lo, hi);
  return t;
}

double log_softmax_at(const float* row, std::size_t n, std::size_t target) {
  double m = row[0], z = 0;
  for (std::size_t k = 1; k < n; ++k) m = std::max<double>(m, row[k]);
  for (std::size_t k = 0; k < n; ++k) z += std::exp(row[k] - m);
  return row[target] - m - std::log(z);
}

}  // namespace nmtx::test
