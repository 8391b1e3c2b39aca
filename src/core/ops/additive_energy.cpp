// The additive (Bahdanau / concat) attention energy as one node:
//   e[b, s] = vᵀ tanh(keys[b, s] + q[b] + extra[b, s])        keys, extra (B, S, A); q (B, A); v (A)
// with `extra` optional (location-sensitive attention's U f). Nothing is saved per step:
// backward recomputes T = tanh(·) into a reused temporary, then with D = (de ⊗ v) ⊙ (1 - T²):
//   dkeys += D,  dextra += D,  dq[b] += Σ_s D[b, s],  dv += Tᵀ de
// The (B·S, A) products with v are single matrix-vector sgemm calls.
#include "nmtx/core/blas.h"
#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../simd.h"
#include "../xt.h"

namespace nmtx {

namespace {

// T = tanh(keys + q (+ extra)) for all B·S rows, into `t` (B·S, A).
void pre_activation_tanh(const Expr& keys, const Expr& q, const Expr& extra, const Tensor& t, std::size_t B,
                         std::size_t S, std::size_t A) {
  for (std::size_t b = 0; b < B; ++b) {
    const float* qb = q.value().data() + b * A;
    for (std::size_t s = 0; s < S; ++s) {
      const std::size_t r = b * S + s;
      const float* k = keys.value().data() + r * A;
      if (extra.valid()) {
        simd::map(t.data() + r * A, A, [](auto kk, auto qq, auto x) { return xsimd::tanh(kk + qq + x); }, k, qb,
                  extra.value().data() + r * A);
      } else {
        simd::map(t.data() + r * A, A, [](auto kk, auto qq) { return xsimd::tanh(kk + qq); }, k, qb);
      }
    }
  }
}

}  // namespace

Expr additive_energy(const Expr& keys, const Expr& query, const Expr& v, const Expr& extra) {
  const Shape sk = keys.shape(), sq = query.shape(), sv = v.shape();
  const bool ok = sk.rank() == 3 && sq == Shape{sk[0], sk[2]} && sv == Shape{sk[2]} && (!extra.valid() || extra.shape() == sk);
  if (!ok) {
    throw shape_error("additive_energy", {{"keys", sk}, {"query", sq}, {"v", sv}, {"extra", extra.valid() ? extra.shape() : Shape{}}},
                      "expected keys (B, S, A), query (B, A), v (A,) and extra absent or (B, S, A)");
  }
  const std::size_t B = sk[0], S = sk[1], A = sk[2];
  Graph& g = keys.graph();
  Expr e = extra.valid() ? g.record(Op::additive_energy, {keys, query, v, extra}, Shape{B, S})
                         : g.record(Op::additive_energy, {keys, query, v}, Shape{B, S});
  const Tensor t = g.temporary(Shape{B * S, A});
  pre_activation_tanh(keys, query, extra, t, B, S, A);
  gemm(false, false, B * S, 1, A, 1.0f, t.data(), v.value().data(), 0.0f, e.value().data());  // T v
  g.on_backward(e, [=, &g] {
    const Tensor T = g.temporary(Shape{B * S, A}, 1);
    pre_activation_tanh(keys, query, extra, T, B, S, A);
    const float* de = e.grad().data();
    if (v.needs_grad()) gemm(true, false, A, 1, B * S, 1.0f, T.data(), de, 1.0f, v.grad().data());  // dv += Tᵀ de
    const bool need_rows = keys.needs_grad() || query.needs_grad() || (extra.valid() && extra.needs_grad());
    if (!need_rows) return;
    const Tensor D = T;  // overwritten row by row with (de ⊗ v) ⊙ (1 - T²)
    for (std::size_t r = 0; r < B * S; ++r) {
      float* row = D.data() + r * A;
      const float d = de[r];
      simd::map(row, A, [d](auto vv, auto t) { return vv * d * (1.0f - t * t); }, v.value().data(), row);
    }
    if (keys.needs_grad()) xtv::flat(keys.grad()) += xtv::flat(D);
    if (extra.valid() && extra.needs_grad()) accumulate_grad(extra, xtv::flat(D));
    if (query.needs_grad()) {
      const Tensor dq = query.grad();
      for (std::size_t b = 0; b < B; ++b) {
        auto out = xtv::row(dq, b, A);
        for (std::size_t s = 0; s < S; ++s) out += xtv::row(D, b * S + s, A);
      }
    }
  });
  return e;
}

Expr additive_energy_reference(const Expr& keys, const Expr& query, const Expr& v, const Expr& extra) {
  const Shape sk = keys.shape();
  const std::size_t B = sk[0], S = sk[1], A = sk[2];
  Expr pre = add(keys, reshape(query, {B, 1, A}));
  if (extra.valid()) pre = add(pre, extra);
  return reshape(matmul(reshape(tanh(pre), {B * S, A}), reshape(v, {1, A}), false, true), {B, S});
}

}  // namespace nmtx
