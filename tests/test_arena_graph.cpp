// The arena, the tape, and no-grad mode.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "grad_test.h"
#include "nmtx/core/params.h"

using namespace nmtx;

TEST_CASE("the arena hands out aligned memory and reuses it after clear()") {
  Arena arena;
  for (std::size_t n : {1, 3, 17, 1000}) {
    const float* p = arena.allocate(n);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
  }
  // Overflow the first chunk; after clear() one chunk holds a whole round.
  for (int i = 0; i < 10; ++i) arena.allocate(1 << 17);
  const std::size_t reserved = arena.bytes_reserved();
  arena.clear();
  CHECK(arena.bytes_in_use() == 0);
  for (int i = 0; i < 10; ++i) arena.allocate(1 << 17);
  CHECK(arena.bytes_reserved() == reserved);
  arena.clear();
  for (int i = 0; i < 10; ++i) arena.allocate(1 << 17);
  CHECK(arena.bytes_reserved() == reserved);  // steady state: nothing new
}

TEST_CASE("a graph records one node per op and backward visits them in reverse") {
  Graph g;
  const Expr x = g.variable(TensorData({2}, {1.0f, -2.0f}));
  const Expr y = tanh(scale(x, 0.5f));
  const Expr loss = sum(y);
  REQUIRE(g.size() == 4);
  CHECK(g.op_of(x.id()) == Op::leaf);
  CHECK(g.op_of(y.id()) == Op::tanh);
  CHECK(g.op_of(loss.id()) == Op::sum);
  g.backward(loss);
  // d/dx tanh(x/2) = (1 - tanh²(x/2)) / 2
  CHECK(x.grad()[0] == doctest::Approx((1 - std::pow(std::tanh(0.5), 2)) / 2));
  CHECK(x.grad()[1] == doctest::Approx((1 - std::pow(std::tanh(-1.0), 2)) / 2));
  CHECK_THROWS_AS(g.backward(loss), std::logic_error);  // would add the gradients twice
}

TEST_CASE("backward needs a scalar loss or an explicit seed") {
  Graph g;
  const Expr x = g.variable(TensorData({3}, {1, 2, 3}));
  const Expr y = scale(x, 2.0f);
  CHECK_THROWS_WITH_AS(g.backward(y), doctest::Contains("(3,)"), std::invalid_argument);
  std::vector<float> seed = {1.0f, 0.0f, -1.0f};
  g.backward(y, Tensor(seed.data(), Shape{3}));
  CHECK(x.grad()[0] == 2.0f);
  CHECK(x.grad()[1] == 0.0f);
  CHECK(x.grad()[2] == -2.0f);
}

TEST_CASE("constants get no gradient and backward from constants is an error") {
  Graph g;
  const Expr c = g.constant({2}, {1, 2});
  const Expr y = tanh(c);
  CHECK_FALSE(y.needs_grad());
  CHECK_THROWS_AS(c.grad(), std::logic_error);
  CHECK_THROWS_AS(g.backward(sum(y)), std::logic_error);
}

TEST_CASE("no-grad mode computes the same values and records nothing for backward") {
  ParameterSet ps(3);
  const Parameter w = ps.add("w", Shape{3, 4}, Init::uniform(1.0f));
  const TensorData input = nmtx::test::random_tensor({2, 4}, 1);
  auto forward = [&](Graph& g) { return softmax(tanh(matmul(g.constant(input), g.param(w), false, true))); };
  Graph with_grad, without;
  const Expr a = forward(with_grad);
  std::size_t before = 0;
  Expr b;
  {
    NoGradScope scope(without);
    b = forward(without);
    CHECK_FALSE(b.needs_grad());
    before = without.arena_bytes();
  }
  CHECK(without.grad_enabled());  // restored by the scope
  REQUIRE(a.value().size() == b.value().size());
  for (std::size_t i = 0; i < a.value().size(); ++i) CHECK(a.value()[i] == b.value()[i]);
  CHECK_THROWS_AS(without.backward(sum(b)), std::logic_error);
  CHECK(without.arena_bytes() > before);  // the sum's value; no gradient was allocated
  for (std::size_t i = 0; i < 12; ++i) CHECK(w.grad()[i] == 0.0f);
}

TEST_CASE("an Expr from another graph or a cleared graph is rejected") {
  Graph g1, g2;
  const Expr x = g1.constant({1}, {1});
  const Expr y = g2.constant({1}, {2});
  CHECK_THROWS_AS(add(x, y).value(), std::logic_error);
  g1.clear();
  CHECK_THROWS_AS(x.value(), std::logic_error);
  g1.constant({1}, {3});  // a new node 0: the old handle still must not reach it
  CHECK_THROWS_AS(x.value(), std::logic_error);
}

TEST_CASE("rewind forgets a step's nodes and memory, keeping copies of the state it names") {
  Graph g;
  NoGradScope no_grad(g);
  const Expr w = g.constant({3}, {0.5f, -1.0f, 2.0f});  // before the mark: untouched
  Expr h = g.constant({3}, {1.0f, 2.0f, 3.0f});
  const Graph::Mark m = g.mark();
  const std::size_t nodes_at_mark = g.size(), bytes_at_mark = g.arena_bytes();
  std::vector<float> expected = {1.0f, 2.0f, 3.0f};
  std::size_t nodes_after_first = 0, bytes_after_first = 0;
  for (int step = 0; step < 5; ++step) {
    CAPTURE(step);
    const Expr scratch = tanh(g.constant({1000}, std::vector<float>(1000, 0.25f).data()));  // a step's temporaries
    const Expr next = add(mul(h, w), scratch.value()[0] > 0 ? h : w);
    for (std::size_t i = 0; i < 3; ++i) expected[i] = expected[i] * std::vector<float>{0.5f, -1.0f, 2.0f}[i] + expected[i];
    h = next;
    g.rewind(m, {&h});
    REQUIRE(h.shape() == Shape{3});
    for (std::size_t i = 0; i < 3; ++i) CHECK(h.value()[i] == expected[i]);
    CHECK(w.value()[2] == 2.0f);
    CHECK_THROWS_AS(scratch.value(), std::logic_error);  // forgotten: a stale handle
    if (step == 0) {
      nodes_after_first = g.size();
      bytes_after_first = g.arena_bytes();
    }
    // Each step ends where the first did: the mark's nodes plus the kept copy.
    CHECK(g.size() == nodes_at_mark + 1);
    CHECK(g.size() == nodes_after_first);
    CHECK(g.arena_bytes() == bytes_after_first);
    CHECK(g.arena_bytes() < bytes_at_mark + 1000 * sizeof(float));
  }
  // A kept node from before the mark stays itself.
  Expr before = w;
  g.rewind(m, {&before});
  CHECK(before.id() == w.id());
  CHECK(g.size() == nodes_at_mark);
}

TEST_CASE("rewind keeps a node named twice once, and a parameter as the same parameter") {
  ParameterSet params(3);
  const Parameter W = params.add("W", {2, 2}, Init::constant(0.5f));
  Graph g;
  NoGradScope no_grad(g);
  const Graph::Mark m = g.mark();
  g.constant({100}, std::vector<float>(100, 1.0f).data());  // forgotten
  Expr w = g.param(W);
  Expr x = g.constant({2}, {3.0f, 4.0f});
  Expr x_again = x;
  g.rewind(m, {&x, &w, &x_again});
  REQUIRE(g.size() == m.nodes + 2);  // x once, w once
  CHECK(x.id() == x_again.id());
  REQUIRE(x.shape() == Shape{2});
  CHECK(x.value()[1] == 4.0f);
  CHECK(g.is_parameter(w));
  CHECK(w.value().data() == W.value().data());  // the parameter's own values, not a copy
}

TEST_CASE("rewind refuses a graph that records gradients") {
  Graph g;
  const Graph::Mark m = g.mark();
  g.variable(TensorData({1}, {1.0f}));
  CHECK_THROWS_AS(g.rewind(m), std::logic_error);
}

TEST_CASE("ops give the same result wherever the tape grows (no reference into the tape survives a record)") {
  // Regression: bmm once read its operands' shapes through references into the node
  // vector after recording its own node; when that append reallocated the vector the
  // second batch entry was computed from freed memory. Freed memory usually still holds
  // the old bytes, so it is the sanitizer build (CI) that reports a regression here, as a
  // heap-use-after-free; the Release build checks the values.
  const TensorData a = nmtx::test::random_tensor({2, 1, 6}, 1), b = nmtx::test::random_tensor({2, 6, 4}, 2);
  std::vector<float> first;
  for (int prefix = 0; prefix < 40; ++prefix) {
    CAPTURE(prefix);
    Graph g;
    for (int i = 0; i < prefix; ++i) g.constant({1}, {0.0f});
    const Expr y = bmm(g.constant(a), g.constant(b));
    const Expr z = concat({reshape(y, {8}), reshape(matmul(reshape(g.constant(b), {12, 4}), reshape(g.constant(a), {3, 4}), false, true), {36})}, 0);
    std::vector<float> values(z.value().data(), z.value().data() + z.value().size());
    if (prefix == 0) first = values;
    CHECK(values == first);
  }
}
