#include "grad_test.h"

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

}  // namespace nmtx::test
