// The gradient checker must catch the mistakes backward functions really contain: a
// wrong sign, a gradient sent to the wrong element, a factor of 2, and an assignment
// where an accumulation belongs. Each deliberately broken op below is recorded through
// the same low-level API as the real ops; the correct variant is checked too, so a
// checker that fails everything would not pass this test.
#include <doctest/doctest.h>

#include <stdexcept>

#include <cmath>

#include "grad_test.h"
#include "nmtx/core/params.h"

using namespace nmtx;
using nmtx::test::random_tensor;
using X = std::vector<Expr>;

namespace {

enum class Bug { none, wrong_sign, wrong_index, factor_two, overwrite };

// y = tanh(x) with a backward that has `bug`.
Expr tanh_with(const Expr& x, Bug bug) {
  Graph& g = x.graph();
  Expr y = g.record(Op::tanh, {x}, x.shape());
  for (std::size_t i = 0; i < x.value().size(); ++i) y.value()[i] = std::tanh(x.value()[i]);
  g.on_backward(y, [=] {
    const Tensor dx = x.grad(), dy = y.grad(), v = y.value();
    const std::size_t n = v.size();
    for (std::size_t i = 0; i < n; ++i) {
      const float d = dy[i] * (1.0f - v[i] * v[i]);
      switch (bug) {
        case Bug::none: dx[i] += d; break;
        case Bug::wrong_sign: dx[i] -= d; break;
        case Bug::wrong_index: dx[(i + 1) % n] += d; break;
        case Bug::factor_two: dx[i] += 2.0f * d; break;
        case Bug::overwrite: dx[i] = d; break;
      }
    }
  });
  return y;
}

// y = a ⊙ b whose backward assigns (=) when the bug is set: with a and b the same
// tensor, the second assignment wipes out the first.
Expr mul_with(const Expr& a, const Expr& b, Bug bug) {
  Graph& g = a.graph();
  Expr y = g.record(Op::mul, {a, b}, a.shape());
  for (std::size_t i = 0; i < a.value().size(); ++i) y.value()[i] = a.value()[i] * b.value()[i];
  g.on_backward(y, [=] {
    const Tensor dy = y.grad();
    for (std::size_t i = 0; i < dy.size(); ++i) {
      if (bug == Bug::overwrite) {
        a.grad()[i] = dy[i] * b.value()[i];
        b.grad()[i] = dy[i] * a.value()[i];
      } else {
        a.grad()[i] += dy[i] * b.value()[i];
        b.grad()[i] += dy[i] * a.value()[i];
      }
    }
  });
  return y;
}

GradCheckReport check_tanh(Bug bug) {
  return check_gradients([bug](Graph&, const X& x) { return tanh_with(x[0], bug); }, {random_tensor({2, 3}, 4)});
}

}  // namespace

TEST_CASE("the gradient checker passes a correct backward") {
  const GradCheckReport r = check_tanh(Bug::none);
  INFO(r.failures);
  CHECK(r.ok);
  CHECK(r.checked == 6);
}

TEST_CASE("the gradient checker catches a wrong sign") { CHECK_FALSE(check_tanh(Bug::wrong_sign).ok); }

TEST_CASE("the gradient checker catches a gradient sent to the wrong element") {
  const GradCheckReport r = check_tanh(Bug::wrong_index);
  CHECK_FALSE(r.ok);
  CHECK(r.failures.find("element") != std::string::npos);
}

TEST_CASE("the gradient checker catches a factor of 2") { CHECK_FALSE(check_tanh(Bug::factor_two).ok); }

TEST_CASE("the gradient checker catches an overwrite on x * x") {
  auto square = [](Bug bug) {
    return check_gradients([bug](Graph&, const X& x) { return mul_with(x[0], x[0], bug); }, {random_tensor({4}, 2)});
  };
  CHECK(square(Bug::none).ok);
  CHECK_FALSE(square(Bug::overwrite).ok);
  // An overwriting tanh also fails once its input is used twice downstream.
  const GradCheckReport twice = check_gradients(
      [](Graph&, const X& x) { return add(tanh_with(x[0], Bug::overwrite), tanh_with(x[0], Bug::overwrite)); },
      {random_tensor({3}, 5)});
  CHECK_FALSE(twice.ok);
}

TEST_CASE("the parameter gradient checker passes a correct model and catches a broken one") {
  ParameterSet params(3);
  const Parameter W = params.add("layer.W", Shape{3, 2}, Init::uniform(0.5f));
  const Parameter b = params.add("layer.b", Shape{3}, Init::uniform(0.5f));
  const TensorData input = random_tensor({4, 2}, 9);
  auto model = [&](Bug bug) {
    return [&, bug](Graph& g) {
      const Expr h = add(matmul(g.constant(input), g.param(W), false, true), g.param(b));
      return tanh_with(h, bug);
    };
  };
  const GradCheckReport good = check_parameter_gradients(model(Bug::none), params);
  INFO(good.failures);
  CHECK(good.ok);
  CHECK(good.checked == 9);
  CHECK_FALSE(check_parameter_gradients(model(Bug::factor_two), params).ok);
}

TEST_CASE("at a kink the checker accepts a one-sided slope, and only the right one") {
  // relu at x = 0.004: [x - h, x + h] straddles the kink. The true gradient (1) matches
  // the right-hand slope; a wrong one (0.5, the central difference's average) must fail.
  const TensorData x(Shape{1}, std::vector<float>{0.004f});
  const GradCheckReport good = check_gradients([](Graph&, const X& in) { return relu(in[0]); }, {x});
  CHECK(good.ok);
  CHECK(good.nonsmooth == 1);
  const GradCheckReport wrong = check_gradients([](Graph&, const X& in) {
    Expr y = in[0].graph().record(Op::relu, {in[0]}, in[0].shape());
    y.value()[0] = std::max(0.0f, in[0].value()[0]);
    in[0].graph().on_backward(y, [=] { in[0].grad()[0] += 0.5f * y.grad()[0]; });
    return y;
  }, {x});
  CHECK_FALSE(wrong.ok);
}
