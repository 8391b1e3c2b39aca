// Recurrent cells, as torch.nn.RNN / GRU / LSTM compute them, so that their parameters
// map one to one onto PyTorch's. With x_t's input projection xp = x_t W_ihᵀ + b_ih (for all
// time steps at once) and hp = h W_hhᵀ + b_hh, gate blocks in this order:
//   rnn   h' = tanh(xp + hp)                                         G = 1
//   gru   r = σ(xp_r + hp_r), z = σ(xp_z + hp_z)                      G = 3 (r, z, n)
//         n = tanh(xp_n + r ⊙ hp_n),  h' = (1 - z) ⊙ n + z ⊙ h
//   lstm  i, f, o = σ(xp + hp)_{i,f,o}, g = tanh(xp + hp)_g           G = 4 (i, f, g, o)
//         c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
// Parameters of one direction of one layer, under a prefix P:
//   P.W_ih (G·H, in)   P.W_hh (G·H, H)   P.b_ih (G·H)   P.b_hh (G·H)
#pragma once

#include <string>

#include "nmtx/core/enum_names.h"
#include "nmtx/core/ops.h"
#include "nmtx/nn/init.h"

namespace nmtx {

enum class CellType { rnn, gru, lstm };
const EnumNames<CellType>& cell_names();  // "gru", "lstm", "rnn"
inline const char* cell_name(CellType cell) { return cell_names().name(cell); }
std::size_t gate_count(CellType cell);

// The state a cell carries: h (B, H), and c (B, H) for an LSTM.
struct RnnState {
  Expr h;
  Expr c;  // invalid unless LSTM
};

struct RnnWeights {
  CellType cell;
  std::size_t input, hidden;
  Parameter W_ih, W_hh, b_ih, b_hh;
  static RnnWeights add(ParameterFactory& factory, const std::string& prefix, CellType cell, std::size_t input,
                        std::size_t hidden);
};

// The weights of one cell bound to a graph once per batch.
struct BoundRnn {
  CellType cell;
  std::size_t hidden;
  Expr W_ih, W_hh, b_ih, b_hh;
  BoundRnn(Graph& g, const RnnWeights& w);
  // x (N, in) → xp (N, G·H): the input projection of many steps in one GEMM.
  Expr project_input(const Expr& x) const;
  // One step from the input projection xp (B, G·H) of this step, as one fused node.
  // Rows where `keep` (B, 1) is 0 carry their state unchanged (padding).
  RnnState step(const Expr& xp, const RnnState& previous, const Expr& keep = Expr()) const;
  // The same step composed from primitive ops: the reference the fused cells are tested
  // against (values and gradients).
  RnnState step_reference(const Expr& xp, const RnnState& previous) const;
  RnnState zero_state(Graph& g, std::size_t batch) const;
};

}  // namespace nmtx
