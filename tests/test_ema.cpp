// The moving average of the parameters (train/ema.h) against values computed by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>

#include "nmtx/train/ema.h"

using namespace nmtx;

TEST_CASE("the moving average's decay warms up as (1 + t) / (10 + t) until it reaches the recipe's") {
  CHECK(ema_decay_at(0.999, 1) == static_cast<float>(2.0 / 11.0));
  CHECK(ema_decay_at(0.999, 10) == static_cast<float>(11.0 / 20.0));
  CHECK(ema_decay_at(0.999, 100) == static_cast<float>(101.0 / 110.0));
  CHECK(ema_decay_at(0.9, 80) == static_cast<float>(81.0 / 90.0));  // exactly 0.9 at t = 80
  CHECK(ema_decay_at(0.9, 81) == 0.9f);
  CHECK(ema_decay_at(0.9, 100000) == 0.9f);
}

TEST_CASE("the moving average follows d * average + (1 - d) * parameters, step by step") {
  ParameterSet params(1), average(1);
  for (ParameterSet* p : {&params, &average}) {
    p->add("w", Shape{2, 2}, Init::zeros());
    p->add("b", Shape{1}, Init::zeros());
  }
  REQUIRE(params.numel() == 5);
  const float start[5] = {1.0f, -2.0f, 0.5f, 4.0f, 0.0f};
  std::copy_n(start, 5, params.values());
  std::copy_n(start, 5, average.values());  // θ̄_0 = θ_0
  double expected[5];
  std::copy_n(start, 5, expected);
  const float steps[3][5] = {{2, -2, 0, 4, 1}, {3, -1, 0, 5, 1}, {3, 0, -1, 5, 2}};
  for (int t = 1; t <= 3; ++t) {
    std::copy_n(steps[t - 1], 5, params.values());
    const float d = ema_decay_at(0.999, t);
    ema_update(params, average, d);
    if (t == 1) CHECK(average.values()[0] == doctest::Approx(20.0 / 11.0));  // 2/11 · 1 + 9/11 · 2
    for (int i = 0; i < 5; ++i) {
      expected[i] = double(d) * expected[i] + (1.0 - double(d)) * steps[t - 1][i];
      CHECK(average.values()[i] == doctest::Approx(expected[i]).epsilon(1e-6));
    }
  }
}

TEST_CASE("SwappedValues lends one set's values to the other for its lifetime") {
  ParameterSet a(1), b(1);
  a.add("w", Shape{3}, Init::constant(1.0f));
  b.add("w", Shape{3}, Init::constant(2.0f));
  {
    SwappedValues swap(a, b);
    CHECK(a.values()[0] == 2.0f);
    CHECK(b.values()[2] == 1.0f);
  }
  CHECK(a.values()[0] == 1.0f);
  CHECK(b.values()[0] == 2.0f);
  ParameterSet c(1);
  c.add("w", Shape{4}, Init::zeros());
  CHECK_THROWS_AS(SwappedValues(a, c), std::logic_error);
}
