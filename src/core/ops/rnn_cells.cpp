// Fused recurrent cell steps: one node per time step, gates computed in one pass, the
// recurrent product and its gradients as single sgemm calls, and only what backward needs
// saved (the activated gates). Equations as torch.nn.RNN / GRU / LSTM, from the input
// projection xp = x W_ihᵀ + b_ih (computed for all steps at once by the caller) and
// hp = h W_hhᵀ + b_hh:
//
//   rnn   h' = tanh(xp + hp)
//         dpre = dh' (1 - h'²)                          dxp = dhp = dpre
//   gru   r = σ(xp_r + hp_r), z = σ(xp_z + hp_z), n = tanh(xp_n + r ⊙ hp_n)
//         h' = (1 - z) ⊙ n + z ⊙ h
//         dn = dh' (1 - z)  dz = dh' (h - n)  dh += dh' z
//         dn̂ = dn (1 - n²)   dr = dn̂ ⊙ hp_n
//         dxp = [dr r(1-r), dz z(1-z), dn̂]   dhp = [dr r(1-r), dz z(1-z), dn̂ ⊙ r]
//   lstm  i, f, o = σ(·), g = tanh(·) of xp + hp;  c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')
//         dc' += dh' o (1 - tanh²c');  di = dc' g  df = dc' c  dg = dc' i  do = dh' tanh c'
//         dc += dc' f;  dxp = dhp = [di i(1-i), df f(1-f), dg (1-g²), do o(1-o)]
// then, for every cell: dh += dhp W_hh, dW_hh += dhpᵀ h (gathered over the steps into one
// product: Graph::add_weight_gradient), db_hh += Σ_rows dhp.
//
// `keep` (B) or (B, 1), optional: rows where it is 0 carry their state unchanged
// (h' = h, c' = c; the gradient passes straight through), for padded time steps.
#include "nmtx/core/blas.h"
#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../packed_gemm.h"
#include "../simd.h"
#include "../xt.h"

namespace nmtx {

namespace {

struct CellDims {
  std::size_t B, H;
};

CellDims check_cell(const char* op, std::size_t gates, const Expr& xp, const Expr& h, const Expr* c, const Expr& W_hh,
                    const Expr& b_hh, const Expr& keep) {
  const Shape sx = xp.shape(), sh = h.shape(), sw = W_hh.shape(), sb = b_hh.shape();
  const bool ok_h = sh.rank() == 2;
  const std::size_t B = ok_h ? sh[0] : 0, H = ok_h ? sh[1] : 0;
  const bool ok = ok_h && sx == Shape{B, gates * H} && sw == Shape{gates * H, H} && sb == Shape{gates * H} &&
                  (c == nullptr || c->shape() == sh) && (!keep.valid() || keep.shape().size() == B);
  if (!ok) {
    throw shape_error(op, {{"xp", sx}, {"h", sh}, {"W_hh", sw}, {"b_hh", sb}, {"keep", keep.valid() ? keep.shape() : Shape{}}},
                      "expected xp (B, " + std::to_string(gates) + "H), h" + (c ? " and c" : "") + " (B, H), W_hh (" +
                          std::to_string(gates) + "H, H), b_hh (" + std::to_string(gates) + "H,) and keep with B entries");
  }
  return {B, H};
}

// hp = h W_hhᵀ + b_hh into `out` (B, G·H).
void recurrent_projection(const Expr& h, const Expr& W_hh, const Expr& b_hh, const Tensor& out) {
  gemm_weight(W_hh, h.shape()[0], h.value().data(), b_hh.value().data(), 0.0f, out.data());
}

bool row_kept(const Tensor& keep, std::size_t b) { return keep.empty() || keep[b] != 0.0f; }

// The shared end of every cell's backward, from dhp (B, G·H):
//   dh += dhp W_hh;  dW_hh += dhpᵀ h;  db_hh += Σ_rows dhp.
// dh must already hold the direct part (or be added to).
void recurrent_backward(const Expr& h, const Expr& W_hh, const Expr& b_hh, const Tensor& dhp, float* dh) {
  const std::size_t B = h.shape()[0], H = h.shape()[1], GH = W_hh.shape()[0];
  if (dh != nullptr) gemm(false, false, B, H, GH, 1.0f, dhp.data(), W_hh.value().data(), 1.0f, dh);
  if (h.graph().defers_weight_gradient(W_hh, B)) {  // with every other step's (Graph::add_weight_gradient)
    h.graph().add_weight_gradient(W_hh, B, dhp.data(), h.value().data());
  } else if (W_hh.needs_grad()) {
    bool fresh = false;
    float* dW = W_hh.grad_for_write(fresh).data();
    gemm(true, false, GH, H, B, 1.0f, dhp.data(), h.value().data(), fresh ? 0.0f : 1.0f, dW);
  }
  if (b_hh.needs_grad()) {
    auto db = xtv::flat(b_hh.grad());
    for (std::size_t b = 0; b < B; ++b) db += xtv::row(dhp, b, GH);
  }
}

// xp's gradient += dxp, assigned when new (rows carried through get zeros).
void input_backward(const Expr& xp, const Tensor& dxp) {
  if (xp.needs_grad()) accumulate_grad(xp, xtv::flat(dxp));
}

}  // namespace

Expr rnn_cell(const Expr& xp, const Expr& h, const Expr& W_hh, const Expr& b_hh, const Expr& keep) {
  const CellDims d = check_cell("rnn_cell", 1, xp, h, nullptr, W_hh, b_hh, keep);
  Graph& g = h.graph();
  Expr y = g.record(Op::rnn_cell, {xp, h, W_hh, b_hh}, Shape{d.B, d.H});
  const Tensor hp = g.temporary(Shape{d.B, d.H});
  recurrent_projection(h, W_hh, b_hh, hp);
  const Tensor kept = keep.valid() ? keep.value() : Tensor();
  for (std::size_t b = 0; b < d.B; ++b) {
    float* out = y.value().data() + b * d.H;
    if (!row_kept(kept, b)) std::copy_n(h.value().data() + b * d.H, d.H, out);
    else simd::map(out, d.H, [](auto x, auto p) { return xsimd::tanh(x + p); }, xp.value().data() + b * d.H, hp.data() + b * d.H);
  }
  g.on_backward(y, [=, &g] {
    const Tensor dhp = g.temporary(Shape{d.B, d.H}, 1);  // = dxp for this cell
    bool fresh = false;
    float* dh = h.needs_grad() ? h.grad_for_write(fresh).data() : nullptr;
    for (std::size_t b = 0; b < d.B; ++b) {
      auto dy = xtv::row(y.grad(), b, d.H);
      auto pre = xtv::row(dhp, b, d.H);
      const bool carried = !row_kept(kept, b);
      if (carried) pre.fill(0.0f);
      else simd::map(dhp.data() + b * d.H, d.H, [](auto g, auto v) { return g * (1.0f - v * v); },
                     y.grad().data() + b * d.H, y.value().data() + b * d.H);
      if (dh == nullptr) continue;
      auto dh_row = xtv::vec(dh + b * d.H, d.H);  // the direct part: dy for a carried row, else 0
      if (carried && fresh) xt::noalias(dh_row) = dy;
      else if (carried) xt::noalias(dh_row) += dy;
      else if (fresh) dh_row.fill(0.0f);
    }
    input_backward(xp, dhp);
    recurrent_backward(h, W_hh, b_hh, dhp, dh);
  });
  return y;
}

Expr gru_cell(const Expr& xp, const Expr& h, const Expr& W_hh, const Expr& b_hh, const Expr& keep) {
  const CellDims d = check_cell("gru_cell", 3, xp, h, nullptr, W_hh, b_hh, keep);
  const std::size_t B = d.B, H = d.H, G = 3 * H;
  Graph& g = h.graph();
  Expr y = g.record(Op::gru_cell, {xp, h, W_hh, b_hh}, Shape{B, H});
  const Tensor hp = g.scratch(Shape{B, G});     // kept: backward needs hp_n
  const Tensor gates = g.scratch(Shape{B, G});  // kept: r, z, n
  recurrent_projection(h, W_hh, b_hh, hp);
  const Tensor kept = keep.valid() ? keep.value() : Tensor();
  for (std::size_t b = 0; b < B; ++b) {
    const float* x = xp.value().data() + b * G;
    const float* p = hp.data() + b * G;
    const float* h_prev = h.value().data() + b * H;
    float* r = gates.data() + b * G;
    float* z = r + H;
    float* n = r + 2 * H;
    float* out = y.value().data() + b * H;
    if (!row_kept(kept, b)) {
      std::copy_n(h_prev, H, out);
      continue;
    }
    auto sigmoid_of_sum = [](auto a, auto c) { return simd::sigmoid(a + c); };
    simd::map(r, 2 * H, sigmoid_of_sum, x, p);  // r and z are adjacent
    simd::map(n, H, [](auto a, auto rr, auto c) { return xsimd::tanh(a + rr * c); }, x + 2 * H, r, p + 2 * H);
    simd::map(out, H, [](auto nn, auto zz, auto hh) { return nn + zz * (hh - nn); }, n, z, h_prev);
  }
  g.on_backward(y, [=, &g] {
    const Tensor dxp = g.temporary(Shape{B, G}, 1), dhp = g.temporary(Shape{B, G}, 2);
    bool fresh = false;
    float* dh = h.needs_grad() ? h.grad_for_write(fresh).data() : nullptr;
    for (std::size_t b = 0; b < B; ++b) {
      const float* dy = y.grad().data() + b * H;
      float* dx_r = dxp.data() + b * G;
      float* dx_z = dx_r + H;
      float* dx_n = dx_r + 2 * H;
      float* dh_r = dhp.data() + b * G;
      float* dh_n = dh_r + 2 * H;
      float* dh_row = dh != nullptr ? dh + b * H : nullptr;
      if (!row_kept(kept, b)) {  // the state was carried: its gradient passes through
        std::fill_n(dx_r, G, 0.0f);
        std::fill_n(dh_r, G, 0.0f);
        if (dh_row != nullptr && fresh) std::copy_n(dy, H, dh_row);
        else if (dh_row != nullptr) simd::map_add(dh_row, H, [](auto v) { return v; }, dy);
        continue;
      }
      const float* r = gates.data() + b * G;
      const float* z = r + H;
      const float* n = r + 2 * H;
      const float* hp_n = hp.data() + b * G + 2 * H;
      const float* h_prev = h.value().data() + b * H;
      simd::map(dx_n, H, [](auto g, auto zz, auto nn) { return g * (1.0f - zz) * (1.0f - nn * nn); }, dy, z, n);  // dn̂
      simd::map(dh_n, H, [](auto dn, auto rr) { return dn * rr; }, dx_n, r);                                     // d hp_n
      simd::map(dx_r, H, [](auto dn, auto p, auto rr) { return dn * p * rr * (1.0f - rr); }, dx_n, hp_n, r);
      simd::map(dx_z, H, [](auto g, auto hh, auto nn, auto zz) { return g * (hh - nn) * zz * (1.0f - zz); }, dy, h_prev, n, z);
      std::copy_n(dx_r, 2 * H, dh_r);  // the r and z gates enter xp and hp alike
      if (dh_row != nullptr && fresh) simd::map(dh_row, H, [](auto g, auto zz) { return g * zz; }, dy, z);
      else if (dh_row != nullptr) simd::map_add(dh_row, H, [](auto g, auto zz) { return g * zz; }, dy, z);
    }
    input_backward(xp, dxp);
    recurrent_backward(h, W_hh, b_hh, dhp, dh);
  });
  return y;
}

Expr lstm_cell(const Expr& xp, const Expr& h, const Expr& c, const Expr& W_hh, const Expr& b_hh, const Expr& keep) {
  const CellDims d = check_cell("lstm_cell", 4, xp, h, &c, W_hh, b_hh, keep);
  const std::size_t B = d.B, H = d.H, G = 4 * H;
  Graph& g = h.graph();
  Expr y = g.record(Op::lstm_cell, {xp, h, c, W_hh, b_hh}, Shape{2, B, H});  // [h'; c']
  const Tensor gates = g.scratch(Shape{B, G});  // kept: i, f, g, o (activated)
  const Tensor tanh_c = g.scratch(Shape{B, H});  // kept: tanh(c')
  recurrent_projection(h, W_hh, b_hh, gates);   // hp, then + xp and activations in place
  const Tensor kept = keep.valid() ? keep.value() : Tensor();
  float* h_out = y.value().data();
  float* c_out = h_out + B * H;
  for (std::size_t b = 0; b < B; ++b) {
    if (!row_kept(kept, b)) {
      std::copy_n(h.value().data() + b * H, H, h_out + b * H);
      std::copy_n(c.value().data() + b * H, H, c_out + b * H);
      continue;
    }
    float* gt = gates.data() + b * G;  // hp; becomes the activated gates i, f, g, o
    const float* x = xp.value().data() + b * G;
    auto sigmoid_of_sum = [](auto a, auto c) { return simd::sigmoid(a + c); };
    simd::map(gt, 2 * H, sigmoid_of_sum, gt, x);  // i and f (in place: each element read, then written)
    simd::map(gt + 2 * H, H, [](auto a, auto c) { return xsimd::tanh(a + c); }, gt + 2 * H, x + 2 * H);
    simd::map(gt + 3 * H, H, sigmoid_of_sum, gt + 3 * H, x + 3 * H);
    float* co = c_out + b * H;
    float* tc = tanh_c.data() + b * H;
    simd::map(co, H, [](auto i, auto f, auto gg, auto cc) { return f * cc + i * gg; }, gt, gt + H, gt + 2 * H,
              c.value().data() + b * H);
    simd::map(tc, H, [](auto v) { return xsimd::tanh(v); }, co);
    simd::map(h_out + b * H, H, [](auto o, auto t) { return o * t; }, gt + 3 * H, tc);
  }
  g.on_backward(y, [=, &g] {
    const Tensor dgates = g.temporary(Shape{B, G}, 1);
    const Tensor dc_total = g.temporary(Shape{H}, 2);
    // h and c may be one node (a decoder whose cell starts at its state), so both
    // gradients are zero-initialised and only ever added to.
    float* dh = h.needs_grad() ? h.grad().data() : nullptr;
    float* dc = c.needs_grad() ? c.grad().data() : nullptr;
    const float* dh_out = y.grad().data();
    const float* dc_out = dh_out + B * H;
    auto pass = [](auto v) { return v; };
    for (std::size_t b = 0; b < B; ++b) {
      const float* dho = dh_out + b * H;
      const float* dco = dc_out + b * H;
      float* dg = dgates.data() + b * G;
      if (!row_kept(kept, b)) {
        std::fill_n(dg, G, 0.0f);
        if (dh != nullptr) simd::map_add(dh + b * H, H, pass, dho);
        if (dc != nullptr) simd::map_add(dc + b * H, H, pass, dco);
        continue;
      }
      const float* i = gates.data() + b * G;
      const float* f = i + H;
      const float* gg = i + 2 * H;
      const float* o = i + 3 * H;
      const float* tc = tanh_c.data() + b * H;
      const float* c_prev = c.value().data() + b * H;
      float* dct = dc_total.data();
      simd::map(dct, H, [](auto dc_, auto dh_, auto oo, auto t) { return dc_ + dh_ * oo * (1.0f - t * t); }, dco, dho, o, tc);
      simd::map(dg, H, [](auto d, auto g_, auto ii) { return d * g_ * ii * (1.0f - ii); }, dct, gg, i);
      simd::map(dg + H, H, [](auto d, auto cp, auto ff) { return d * cp * ff * (1.0f - ff); }, dct, c_prev, f);
      simd::map(dg + 2 * H, H, [](auto d, auto ii, auto g_) { return d * ii * (1.0f - g_ * g_); }, dct, i, gg);
      simd::map(dg + 3 * H, H, [](auto dh_, auto t, auto oo) { return dh_ * t * oo * (1.0f - oo); }, dho, tc, o);
      if (dc != nullptr) simd::map_add(dc + b * H, H, [](auto d, auto ff) { return d * ff; }, dct, f);
    }
    input_backward(xp, dgates);
    recurrent_backward(h, W_hh, b_hh, dgates, dh);
  });
  return y;
}

}  // namespace nmtx
