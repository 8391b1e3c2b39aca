// Affine maps in PyTorch's nn.Linear layout: W is (out, in) and multiplies from the left
// of a column vector, i.e. y = x Wᵀ + b for a batch of rows x (N, in).
#pragma once

#include "nmtx/core/ops.h"

namespace nmtx {

inline Expr linear(const Expr& x, const Expr& W) { return affine({x}, {W}); }                       // x Wᵀ
inline Expr linear(const Expr& x, const Expr& W, const Expr& b) { return affine({x}, {W}, b); }  // x Wᵀ + b

// The same map applied to the last axis of a rank-3 tensor: (B, S, in) → (B, S, out),
// as one matrix product over all B·S rows.
Expr linear3(const Expr& x, const Expr& W);

}  // namespace nmtx
