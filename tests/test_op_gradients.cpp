// A finite-difference gradient test for every op, over every input and every form the
// op takes (transposes, broadcasting cases, axes, masks). The last test fails for any op
// in the registry (op_list.h) without a GRAD_TEST here.
#include "grad_test.h"
#include "nmtx/core/rng.h"

using namespace nmtx;
using nmtx::test::away_from_zero;
using nmtx::test::expect_gradients;
using nmtx::test::random_tensor;
using X = std::vector<Expr>;

GRAD_TEST(matmul) {
  // Every combination of transposed operands, on sizes that are not multiples of anything.
  const std::size_t M = 3, K = 5, N = 4;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Shape sa = ta ? Shape{K, M} : Shape{M, K};
      const Shape sb = tb ? Shape{N, K} : Shape{K, N};
      expect_gradients(Op::matmul, [=](Graph&, const X& x) { return matmul(x[0], x[1], ta, tb); },
                       {random_tensor(sa, 1), random_tensor(sb, 2)});
    }
  }
  SUBCASE("one input used twice: x · xᵀ") {  // catches a backward that overwrites
    expect_gradients(Op::matmul, [](Graph&, const X& x) { return matmul(x[0], x[0], false, true); },
                     {random_tensor({3, 4}, 3)});
  }
}

GRAD_TEST(bmm) {
  const std::size_t B = 2, M = 3, K = 4, N = 2;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Shape sa = ta ? Shape{B, K, M} : Shape{B, M, K};
      const Shape sb = tb ? Shape{B, N, K} : Shape{B, K, N};
      expect_gradients(Op::bmm, [=](Graph&, const X& x) { return bmm(x[0], x[1], ta, tb); },
                       {random_tensor(sa, 1), random_tensor(sb, 2)});
    }
  }
  SUBCASE("one input used twice") {
    expect_gradients(Op::bmm, [](Graph&, const X& x) { return bmm(x[0], x[0], true, false); }, {random_tensor({2, 3, 2}, 3)});
  }
}

GRAD_TEST(add) {
  auto f = [](Graph&, const X& x) { return add(x[0], x[1]); };
  expect_gradients(Op::add, f, {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2)});
  SUBCASE("bias row broadcast") { expect_gradients(Op::add, f, {random_tensor({3, 4}, 1), random_tensor({4}, 2)}); }
  SUBCASE("row on the left") { expect_gradients(Op::add, f, {random_tensor({1, 4}, 1), random_tensor({3, 4}, 2)}); }
  SUBCASE("column with row") { expect_gradients(Op::add, f, {random_tensor({3, 1}, 1), random_tensor({1, 4}, 2)}); }
  SUBCASE("rank 3 with a middle axis") {
    expect_gradients(Op::add, f, {random_tensor({2, 3, 4}, 1), random_tensor({3, 1}, 2)});
  }
  SUBCASE("scalar") { expect_gradients(Op::add, f, {random_tensor({2, 3}, 1), random_tensor({}, 2)}); }
  SUBCASE("x + x") { expect_gradients(Op::add, [](Graph&, const X& x) { return add(x[0], x[0]); }, {random_tensor({5}, 1)}); }
}

GRAD_TEST(sub) {
  auto f = [](Graph&, const X& x) { return sub(x[0], x[1]); };
  expect_gradients(Op::sub, f, {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2)});
  SUBCASE("bias row broadcast") { expect_gradients(Op::sub, f, {random_tensor({3, 4}, 1), random_tensor({4}, 2)}); }
  SUBCASE("broadcast on the left") { expect_gradients(Op::sub, f, {random_tensor({4}, 1), random_tensor({3, 4}, 2)}); }
  SUBCASE("column with row") { expect_gradients(Op::sub, f, {random_tensor({3, 1}, 1), random_tensor({1, 4}, 2)}); }
}

GRAD_TEST(mul) {
  auto f = [](Graph&, const X& x) { return mul(x[0], x[1]); };
  expect_gradients(Op::mul, f, {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2)});
  SUBCASE("bias row broadcast") { expect_gradients(Op::mul, f, {random_tensor({3, 4}, 1), random_tensor({4}, 2)}); }
  SUBCASE("mask column broadcast") { expect_gradients(Op::mul, f, {random_tensor({3, 4}, 1), random_tensor({3, 1}, 2)}); }
  SUBCASE("rank 3 with rank 2") { expect_gradients(Op::mul, f, {random_tensor({2, 3, 4}, 1), random_tensor({3, 4}, 2)}); }
  SUBCASE("x * x") {  // catches a backward that overwrites instead of accumulating
    expect_gradients(Op::mul, [](Graph&, const X& x) { return mul(x[0], x[0]); }, {random_tensor({2, 3}, 1)});
  }
}

GRAD_TEST(div) {
  auto f = [](Graph&, const X& x) { return div(x[0], x[1]); };
  expect_gradients(Op::div, f, {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2, 0.5f, 2.0f)});
  SUBCASE("by a broadcast row") { expect_gradients(Op::div, f, {random_tensor({3, 4}, 1), random_tensor({4}, 2, 0.5f, 2.0f)}); }
  SUBCASE("by a broadcast column, as a normaliser") {
    expect_gradients(Op::div, f, {random_tensor({3, 4}, 1), random_tensor({3, 1}, 2, 0.5f, 2.0f)});
  }
  SUBCASE("x / x") { expect_gradients(Op::div, [](Graph&, const X& x) { return div(x[0], x[0]); }, {random_tensor({4}, 1, 0.5f, 2.0f)}); }
}

GRAD_TEST(scale) {
  expect_gradients(Op::scale, [](Graph&, const X& x) { return scale(x[0], -2.5f); }, {random_tensor({2, 3}, 1)});
}

GRAD_TEST(tanh) {
  expect_gradients(Op::tanh, [](Graph&, const X& x) { return tanh(x[0]); }, {random_tensor({3, 4}, 1, -2.0f, 2.0f)});
}

GRAD_TEST(sigmoid) {
  expect_gradients(Op::sigmoid, [](Graph&, const X& x) { return sigmoid(x[0]); }, {random_tensor({3, 4}, 1, -3.0f, 3.0f)});
}

GRAD_TEST(relu) {  // inputs at least 0.1 from the kink, farther than the step
  expect_gradients(Op::relu, [](Graph&, const X& x) { return relu(x[0]); }, {away_from_zero({3, 4}, 1)});
}

GRAD_TEST(exp) {
  expect_gradients(Op::exp, [](Graph&, const X& x) { return exp(x[0]); }, {random_tensor({3, 4}, 1)});
}

GRAD_TEST(log) {
  expect_gradients(Op::log, [](Graph&, const X& x) { return log(x[0]); }, {random_tensor({3, 4}, 1, 0.5f, 2.0f)});
}

GRAD_TEST(select) {
  const TensorData mask({3, 4}, {1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1});
  expect_gradients(Op::select, [&](Graph& g, const X& x) { return select(g.constant(mask), x[0], x[1]); },
                   {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2)});
  SUBCASE("a per-row mask, as for padded time steps") {
    const TensorData rows({3, 1}, {1, 0, 1});
    expect_gradients(Op::select, [&](Graph& g, const X& x) { return select(g.constant(rows), x[0], x[1]); },
                     {random_tensor({3, 4}, 1), random_tensor({3, 4}, 2)});
  }
  SUBCASE("the same input on both sides") {
    expect_gradients(Op::select, [&](Graph& g, const X& x) { return select(g.constant(mask), x[0], x[0]); },
                     {random_tensor({3, 4}, 1)});
  }
}

GRAD_TEST(dropout) {
  // A fresh generator with the same seed in every pass: the same mask each time.
  expect_gradients(Op::dropout, [](Graph&, const X& x) {
    Rng rng(11);
    return dropout(x[0], 0.4f, rng);
  }, {random_tensor({4, 5}, 1)});
}

GRAD_TEST(softmax) {
  expect_gradients(Op::softmax, [](Graph&, const X& x) { return softmax(x[0], -1); }, {random_tensor({3, 5}, 1, -2, 2)});
  SUBCASE("first axis of a rank-3 tensor (strided lines)") {
    expect_gradients(Op::softmax, [](Graph&, const X& x) { return softmax(x[0], 0); }, {random_tensor({4, 2, 3}, 2, -2, 2)});
  }
  SUBCASE("masked") {
    const TensorData mask({2, 4}, {1, 1, 0, 1, 0, 1, 1, 0});
    expect_gradients(Op::softmax, [&](Graph& g, const X& x) { return softmax(x[0], 1, g.constant(mask)); },
                     {random_tensor({2, 4}, 3, -2, 2)});
  }
}

GRAD_TEST(log_softmax) {
  expect_gradients(Op::log_softmax, [](Graph&, const X& x) { return log_softmax(x[0], -1); },
                   {random_tensor({3, 5}, 1, -2, 2)});
  SUBCASE("middle axis") {
    expect_gradients(Op::log_softmax, [](Graph&, const X& x) { return log_softmax(x[0], 1); },
                     {random_tensor({2, 3, 4}, 2, -2, 2)});
  }
  SUBCASE("masked (masked outputs are -inf constants)") {
    const TensorData mask({2, 4}, {1, 1, 0, 1, 0, 1, 1, 0});
    expect_gradients(Op::log_softmax, [&](Graph& g, const X& x) { return log_softmax(x[0], -1, g.constant(mask)); },
                     {random_tensor({2, 4}, 3, -2, 2)});
  }
}

GRAD_TEST(nll_loss) {
  const std::vector<int> targets = {2, 0, 4};
  expect_gradients(Op::nll_loss, [&](Graph&, const X& x) { return nll_loss(x[0], targets); },
                   {random_tensor({3, 5}, 1, -3, 0)});
  SUBCASE("row mask and label smoothing") {
    const TensorData mask({3}, {1, 0, 1});
    expect_gradients(Op::nll_loss, [&](Graph& g, const X& x) { return nll_loss(x[0], targets, g.constant(mask), 0.1f); },
                     {random_tensor({3, 5}, 2, -3, 0)});
  }
}

GRAD_TEST(cross_entropy) {
  const std::vector<int> targets = {2, 0, 4};
  expect_gradients(Op::cross_entropy, [&](Graph&, const X& x) { return cross_entropy(x[0], targets); },
                   {random_tensor({3, 5}, 1, -2, 2)});
  SUBCASE("row mask and label smoothing") {
    const TensorData mask({3}, {0, 1, 1});
    expect_gradients(Op::cross_entropy,
                     [&](Graph& g, const X& x) { return cross_entropy(x[0], targets, g.constant(mask), 0.2f); },
                     {random_tensor({3, 5}, 2, -2, 2)});
  }
  SUBCASE("the gradient written over the logits (cross_entropy_in_place), behind an op as in the model") {
    const TensorData mask({3}, {1, 0, 1});
    expect_gradients(Op::cross_entropy,
                     [&](Graph& g, const X& x) {
                       return cross_entropy_in_place(3.0f * tanh(x[0]), targets, g.constant(mask), 0.1f);
                     },
                     {random_tensor({3, 5}, 3, -2, 2)});
  }
}

GRAD_TEST(concat) {
  expect_gradients(Op::concat, [](Graph&, const X& x) { return concat({x[0], x[1], x[2]}, 1); },
                   {random_tensor({2, 3}, 1), random_tensor({2, 1}, 2), random_tensor({2, 2}, 3)});
  SUBCASE("first axis") {
    expect_gradients(Op::concat, [](Graph&, const X& x) { return concat({x[0], x[1]}, 0); },
                     {random_tensor({2, 3}, 1), random_tensor({1, 3}, 2)});
  }
  SUBCASE("an input twice") {
    expect_gradients(Op::concat, [](Graph&, const X& x) { return concat({x[0], x[0]}, -1); }, {random_tensor({2, 2}, 1)});
  }
}

GRAD_TEST(gather_rows) {
  // Repeated rows accumulate into one gradient row; an unused row gets none.
  expect_gradients(Op::gather_rows, [](Graph&, const X& x) { return gather_rows(x[0], {2, 0, 2, 2}); },
                   {random_tensor({4, 3}, 1)});
  SUBCASE("rank 3") {
    expect_gradients(Op::gather_rows, [](Graph&, const X& x) { return gather_rows(x[0], {1, 1, 0}); },
                     {random_tensor({2, 2, 3}, 1)});
  }
}

GRAD_TEST(slice) {
  expect_gradients(Op::slice, [](Graph&, const X& x) { return slice(x[0], 1, 1, 2); }, {random_tensor({3, 4}, 1)});
  SUBCASE("first axis (a view)") {
    expect_gradients(Op::slice, [](Graph&, const X& x) { return slice(x[0], 0, 1, 2); }, {random_tensor({4, 3}, 1)});
  }
  SUBCASE("split into overlapping uses") {
    expect_gradients(Op::slice, [](Graph&, const X& x) {
      const auto parts = split(x[0], 1, {1, 3});
      return concat({parts[1], parts[0], slice(x[0], 1, 0, 2)}, 1);
    }, {random_tensor({2, 4}, 1)});
  }
}

GRAD_TEST(reshape) {
  expect_gradients(Op::reshape, [](Graph&, const X& x) { return reshape(x[0], {3, 2, 2}); }, {random_tensor({4, 3}, 1)});
}

GRAD_TEST(stack) {
  expect_gradients(Op::stack, [](Graph&, const X& x) { return stack({x[0], x[1], x[0]}); },
                   {random_tensor({2, 3}, 1), random_tensor({2, 3}, 2)});
}

GRAD_TEST(transpose) {
  expect_gradients(Op::transpose, [](Graph&, const X& x) { return transpose(x[0], {1, 0, 2}); }, {random_tensor({2, 3, 4}, 1)});
  SUBCASE("a cyclic permutation") {
    expect_gradients(Op::transpose, [](Graph&, const X& x) { return transpose(x[0], {2, 0, 1}); }, {random_tensor({2, 3, 4}, 2)});
  }
  SUBCASE("a matrix") {
    expect_gradients(Op::transpose, [](Graph&, const X& x) { return transpose(x[0], {1, 0}); }, {random_tensor({3, 5}, 3)});
  }
}

GRAD_TEST(unfold) {
  expect_gradients(Op::unfold, [](Graph&, const X& x) { return unfold(x[0], 3); }, {random_tensor({2, 5}, 1)});
  SUBCASE("a window wider than the sequence") {
    expect_gradients(Op::unfold, [](Graph&, const X& x) { return unfold(x[0], 7); }, {random_tensor({2, 3}, 2)});
  }
}

GRAD_TEST(maxout) {
  // Each group's maximum leads by more than twice the step, so no perturbation flips it.
  expect_gradients(Op::maxout, [](Graph&, const X& x) { return maxout(x[0], 2); },
                   {TensorData({2, 6}, {0.1f, 0.9f, -0.5f, -0.2f, 0.3f, -0.8f, 1.2f, 0.4f, -0.1f, 0.6f, 0.0f, 0.5f})});
  SUBCASE("pools of three") {
    expect_gradients(Op::maxout, [](Graph&, const X& x) { return maxout(x[0], 3); },
                     {TensorData({1, 6}, {0.1f, 0.9f, -0.5f, 0.7f, -0.2f, 0.3f})});
  }
}

GRAD_TEST(sum) {
  expect_gradients(Op::sum, [](Graph&, const X& x) { return sum(x[0]); }, {random_tensor({3, 4}, 1)});
  SUBCASE("last axis") {
    expect_gradients(Op::sum, [](Graph&, const X& x) { return sum(x[0], -1); }, {random_tensor({3, 4}, 1)});
  }
  SUBCASE("middle axis") {
    expect_gradients(Op::sum, [](Graph&, const X& x) { return sum(x[0], 1); }, {random_tensor({2, 3, 4}, 1)});
  }
}

GRAD_TEST(mean) {
  expect_gradients(Op::mean, [](Graph&, const X& x) { return mean(x[0]); }, {random_tensor({3, 4}, 1)});
  SUBCASE("first axis") {
    expect_gradients(Op::mean, [](Graph&, const X& x) { return mean(x[0], 0); }, {random_tensor({3, 4}, 1)});
  }
}

GRAD_TEST(embedding) {
  // Id 1 appears twice: its row must receive both gradients.
  expect_gradients(Op::embedding, [](Graph&, const X& x) { return embedding(x[0], {1, 3, 1, 0}); },
                   {random_tensor({5, 3}, 1)});
}

GRAD_TEST(gaussian_window) {
  // p away from window edges: the window stays put while p moves by the step.
  const std::vector<int> lengths = {6, 4};
  expect_gradients(Op::gaussian_window, [&](Graph&, const X& x) {
    const Expr window = local_window_mask(x[0], lengths, 6, 2.0f);
    return gaussian_window(x[0], window, 1.0f);
  }, {TensorData({2}, {2.3f, 1.6f})});
  SUBCASE("p as (batch, 1), with the weights used downstream") {
    expect_gradients(Op::gaussian_window, [&](Graph&, const X& x) {
      const Expr window = local_window_mask(x[0], lengths, 6, 3.0f);
      return mul(gaussian_window(x[0], window, 1.5f), x[1]);
    }, {TensorData({2, 1}, {3.4f, 0.7f}), random_tensor({2, 6}, 5)});
  }
}

TEST_CASE("every registered op has a gradient test") {
  for (Op op : kAllOps) {
    if (op == Op::leaf) continue;  // leaves have no backward
    CAPTURE(op_name(op));
    CHECK(nmtx::test::ops_with_gradient_tests().count(op) == 1);
  }
}

namespace {
// Inputs of a cell step: xp (B, G·H), h (B, H), [c (B, H)], W_hh (G·H, H), b_hh (G·H).
std::vector<TensorData> cell_inputs(std::size_t gates, bool with_c) {
  const std::size_t B = 3, H = 2;
  std::vector<TensorData> in = {random_tensor({B, gates * H}, 1), random_tensor({B, H}, 2)};
  if (with_c) in.push_back(random_tensor({B, H}, 3));
  in.push_back(random_tensor({gates * H, H}, 4));
  in.push_back(random_tensor({gates * H}, 5));
  return in;
}
const TensorData kKeep({3, 1}, {1, 0, 1});  // the middle row is padding: it carries its state
}  // namespace

GRAD_TEST(rnn_cell) {
  expect_gradients(Op::rnn_cell, [](Graph&, const X& x) { return rnn_cell(x[0], x[1], x[2], x[3]); }, cell_inputs(1, false));
  SUBCASE("one node as both input projection and state (same shape for this cell)") {
    std::vector<TensorData> in = cell_inputs(1, false);
    in.erase(in.begin() + 1);
    expect_gradients(Op::rnn_cell, [](Graph&, const X& x) { return rnn_cell(x[0], x[0], x[1], x[2]); }, in);
  }
  SUBCASE("with a padded row") {
    expect_gradients(Op::rnn_cell, [](Graph& g, const X& x) { return rnn_cell(x[0], x[1], x[2], x[3], g.constant(kKeep)); },
                     cell_inputs(1, false));
  }
}

GRAD_TEST(gru_cell) {
  expect_gradients(Op::gru_cell, [](Graph&, const X& x) { return gru_cell(x[0], x[1], x[2], x[3]); }, cell_inputs(3, false));
  SUBCASE("with a padded row") {
    expect_gradients(Op::gru_cell, [](Graph& g, const X& x) { return gru_cell(x[0], x[1], x[2], x[3], g.constant(kKeep)); },
                     cell_inputs(3, false));
  }
  SUBCASE("two steps sharing weights and state") {
    expect_gradients(Op::gru_cell, [](Graph&, const X& x) {
      const Expr h1 = gru_cell(x[0], x[1], x[2], x[3]);
      return gru_cell(x[0], h1, x[2], x[3]);
    }, cell_inputs(3, false));
  }
}

GRAD_TEST(lstm_cell) {
  expect_gradients(Op::lstm_cell, [](Graph&, const X& x) { return lstm_cell(x[0], x[1], x[2], x[3], x[4]); },
                   cell_inputs(4, true));
  SUBCASE("one node as both h and c (a decoder's cell starting at its state)") {
    std::vector<TensorData> in = cell_inputs(4, true);
    in.erase(in.begin() + 2);
    expect_gradients(Op::lstm_cell, [](Graph&, const X& x) { return lstm_cell(x[0], x[1], x[1], x[2], x[3]); }, in);
  }
  SUBCASE("with a padded row") {
    expect_gradients(Op::lstm_cell,
                     [](Graph& g, const X& x) { return lstm_cell(x[0], x[1], x[2], x[3], x[4], g.constant(kKeep)); },
                     cell_inputs(4, true));
  }
}

GRAD_TEST(additive_energy) {
  // keys (B, S, A), query (B, A), v (A)
  expect_gradients(Op::additive_energy, [](Graph&, const X& x) { return additive_energy(x[0], x[1], x[2]); },
                   {random_tensor({2, 3, 4}, 1), random_tensor({2, 4}, 2), random_tensor({4}, 3)});
  SUBCASE("with an extra per-position term (location features)") {
    expect_gradients(Op::additive_energy, [](Graph&, const X& x) { return additive_energy(x[0], x[1], x[2], x[3]); },
                     {random_tensor({2, 3, 4}, 1), random_tensor({2, 4}, 2), random_tensor({4}, 3), random_tensor({2, 3, 4}, 4)});
  }
  SUBCASE("keys shared by two steps") {
    expect_gradients(Op::additive_energy, [](Graph&, const X& x) {
      return add(additive_energy(x[0], x[1], x[2]), additive_energy(x[0], scale(x[1], -0.5f), x[2]));
    }, {random_tensor({2, 3, 4}, 1), random_tensor({2, 4}, 2), random_tensor({4}, 3)});
  }
}

GRAD_TEST(affine) {
  expect_gradients(Op::affine, [](Graph&, const X& x) { return affine({x[0]}, {x[1]}, x[2]); },
                   {random_tensor({3, 4}, 1), random_tensor({5, 4}, 2), random_tensor({5}, 3)});
  SUBCASE("three inputs, no bias") {
    expect_gradients(Op::affine, [](Graph&, const X& x) { return affine({x[0], x[1], x[2]}, {x[3], x[4], x[5]}); },
                     {random_tensor({2, 3}, 1), random_tensor({2, 1}, 2), random_tensor({2, 4}, 3), random_tensor({5, 3}, 4),
                      random_tensor({5, 1}, 5), random_tensor({5, 4}, 6)});
  }
  SUBCASE("one input under two weights, one weight for two inputs") {
    expect_gradients(Op::affine, [](Graph&, const X& x) { return affine({x[0], x[0], x[1]}, {x[2], x[3], x[2]}, x[4]); },
                     {random_tensor({2, 3}, 1), random_tensor({2, 3}, 2), random_tensor({4, 3}, 3), random_tensor({4, 3}, 4),
                      random_tensor({4}, 5)});
  }
}
