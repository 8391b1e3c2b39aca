// matmul: y = op(a) · op(b), op(m) = m or mᵀ.
//
// With A = op(a) (M, K), B = op(b) (K, N) and dY (M, N):
//   dA = dY · Bᵀ    dB = Aᵀ · dY
// and the stored (possibly transposed) operands receive these through the flags:
//   a stored (M, K): da += dY · Bᵀ          a stored (K, M): da += B · dYᵀ
//   b stored (K, N): db += Aᵀ · dY          b stored (N, K): db += dYᵀ · A
// where B = op(b) and A = op(a) are expressed through the stored arrays and flags.
#include "nmtx/core/blas.h"
#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"

namespace nmtx {

Expr matmul(const Expr& a, const Expr& b, bool transpose_a, bool transpose_b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  if (sa.rank() != 2 || sb.rank() != 2) {
    throw shape_error("matmul", {{"a", sa}, {"b", sb}}, "both operands must have rank 2");
  }
  const std::size_t M = transpose_a ? sa[1] : sa[0];
  const std::size_t K = transpose_a ? sa[0] : sa[1];
  const std::size_t Kb = transpose_b ? sb[1] : sb[0];
  const std::size_t N = transpose_b ? sb[0] : sb[1];
  if (K != Kb) {
    throw shape_error("matmul", {{"a", sa}, {"b", sb}},
                      std::string("the inner dimensions differ: ") + (transpose_a ? "aᵀ" : "a") +
                          " has " + std::to_string(K) + " columns, " + (transpose_b ? "bᵀ" : "b") +
                          " has " + std::to_string(Kb) + " rows");
  }
  Expr y = a.graph().record(Op::matmul, {a, b}, Shape{M, N});
  gemm(transpose_a, transpose_b, M, N, K, 1.0f, a.value().data(), b.value().data(), 0.0f,
       y.value().data());

  a.graph().on_backward(y, [=] {
    const float* dy = y.grad().data();
    if (a.needs_grad()) {
      float* da = a.grad().data();
      if (!transpose_a) {
        gemm(false, !transpose_b, M, K, N, 1.0f, dy, b.value().data(), 1.0f, da);  // dY · Bᵀ
      } else {
        gemm(transpose_b, true, K, M, N, 1.0f, b.value().data(), dy, 1.0f, da);  // B · dYᵀ
      }
    }
    if (b.needs_grad()) {
      float* db = b.grad().data();
      if (!transpose_b) {
        gemm(!transpose_a, false, K, N, M, 1.0f, a.value().data(), dy, 1.0f, db);  // Aᵀ · dY
      } else {
        gemm(true, transpose_a, N, K, M, 1.0f, dy, a.value().data(), 1.0f, db);  // dYᵀ · A
      }
    }
  });
  return y;
}

}  // namespace nmtx
