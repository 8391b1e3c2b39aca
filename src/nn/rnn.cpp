// Cell steps: fused ops (core/ops/rnn_cells.cpp) and their reference composed from
// primitive gradient-checked ops (equations in nmtx/nn/rnn.h).
#include "nmtx/nn/rnn.h"

#include <stdexcept>

#include "nmtx/nn/linear.h"

namespace nmtx {

const EnumNames<CellType>& cell_names() {
  static const EnumNames<CellType> names{{"gru", CellType::gru}, {"lstm", CellType::lstm}, {"rnn", CellType::rnn}};
  return names;
}

std::size_t gate_count(CellType cell) {
  switch (cell) {
    case CellType::rnn: return 1;
    case CellType::gru: return 3;
    case CellType::lstm: return 4;
  }
  return 0;
}

RnnWeights RnnWeights::add(ParameterFactory& f, const std::string& prefix, CellType cell, std::size_t input,
                           std::size_t hidden) {
  const std::size_t G = gate_count(cell) * hidden;
  return {cell,
          input,
          hidden,
          f.weight(prefix + ".W_ih", {G, input}),
          f.weight(prefix + ".W_hh", {G, hidden}),
          f.bias(prefix + ".b_ih", G),
          f.bias(prefix + ".b_hh", G)};
}

BoundRnn::BoundRnn(Graph& g, const RnnWeights& w)
    : cell(w.cell), hidden(w.hidden), W_ih(g.param(w.W_ih)), W_hh(g.param(w.W_hh)), b_ih(g.param(w.b_ih)),
      b_hh(g.param(w.b_hh)) {}

Expr BoundRnn::project_input(const Expr& x) const { return linear(x, W_ih, b_ih); }

RnnState BoundRnn::zero_state(Graph& g, std::size_t batch) const {
  const TensorData zeros(Shape{batch, hidden});
  return {g.constant(zeros), cell == CellType::lstm ? g.constant(zeros) : Expr()};
}

RnnState BoundRnn::step(const Expr& xp, const RnnState& previous, const Expr& keep) const {
  switch (cell) {
    case CellType::rnn:
      return {rnn_cell(xp, previous.h, W_hh, b_hh, keep), Expr()};
    case CellType::gru:
      return {gru_cell(xp, previous.h, W_hh, b_hh, keep), Expr()};
    case CellType::lstm: {
      const Expr both = lstm_cell(xp, previous.h, previous.c, W_hh, b_hh, keep);  // (2, B, H)
      const Shape s = previous.h.shape();
      return {reshape(slice(both, 0, 0, 1), s), reshape(slice(both, 0, 1, 1), s)};
    }
  }
  throw std::logic_error("BoundRnn::step: unknown cell");
}

RnnState BoundRnn::step_reference(const Expr& xp, const RnnState& previous) const {
  const Expr hp = linear(previous.h, W_hh, b_hh);  // (B, G·H)
  const std::size_t H = hidden;
  switch (cell) {
    case CellType::rnn:
      return {tanh(add(xp, hp)), Expr()};
    case CellType::gru: {
      const auto x = split(xp, 1, {2 * H, H});  // [r z | n]
      const auto h = split(hp, 1, {2 * H, H});
      const auto rz = split(sigmoid(add(x[0], h[0])), 1, {H, H});
      const Expr n = tanh(add(x[1], mul(rz[0], h[1])));
      return {add(n, mul(rz[1], sub(previous.h, n))), Expr()};  // (1 - z) n + z h
    }
    case CellType::lstm: {
      const Expr gates = add(xp, hp);
      const auto ifgo = split(gates, 1, {2 * H, H, H});  // [i f | g | o]
      const auto i_f = split(sigmoid(ifgo[0]), 1, {H, H});
      const Expr c = add(mul(i_f[1], previous.c), mul(i_f[0], tanh(ifgo[1])));
      return {mul(sigmoid(ifgo[2]), tanh(c)), c};
    }
  }
  throw std::logic_error("BoundRnn::step: unknown cell");
}

}  // namespace nmtx
