// The registry of every op the engine records. A node's op is one of these; the
// gradient-test coverage test walks this list and fails for an op without a test.
#pragma once

#include <array>

namespace nmtx {

#define NMTX_OPS(X)                                                                      \
  X(leaf)          /* constants, variables and parameters: no backward */                \
  X(matmul) X(bmm) X(affine)                          /* ops/matmul.cpp */               \
  X(add) X(sub) X(mul) X(div) X(scale)                /* ops/elementwise.cpp */          \
  X(tanh) X(sigmoid) X(relu) X(exp) X(log)                                               \
  X(select) X(dropout)                                                                   \
  X(softmax) X(log_softmax) X(nll_loss) X(cross_entropy)  /* ops/softmax_loss.cpp */     \
  X(concat) X(slice) X(reshape) X(stack) X(transpose) X(unfold) /* ops/structure.cpp */ \
  X(gather_rows)                                                                         \
  X(sum) X(mean) X(maxout)                            /* ops/reduce.cpp */               \
  X(embedding)                                        /* ops/embedding.cpp */            \
  X(gaussian_window)                                  /* ops/local_window.cpp */         \
  X(rnn_cell) X(gru_cell) X(lstm_cell)                /* ops/rnn_cells.cpp */            \
  X(additive_energy)                                  /* ops/additive_energy.cpp */

enum class Op {
#define NMTX_OP_ENUM(name) name,
  NMTX_OPS(NMTX_OP_ENUM)
#undef NMTX_OP_ENUM
};

inline constexpr std::array kAllOps = {
#define NMTX_OP_VALUE(name) Op::name,
    NMTX_OPS(NMTX_OP_VALUE)
#undef NMTX_OP_VALUE
};

const char* op_name(Op op);

}  // namespace nmtx
