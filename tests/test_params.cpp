// ParameterSet: names, order, blocks, initialisers, and how graphs use parameters.
#include <doctest/doctest.h>

#include <stdexcept>

#include <cmath>

#include "nmtx/core/ops.h"
#include "nmtx/core/params.h"
#include "nmtx/core/rng.h"

using namespace nmtx;

TEST_CASE("parameters are kept sorted by name in one contiguous block") {
  ParameterSet ps(1);
  ps.add("encoder.fwd.W_ih", Shape{4, 3}, Init::zeros());
  ps.add("decoder.attn.W_a", Shape{2, 2}, Init::zeros());
  ps.add("encoder.bwd.W_ih", Shape{4, 3}, Init::zeros());
  const auto all = ps.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].name() == "decoder.attn.W_a");
  CHECK(all[1].name() == "encoder.bwd.W_ih");
  CHECK(all[2].name() == "encoder.fwd.W_ih");
  CHECK(ps.numel() == 12 + 4 + 12);
  CHECK(ps.count() == 3);
  // The blocks are contiguous: each parameter's values sit at its offset in values().
  for (const Parameter& p : all) {
    CHECK(p.value().data() == ps.values() + ps.offset(p));
    CHECK(p.grad().data() == ps.grads() + ps.offset(p));
  }
}

TEST_CASE("duplicate and malformed names are errors") {
  ParameterSet ps;
  ps.add("a.b", Shape{1}, Init::zeros());
  CHECK_THROWS_WITH_AS(ps.add("a.b", Shape{2}, Init::zeros()), doctest::Contains("duplicate parameter name \"a.b\""),
                       std::invalid_argument);
  for (const char* bad : {"", ".a", "a.", "a..b", "a b", "a/b"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(ps.add(bad, Shape{1}, Init::zeros()), std::invalid_argument);
  }
  CHECK_THROWS_WITH_AS(ps.get("a.c"), doctest::Contains("a.b"), std::out_of_range);
}

TEST_CASE("initialisers") {
  ParameterSet ps(42);
  const Parameter u = ps.add("u", Shape{50, 40}, Init::uniform(0.1f));
  const Parameter g = ps.add("g", Shape{30, 20}, Init::glorot_uniform());
  const Parameter z = ps.add("z", Shape{7}, Init::zeros());
  const Parameter c = ps.add("c", Shape{3}, Init::constant(2.5f));
  const Parameter n = ps.add("n", Shape{4000}, Init::normal(2.0f));
  auto bounds = [](const Parameter& p) {
    float lo = 1e9f, hi = -1e9f;
    for (std::size_t i = 0; i < p.value().size(); ++i) {
      lo = std::min(lo, p.value()[i]);
      hi = std::max(hi, p.value()[i]);
    }
    return std::make_pair(lo, hi);
  };
  const auto [ulo, uhi] = bounds(u);
  CHECK(ulo >= -0.1f);
  CHECK(uhi < 0.1f);
  CHECK(uhi - ulo > 0.19f);  // 2000 draws cover the interval
  const float a = std::sqrt(6.0f / (30 + 20));  // Glorot: sqrt(6 / (fan_in + fan_out))
  const auto [glo, ghi] = bounds(g);
  CHECK(glo >= -a);
  CHECK(ghi < a);
  CHECK(ghi - glo > 1.9f * a);
  CHECK(bounds(z) == std::make_pair(0.0f, 0.0f));
  CHECK(bounds(c) == std::make_pair(2.5f, 2.5f));
  double mean = 0, var = 0;
  for (std::size_t i = 0; i < 4000; ++i) mean += n.value()[i] / 4000.0;
  for (std::size_t i = 0; i < 4000; ++i) var += (n.value()[i] - mean) * (n.value()[i] - mean) / 4000.0;
  CHECK(std::abs(mean) < 0.15);              // standard error 2 / sqrt(4000) = 0.03
  CHECK(std::sqrt(var) == doctest::Approx(2.0).epsilon(0.05));
  CHECK_THROWS_AS(ps.add("bias", Shape{5}, Init::glorot_uniform()), std::invalid_argument);
}

TEST_CASE("a parameter's initial values depend on the seed and its name, not on other parameters") {
  ParameterSet first(9), second(9), other_seed(10);
  first.add("x", Shape{5}, Init::uniform(1.0f));
  const Parameter a = first.add("y", Shape{5}, Init::uniform(1.0f));
  const Parameter b = second.add("y", Shape{5}, Init::uniform(1.0f));  // declared alone
  const Parameter c = other_seed.add("y", Shape{5}, Init::uniform(1.0f));
  bool any_different = false;
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(a.value()[i] == b.value()[i]);
    any_different = any_different || a.value()[i] != c.value()[i];
  }
  CHECK(any_different);
}

TEST_CASE("graphs add into parameter gradients and the set is frozen once used") {
  ParameterSet ps;
  const Parameter w = ps.add("w", Shape{3}, Init::constant(2.0f));
  {
    Graph g;
    // loss = Σ w ⊙ w + Σ w: two uses of the same parameter, d loss / dw = 2w + 1 = 5
    const Expr loss = add(sum(mul(g.param(w), g.param(w))), sum(g.param(w)));
    g.backward(loss);
  }
  for (std::size_t i = 0; i < 3; ++i) CHECK(w.grad()[i] == 5.0f);
  {
    Graph g;  // a second pass accumulates on top until zero_grad()
    g.backward(sum(g.param(w)));
  }
  CHECK(w.grad()[0] == 6.0f);
  ps.zero_grad();
  CHECK(w.grad()[0] == 0.0f);
  CHECK_THROWS_AS(ps.add("late", Shape{1}, Init::zeros()), std::logic_error);
}

TEST_CASE("a set without gradients: no gradient block, its parameters are constants to graphs") {
  ParameterSet ps;
  ps.without_gradients();
  const Parameter w = ps.add("w", Shape{3}, Init::constant(2.0f));
  REQUIRE(ps.numel() == 3);
  CHECK(ps.grads() == nullptr);
  CHECK_THROWS_AS(w.grad(), std::logic_error);
  Graph g;  // gradients on: still nothing to differentiate
  const Expr x = g.param(w);
  CHECK(!x.needs_grad());
  CHECK(g.is_parameter(x));
  CHECK(sum(mul(x, x)).item() == 12.0f);
  ParameterSet late;
  late.add("v", Shape{1}, Init::zeros());
  CHECK_THROWS_AS(late.without_gradients(), std::logic_error);  // only before the first add
}

TEST_CASE("an Rng's saved state reproduces its stream, and a bad state is an error") {
  Rng a(123);
  for (int i = 0; i < 10; ++i) a.next_u64();
  const std::string saved = a.state();
  std::vector<std::uint64_t> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(a.next_u64());
  Rng b(999);  // another seed, then the saved state
  b.restore(saved);
  for (std::uint64_t want : expected) CHECK(b.next_u64() == want);
  CHECK_THROWS_AS(b.restore("not a state"), std::invalid_argument);
}
