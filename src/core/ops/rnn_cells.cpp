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
// then, for every cell: dh += dhp W_hh, dW_hh += dhpᵀ h, db_hh += Σ_rows dhp.
//
// `keep` (B) or (B, 1), optional: rows where it is 0 carry their state unchanged
// (h' = h, c' = c; the gradient passes straight through), for padded time steps.
#include "nmtx/core/blas.h"
#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
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
  const std::size_t B = h.shape()[0], H = h.shape()[1], GH = W_hh.shape()[0];
  for (std::size_t b = 0; b < B; ++b) std::copy_n(b_hh.value().data(), GH, out.data() + b * GH);
  gemm(false, true, B, GH, H, 1.0f, h.value().data(), W_hh.value().data(), 1.0f, out.data());
}

bool row_kept(const Tensor& keep, std::size_t b) { return keep.empty() || keep[b] != 0.0f; }

// The shared end of every cell's backward, from dhp (B, G·H):
//   dh += dhp W_hh;  dW_hh += dhpᵀ h;  db_hh += Σ_rows dhp.
// dh must already hold the direct part (or be added to).
void recurrent_backward(const Expr& h, const Expr& W_hh, const Expr& b_hh, const Tensor& dhp, float* dh) {
  const std::size_t B = h.shape()[0], H = h.shape()[1], GH = W_hh.shape()[0];
  if (dh != nullptr) gemm(false, false, B, H, GH, 1.0f, dhp.data(), W_hh.value().data(), 1.0f, dh);
  if (W_hh.needs_grad()) {
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
    auto out = xtv::row(y.value(), b, d.H);
    if (!row_kept(kept, b)) xt::noalias(out) = xtv::row(h.value(), b, d.H);
    else xt::noalias(out) = xt::tanh(xtv::row(xp.value(), b, d.H) + xtv::row(hp, b, d.H));
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
      else xt::noalias(pre) = dy * (1.0f - xtv::row(y.value(), b, d.H) * xtv::row(y.value(), b, d.H));
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
    float* gt = gates.data() + b * G;
    auto r = xtv::vec(gt, H), z = xtv::vec(gt + H, H), n = xtv::vec(gt + 2 * H, H);
    auto out = xtv::row(y.value(), b, H);
    auto h_prev = xtv::row(h.value(), b, H);
    if (!row_kept(kept, b)) {
      xt::noalias(out) = h_prev;
      continue;
    }
    xt::noalias(r) = 1.0f / (1.0f + xt::exp(-(xtv::vec(const_cast<float*>(x), H) + xtv::vec(const_cast<float*>(p), H))));
    xt::noalias(z) = 1.0f / (1.0f + xt::exp(-(xtv::vec(const_cast<float*>(x + H), H) + xtv::vec(const_cast<float*>(p + H), H))));
    xt::noalias(n) = xt::tanh(xtv::vec(const_cast<float*>(x + 2 * H), H) + r * xtv::vec(const_cast<float*>(p + 2 * H), H));
    xt::noalias(out) = n + z * (h_prev - n);
  }
  g.on_backward(y, [=, &g] {
    const Tensor dxp = g.temporary(Shape{B, G}, 1), dhp = g.temporary(Shape{B, G}, 2);
    bool fresh = false;
    float* dh = h.needs_grad() ? h.grad_for_write(fresh).data() : nullptr;
    for (std::size_t b = 0; b < B; ++b) {
      auto dy = xtv::row(y.grad(), b, H);
      auto dh_row = xtv::vec(dh != nullptr ? dh + b * H : dxp.data(), H);
      auto dx_r = xtv::vec(dxp.data() + b * G, H), dx_z = xtv::vec(dxp.data() + b * G + H, H),
           dx_n = xtv::vec(dxp.data() + b * G + 2 * H, H);
      auto dh_r = xtv::vec(dhp.data() + b * G, H), dh_z = xtv::vec(dhp.data() + b * G + H, H),
           dh_n = xtv::vec(dhp.data() + b * G + 2 * H, H);
      if (!row_kept(kept, b)) {  // the state was carried: its gradient passes through
        xtv::row(dxp, b, G).fill(0.0f);
        xtv::row(dhp, b, G).fill(0.0f);
        if (dh != nullptr) {
          if (fresh) xt::noalias(dh_row) = dy;
          else xt::noalias(dh_row) += dy;
        }
        continue;
      }
      const float* gt = gates.data() + b * G;
      auto r = xtv::vec(const_cast<float*>(gt), H), z = xtv::vec(const_cast<float*>(gt + H), H),
           n = xtv::vec(const_cast<float*>(gt + 2 * H), H);
      auto hp_n = xtv::vec(hp.data() + b * G + 2 * H, H);
      auto h_prev = xtv::row(h.value(), b, H);
      xt::noalias(dx_n) = dy * (1.0f - z) * (1.0f - n * n);          // dn̂
      xt::noalias(dh_n) = dx_n * r;                                  // d hp_n
      xt::noalias(dx_r) = dx_n * hp_n * r * (1.0f - r);              // dr through σ
      xt::noalias(dx_z) = dy * (h_prev - n) * z * (1.0f - z);        // dz through σ
      xt::noalias(dh_r) = dx_r;
      xt::noalias(dh_z) = dx_z;
      if (dh != nullptr) {
        if (fresh) xt::noalias(dh_row) = dy * z;
        else xt::noalias(dh_row) += dy * z;
      }
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
    auto ho = xtv::vec(h_out + b * H, H), co = xtv::vec(c_out + b * H, H);
    if (!row_kept(kept, b)) {
      xt::noalias(ho) = xtv::row(h.value(), b, H);
      xt::noalias(co) = xtv::row(c.value(), b, H);
      continue;
    }
    auto all = xtv::row(gates, b, G);
    all += xtv::row(xp.value(), b, G);
    float* gt = gates.data() + b * G;
    auto i = xtv::vec(gt, H), f = xtv::vec(gt + H, H), gg = xtv::vec(gt + 2 * H, H), o = xtv::vec(gt + 3 * H, H);
    xt::noalias(i) = 1.0f / (1.0f + xt::exp(-i));
    xt::noalias(f) = 1.0f / (1.0f + xt::exp(-f));
    xt::noalias(gg) = xt::tanh(gg);
    xt::noalias(o) = 1.0f / (1.0f + xt::exp(-o));
    xt::noalias(co) = f * xtv::row(c.value(), b, H) + i * gg;
    auto tc = xtv::row(tanh_c, b, H);
    xt::noalias(tc) = xt::tanh(co);
    xt::noalias(ho) = o * tc;
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
    auto add = [](float* target, auto&& value) { xt::noalias(xtv::vec(target, value.size())) += value; };
    for (std::size_t b = 0; b < B; ++b) {
      auto dho = xtv::vec(const_cast<float*>(dh_out + b * H), H), dco = xtv::vec(const_cast<float*>(dc_out + b * H), H);
      if (!row_kept(kept, b)) {
        xtv::row(dgates, b, G).fill(0.0f);
        if (dh != nullptr) add(dh + b * H, dho);
        if (dc != nullptr) add(dc + b * H, dco);
        continue;
      }
      const float* gt = gates.data() + b * G;
      auto i = xtv::vec(const_cast<float*>(gt), H), f = xtv::vec(const_cast<float*>(gt + H), H),
           gg = xtv::vec(const_cast<float*>(gt + 2 * H), H), o = xtv::vec(const_cast<float*>(gt + 3 * H), H);
      auto tc = xtv::row(tanh_c, b, H);
      auto dct = xtv::flat(dc_total);
      xt::noalias(dct) = dco + dho * o * (1.0f - tc * tc);
      float* dg = dgates.data() + b * G;
      xt::noalias(xtv::vec(dg, H)) = dct * gg * i * (1.0f - i);
      xt::noalias(xtv::vec(dg + H, H)) = dct * xtv::row(c.value(), b, H) * f * (1.0f - f);
      xt::noalias(xtv::vec(dg + 2 * H, H)) = dct * i * (1.0f - gg * gg);
      xt::noalias(xtv::vec(dg + 3 * H, H)) = dho * tc * o * (1.0f - o);
      if (dc != nullptr) add(dc + b * H, dct * f);
    }
    input_backward(xp, dgates);
    recurrent_backward(h, W_hh, b_hh, dgates, dh);
  });
  return y;
}

}  // namespace nmtx
