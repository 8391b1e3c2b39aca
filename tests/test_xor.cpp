// End to end: a tiny network learns XOR with Adam, bit-for-bit reproducibly for a seed.
#include <doctest/doctest.h>

#include "nmtx/core/ops.h"
#include "nmtx/core/params.h"
#include "nmtx/core/optim.h"

using namespace nmtx;

namespace {

// Trains a 2-8-2 tanh network for `steps` Adam steps; returns the loss of every step.
std::vector<float> train_xor(std::uint64_t seed, int steps) {
  ParameterSet params(seed);
  const Parameter W1 = params.add("W1", Shape{8, 2}, Init::glorot_uniform());
  const Parameter b1 = params.add("b1", Shape{8}, Init::zeros());
  const Parameter W2 = params.add("W2", Shape{2, 8}, Init::glorot_uniform());
  const Parameter b2 = params.add("b2", Shape{2}, Init::zeros());
  Adam adam(0.05f);
  std::vector<float> losses;
  Graph g;
  for (int step = 0; step < steps; ++step) {
    g.clear();
    params.zero_grad();
    const Expr x = g.constant({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
    const Expr h = tanh(add(matmul(x, g.param(W1), false, true), g.param(b1)));
    const Expr logits = add(matmul(h, g.param(W2), false, true), g.param(b2));
    const Expr loss = scale(cross_entropy(logits, {0, 1, 1, 0}), 0.25f);  // mean over the 4 cases
    g.backward(loss);
    clip_grad_norm(params, 5.0f);
    adam.step(params);
    losses.push_back(loss.item());
  }
  return losses;
}

}  // namespace

TEST_CASE("a tiny network learns XOR with Adam") {
  const std::vector<float> losses = train_xor(1, 300);
  REQUIRE(losses.size() == 300);
  CHECK(losses.front() > 0.5f);
  CHECK(losses.back() < 0.01f);
}

TEST_CASE("training is identical for a seed and different for another") {
  const std::vector<float> a = train_xor(3, 50), b = train_xor(3, 50), c = train_xor(4, 50);
  REQUIRE(a.size() == b.size());
  CHECK(a == b);  // bit for bit
  CHECK(a != c);
}
