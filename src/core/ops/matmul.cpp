// matmul: y = op(a) · op(b), op(m) = m or mᵀ; bmm: the same for each entry of a batch;
// affine: y = Σ_i x_i W_iᵀ + b in one node (nn.Linear's layout, W_i (out, in_i)); the first
// product writes y with the bias, the others accumulate (gemm_weight, core/packed_gemm.h).
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
#include "../packed_gemm.h"
#include "../simd.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace nmtx {

namespace {

struct Dims {
  std::size_t M, N, K;
};

// The (M, N, K) of op(a) · op(b) for stored matrices of shapes (ra, ca) and (rb, cb).
Dims product_dims(const char* op, const Shape& sa, const Shape& sb, std::size_t ra, std::size_t ca, std::size_t rb,
                  std::size_t cb, bool ta, bool tb) {
  const std::size_t M = ta ? ca : ra, K = ta ? ra : ca;
  const std::size_t Kb = tb ? cb : rb, N = tb ? rb : cb;
  if (K != Kb) {
    throw shape_error(op, {{"a", sa}, {"b", sb}},
                      std::string("the inner dimensions differ: ") + (ta ? "aᵀ" : "a") + " has " + std::to_string(K) +
                          " columns, " + (tb ? "bᵀ" : "b") + " has " + std::to_string(Kb) + " rows");
  }
  return {M, N, K};
}

// The backward of one product, written once for matmul and bmm (see the table above).
// beta 1 adds into an existing gradient; beta 0 writes a fresh one.
void product_backward(bool ta, bool tb, const Dims& d, const float* a, const float* b, const float* dy, float* da,
                      float beta_a, float* db, float beta_b) {
  if (da != nullptr) {
    if (!ta) gemm(false, !tb, d.M, d.K, d.N, 1.0f, dy, b, beta_a, da);  // dY · Bᵀ
    else gemm(tb, true, d.K, d.M, d.N, 1.0f, b, dy, beta_a, da);        // B · dYᵀ
  }
  if (db != nullptr) {
    if (!tb) gemm(!ta, false, d.K, d.N, d.M, 1.0f, a, dy, beta_b, db);  // Aᵀ · dY
    else gemm(true, ta, d.N, d.K, d.M, 1.0f, dy, a, beta_b, db);        // dYᵀ · A
  }
}

// One product of bmm's forward. Attention multiplies one vector per sentence (scores:
// keys (S, D) · q (D, 1); context: weights (1, S) · values (S, D)); for such shapes
// sgemm's call overhead is larger than the work, so they are plain vector loops.
void batch_entry_product(bool ta, bool tb, const Dims& d, const float* a, const float* b, float* y) {
  if (!ta && !tb && (d.N == 1 || d.M == 1)) {
    count_gemm_flops(d.M, d.N, d.K);
    if (d.N == 1) {  // y[m] = a[m, :] · b
      for (std::size_t m = 0; m < d.M; ++m) y[m] = simd::dot(a + m * d.K, b, d.K);
    } else {         // y = Σ_k a[k] b[k, :]
      std::fill(y, y + d.N, 0.0f);
      for (std::size_t k = 0; k < d.K; ++k) {
        const float w = a[k];
        simd::map_add(y, d.N, [w](auto v) { return v * w; }, b + k * d.N);
      }
    }
    return;
  }
  gemm(ta, tb, d.M, d.N, d.K, 1.0f, a, b, 0.0f, y);
}

// The gradient buffer of an input, and the beta that adds into it (0 when it is new).
std::pair<float*, float> gradient_target(const Expr& x) {
  if (!x.needs_grad()) return {nullptr, 1.0f};
  bool fresh = false;
  float* g = x.grad_for_write(fresh).data();
  return {g, fresh ? 0.0f : 1.0f};
}

}  // namespace

Expr matmul(const Expr& a, const Expr& b, bool transpose_a, bool transpose_b) {
  const Shape sa = a.shape();
  const Shape sb = b.shape();
  if (sa.rank() != 2 || sb.rank() != 2) {
    throw shape_error("matmul", {{"a", sa}, {"b", sb}}, "both operands must have rank 2");
  }
  const Dims d = product_dims("matmul", sa, sb, sa[0], sa[1], sb[0], sb[1], transpose_a, transpose_b);
  Expr y = a.graph().record(Op::matmul, {a, b}, Shape{d.M, d.N});
  gemm(transpose_a, transpose_b, d.M, d.N, d.K, 1.0f, a.value().data(), b.value().data(), 0.0f, y.value().data());
  a.graph().on_backward(y, [=] {
    const auto [da, beta_a] = gradient_target(a);
    const auto [db, beta_b] = gradient_target(b);
    product_backward(transpose_a, transpose_b, d, a.value().data(), b.value().data(), y.grad().data(), da, beta_a, db,
                     beta_b);
  });
  return y;
}

Expr bmm(const Expr& a, const Expr& b, bool transpose_a, bool transpose_b) {
  const Shape sa = a.shape();
  const Shape sb = b.shape();
  if (sa.rank() != 3 || sb.rank() != 3 || sa[0] != sb[0]) {
    throw shape_error("bmm", {{"a", sa}, {"b", sb}}, "both operands must have rank 3 and the same batch size (axis 0)");
  }
  const std::size_t batch = sa[0];
  const Dims d = product_dims("bmm", sa, sb, sa[1], sa[2], sb[1], sb[2], transpose_a, transpose_b);
  Expr y = a.graph().record(Op::bmm, {a, b}, Shape{batch, d.M, d.N});
  const std::size_t step_a = sa[1] * sa[2], step_b = sb[1] * sb[2], step_y = d.M * d.N;
  for (std::size_t i = 0; i < batch; ++i) {
    batch_entry_product(transpose_a, transpose_b, d, a.value().data() + i * step_a, b.value().data() + i * step_b,
                        y.value().data() + i * step_y);
  }
  a.graph().on_backward(y, [=] {
    // Each batch entry writes its own block, so a fresh gradient is written whole. For
    // bmm(x, x) the second target already exists, so it is added to (beta 1).
    const auto [da, beta_a] = gradient_target(a);
    const auto [db, beta_b] = gradient_target(b);
    for (std::size_t i = 0; i < batch; ++i) {
      product_backward(transpose_a, transpose_b, d, a.value().data() + i * step_a, b.value().data() + i * step_b,
                       y.grad().data() + i * step_y, da ? da + i * step_a : nullptr, beta_a,
                       db ? db + i * step_b : nullptr, beta_b);
    }
  });
  return y;
}

Expr affine(const std::vector<Expr>& xs, const std::vector<Expr>& Ws, const Expr& b) {
  // y = x_0 W_0ᵀ + b, then y += x_i W_iᵀ for each further i: one node, no separate bias pass.
  if (xs.empty() || xs.size() != Ws.size()) throw std::invalid_argument("affine: needs as many weights as inputs (at least one)");
  const std::size_t N = xs[0].shape().rank() == 2 ? xs[0].shape()[0] : 0;
  const std::size_t out = Ws[0].shape().rank() == 2 ? Ws[0].shape()[0] : 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Shape sx = xs[i].shape(), sw = Ws[i].shape();
    if (sx.rank() != 2 || sw.rank() != 2 || sx[0] != N || sw[0] != out || sw[1] != sx[1]) {
      throw shape_error("affine", {{"x", sx}, {"W", sw}, {"x0", xs[0].shape()}, {"W0", Ws[0].shape()}},
                        "input " + std::to_string(i) + ": expected x (N, in) with W (out, in), N and out as for input 0");
    }
  }
  if (b.valid() && b.shape() != Shape{out}) {
    throw shape_error("affine", {{"W0", Ws[0].shape()}, {"b", b.shape()}}, "the bias must be (out,)");
  }
  std::vector<Expr> inputs(xs);
  inputs.insert(inputs.end(), Ws.begin(), Ws.end());
  if (b.valid()) inputs.push_back(b);
  Graph& g = xs[0].graph();
  Expr y = g.record(Op::affine, inputs, Shape{N, out});
  float* yv = y.value().data();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const float* bias = i == 0 && b.valid() ? b.value().data() : nullptr;
    gemm_weight(Ws[i], N, xs[i].value().data(), bias, i > 0 ? 1.0f : 0.0f, yv);
  }
  g.on_backward(y, [=] {
    const float* dy = y.grad().data();
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const std::size_t in = xs[i].shape()[1];
      const Dims d{N, out, in};
      const auto [dx, beta_x] = gradient_target(xs[i]);
      if (xs[i].graph().defers_weight_gradient(Ws[i], N)) {  // a step's product: dW with all the others'
        xs[i].graph().add_weight_gradient(Ws[i], N, dy, xs[i].value().data());
        product_backward(false, true, d, xs[i].value().data(), Ws[i].value().data(), dy, dx, beta_x, nullptr, 0.0f);
        continue;
      }
      const auto [dW, beta_W] = gradient_target(Ws[i]);
      product_backward(false, true, d, xs[i].value().data(), Ws[i].value().data(), dy, dx, beta_x, dW, beta_W);
    }
    if (b.valid() && b.needs_grad()) {
      float* db = b.grad().data();
      for (std::size_t r = 0; r < N; ++r) {
        for (std::size_t j = 0; j < out; ++j) db[j] += dy[r * out + j];
      }
    }
  });
  return y;
}

}  // namespace nmtx
