// RNN cells and the bidirectional encoder: values against plain loops written from the
// equations in nmtx/nn/rnn.h (PyTorch's), gradient checks, and padding invariance.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "grad_test.h"
#include "nmtx/core/params.h"
#include "nmtx/nn/encoder.h"
#include "nmtx/nn/rnn.h"

using namespace nmtx;
using nmtx::test::random_tensor;

namespace {

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// a (rows, cols) row r · x
double row_dot(const Tensor& a, std::size_t r, const std::vector<double>& x) {
  const std::size_t cols = a.shape()[1];
  double s = 0;
  for (std::size_t j = 0; j < cols; ++j) s += a[r * cols + j] * x[j];
  return s;
}

// One step for one sentence, by the book: returns (h', c').
std::pair<std::vector<double>, std::vector<double>> reference_step(CellType cell, const RnnWeights& w,
                                                                    const std::vector<double>& x,
                                                                    const std::vector<double>& h,
                                                                    const std::vector<double>& c) {
  const std::size_t H = w.hidden;
  auto xp = [&](std::size_t r) { return row_dot(w.W_ih.value(), r, x) + w.b_ih.value()[r]; };
  auto hp = [&](std::size_t r) { return row_dot(w.W_hh.value(), r, h) + w.b_hh.value()[r]; };
  std::vector<double> h2(H), c2(H);
  for (std::size_t k = 0; k < H; ++k) {
    if (cell == CellType::rnn) {
      h2[k] = std::tanh(xp(k) + hp(k));
    } else if (cell == CellType::gru) {
      const double r = sigm(xp(k) + hp(k)), z = sigm(xp(H + k) + hp(H + k));
      const double n = std::tanh(xp(2 * H + k) + r * hp(2 * H + k));
      h2[k] = (1 - z) * n + z * h[k];
    } else {
      const double i = sigm(xp(k) + hp(k)), f = sigm(xp(H + k) + hp(H + k));
      const double g = std::tanh(xp(2 * H + k) + hp(2 * H + k)), o = sigm(xp(3 * H + k) + hp(3 * H + k));
      c2[k] = f * c[k] + i * g;
      h2[k] = o * std::tanh(c2[k]);
    }
  }
  return {h2, c2};
}

std::vector<double> row_of(const TensorData& t, std::size_t r) {
  const std::size_t cols = t.shape[1];
  return std::vector<double>(t.values.begin() + r * cols, t.values.begin() + (r + 1) * cols);
}

}  // namespace

TEST_CASE("cell steps match the equations, for every cell type") {
  for (CellType cell : {CellType::rnn, CellType::gru, CellType::lstm}) {
    CAPTURE(cell_name(cell));
    ParameterSet params(5);
    ParameterFactory f(params, InitScheme::uniform, 0.5f);
    const RnnWeights w = RnnWeights::add(f, "cell", cell, 3, 4);
    CHECK(w.W_ih.shape() == Shape{gate_count(cell) * 4, 3});
    CHECK(w.W_hh.shape() == Shape{gate_count(cell) * 4, 4});
    const TensorData x = random_tensor({2, 3}, 1), h = random_tensor({2, 4}, 2), c = random_tensor({2, 4}, 3);
    Graph g;
    const BoundRnn rnn(g, w);
    const RnnState next = rnn.step(rnn.project_input(g.constant(x)), {g.constant(h), g.constant(c)});
    REQUIRE(next.h.shape() == Shape{2, 4});
    for (std::size_t b = 0; b < 2; ++b) {
      const auto [h2, c2] = reference_step(cell, w, row_of(x, b), row_of(h, b), row_of(c, b));
      for (std::size_t k = 0; k < 4; ++k) {
        CHECK(next.h.value()[b * 4 + k] == doctest::Approx(h2[k]).epsilon(1e-5));
        if (cell == CellType::lstm) CHECK(next.c.value()[b * 4 + k] == doctest::Approx(c2[k]).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("cell steps pass the gradient check, inputs and state included") {
  for (CellType cell : {CellType::rnn, CellType::gru, CellType::lstm}) {
    CAPTURE(cell_name(cell));
    ParameterSet params(6);
    ParameterFactory f(params, InitScheme::uniform, 0.5f);
    const RnnWeights w = RnnWeights::add(f, "cell", cell, 3, 2);
    const Parameter x = params.add("input.x", {2, 3}, Init::uniform(1.0f));
    const Parameter h = params.add("input.h", {2, 2}, Init::uniform(1.0f));
    const Parameter c = params.add("input.c", {2, 2}, Init::uniform(1.0f));
    const GradCheckReport r = check_parameter_gradients([&](Graph& g) {
      const BoundRnn rnn(g, w);
      const RnnState s = rnn.step(rnn.project_input(g.param(x)), {g.param(h), g.param(c)});
      return cell == CellType::lstm ? concat({s.h, s.c}, 1) : s.h;
    }, params);
    INFO(r.failures);
    CHECK(r.ok);
  }
}

namespace {

struct TinyEncoder {
  ParameterSet params{8};
  ParameterFactory factory{params, InitScheme::uniform, 0.5f};
  Encoder encoder;
  explicit TinyEncoder(CellType cell, std::size_t layers = 1) : encoder(factory, {cell, 9, 3, 2, layers, 0.0f}) {}
};

}  // namespace

TEST_CASE("a padded batch gives every sentence exactly the states it gets alone") {
  for (CellType cell : {CellType::gru, CellType::lstm}) {
    for (std::size_t layers : {1, 2}) {
      CAPTURE(cell_name(cell));
      CAPTURE(layers);
      TinyEncoder tiny(cell, layers);
      const std::vector<std::vector<int>> sentences = {{1, 2, 3, 4}, {5, 6}, {7, 8, 2}};
      const std::size_t S = 4, B = 3;
      std::vector<int> src(S * B, 0), lengths;
      for (std::size_t b = 0; b < B; ++b) {
        lengths.push_back(static_cast<int>(sentences[b].size()));
        for (std::size_t t = 0; t < sentences[b].size(); ++t) src[t * B + b] = sentences[b][t];
      }
      Graph g;
      const EncoderOutput batch = tiny.encoder.encode(g, src, lengths, S, nullptr);
      REQUIRE(batch.states.shape() == Shape{S, B, 4});
      REQUIRE(batch.memory.shape() == Shape{B, S, 4});
      for (std::size_t b = 0; b < B; ++b) {
        const std::size_t n = sentences[b].size();
        const EncoderOutput alone = tiny.encoder.encode(g, sentences[b], {static_cast<int>(n)}, n, nullptr);
        for (std::size_t t = 0; t < n; ++t) {
          for (std::size_t k = 0; k < 4; ++k) {
            CHECK(batch.memory.value()[(b * S + t) * 4 + k] == doctest::Approx(alone.memory.value()[t * 4 + k]).epsilon(1e-6));
          }
        }
        for (std::size_t k = 0; k < 2; ++k) {  // the final states the bridges read
          CHECK(batch.forward_final.back().h.value()[b * 2 + k] ==
                doctest::Approx(alone.forward_final.back().h.value()[k]).epsilon(1e-6));
          CHECK(batch.backward_first.back().h.value()[b * 2 + k] ==
                doctest::Approx(alone.backward_first.back().h.value()[k]).epsilon(1e-6));
        }
        for (std::size_t t = 0; t < S; ++t) CHECK(batch.mask.value()[b * S + t] == (t < n ? 1.0f : 0.0f));
      }
    }
  }
}

TEST_CASE("the backward direction starts at each sentence's own last token") {
  // Sentence 1 has 2 real tokens of 4: its backward state at position 1 is one step from
  // the zero state over token 1, whatever padding follows.
  TinyEncoder tiny(CellType::gru);
  const std::vector<int> src = {1, 5, 2, 6, 3, 0, 4, 0};  // (S = 4, B = 2), sentence 1 = {5, 6}
  Graph g;
  const EncoderOutput out = tiny.encoder.encode(g, src, {4, 2}, 4, nullptr);
  const Parameter embed = tiny.params.get("encoder.embed");
  RnnWeights bwd{CellType::gru, 3, 2, tiny.params.get("encoder.l0.bwd.W_ih"), tiny.params.get("encoder.l0.bwd.W_hh"),
                 tiny.params.get("encoder.l0.bwd.b_ih"), tiny.params.get("encoder.l0.bwd.b_hh")};
  std::vector<double> x(3);
  for (std::size_t k = 0; k < 3; ++k) x[k] = embed.value()[6 * 3 + k];
  const auto [h, c] = reference_step(CellType::gru, bwd, x, {0, 0}, {0, 0});
  // memory (B, S, 4): [forward 2 | backward 2] at sentence 1, position 1
  for (std::size_t k = 0; k < 2; ++k) CHECK(out.memory.value()[(1 * 4 + 1) * 4 + 2 + k] == doctest::Approx(h[k]).epsilon(1e-5));
}

TEST_CASE("the encoder passes the gradient check") {
  TinyEncoder tiny(CellType::lstm, 2);
  const GradCheckReport r = check_parameter_gradients([&](Graph& g) {
    const EncoderOutput out = tiny.encoder.encode(g, {1, 5, 2, 6, 3, 0}, {3, 2}, 3, nullptr);
    return concat({reshape(out.states, {24}), reshape(out.forward_final.back().h, {4}),
                   reshape(out.backward_first.back().h, {4})}, 0);
  }, tiny.params);
  INFO(r.failures);
  CHECK(r.ok);
}

TEST_CASE("encoder input errors are clear") {
  TinyEncoder tiny(CellType::gru);
  Graph g;
  CHECK_THROWS_WITH_AS(tiny.encoder.encode(g, {1, 2, 3}, {2, 2}, 2, nullptr), doctest::Contains("3 source ids for 2 sentences"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(tiny.encoder.encode(g, {1, 2, 3, 4}, {2, 3}, 2, nullptr), doctest::Contains("sentence 1 has length 3"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cell_names().parse("transformer", "model.cell"),
                       doctest::Contains("unknown model.cell \"transformer\"; valid: gru, lstm, rnn"), std::invalid_argument);
  for (const CellType cell : {CellType::rnn, CellType::gru, CellType::lstm}) CHECK(cell_names().parse(cell_name(cell), "") == cell);
}

TEST_CASE("fused cells equal their composition from primitive ops, values and gradients") {
  for (CellType cell : {CellType::rnn, CellType::gru, CellType::lstm}) {
    CAPTURE(cell_name(cell));
    ParameterSet params(9);
    ParameterFactory f(params, InitScheme::uniform, 0.7f);
    const RnnWeights w = RnnWeights::add(f, "cell", cell, 5, 7);  // odd sizes
    const Parameter x = params.add("input.x", {3, 5}, Init::uniform(1.0f));
    const Parameter h = params.add("input.h", {3, 7}, Init::uniform(1.0f));
    const Parameter c = params.add("input.c", {3, 7}, Init::uniform(1.0f));
    auto run = [&](bool fused) {
      params.zero_grad();
      Graph g;
      const BoundRnn rnn(g, w);
      const RnnState s0{g.param(h), g.param(c)};
      const Expr xp = rnn.project_input(g.param(x));
      const RnnState s1 = fused ? rnn.step(xp, s0) : rnn.step_reference(xp, s0);
      const RnnState s2 = fused ? rnn.step(xp, s1) : rnn.step_reference(xp, s1);  // twice: state gradients chain
      const Expr out = cell == CellType::lstm ? concat({s2.h, s2.c}, 1) : s2.h;
      g.backward(sum(mul(out, out)));
      return std::make_pair(std::vector<float>(out.value().data(), out.value().data() + out.value().size()),
                            std::vector<float>(params.grads(), params.grads() + params.numel()));
    };
    const auto [v1, g1] = run(true);
    const auto [v2, g2] = run(false);
    REQUIRE(v1.size() == v2.size());
    for (std::size_t i = 0; i < v1.size(); ++i) CHECK(v1[i] == doctest::Approx(v2[i]).epsilon(1e-5));
    REQUIRE(g1.size() == g2.size());
    for (std::size_t i = 0; i < g1.size(); ++i) CHECK(g1[i] == doctest::Approx(g2[i]).epsilon(1e-4));
  }
}
