// Luong et al. (2015), local attention: from h_t (after the RNN update), over a window
// of integer source positions s with |s - p_t| <= D (0-based, clipped to the sentence):
//   align(h_t, h̄_s) = exp(score(h_t, h̄_s)) / Σ_{s' in window} exp(score(h_t, h̄_s'))
// local-m (monotonic):  p_t = min(t, S_b - 1),  a_t(s) = align(h_t, h̄_s)
// local-p (predictive): p_t = S_b · σ(v_pᵀ tanh(W_p h_t))               (S_b: sentence b's length)
//                       a_t(s) = align(h_t, h̄_s) · exp(-(s - p_t)² / (2σ²)),  σ = D / 2
// with a_t = 0 outside the window and at padding; local-p's weights are not
// renormalised after the Gaussian (as in the paper), and its gradient reaches v_p and
// W_p through the Gaussian (the window's edges are not differentiated). c_t = Σ_s a_t(s) h̄_s.
// Parameters: the score's (luong_scores.h); local-p also W_p (A, Dq) and v_p (A).
#include <stdexcept>

#include "common.h"
#include "families.h"
#include "luong_scores.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

namespace {

class LuongLocal : public Attention {
 public:
  LuongLocal(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix)
      : predictive_(c.type == AttentionType::local_p),
        D_(c.window),
        normalization_(c.normalize),
        score_(f, prefix, c.score, d.query, d.memory, d.attention) {
    if (predictive_) {
      W_p_ = f.weight(prefix + ".W_p", {d.attention, d.query});
      v_p_ = f.weight(prefix + ".v_p", {d.attention});
    }
  }

  AttentionOrder order() const override { return AttentionOrder::after_update; }

  PreparedMemory prepare(Graph& g, const Memory& memory) const override {
    PreparedMemory m{memory, {}, {}, {}};
    score_.prepare(g, m);
    return m;
  }

  AttentionOutput attend(Graph& g, const PreparedMemory& m, const Expr& query, std::size_t t,
                         AttentionState& state, const InferenceConstraints& c) const override {
    const std::size_t B = m.memory.batch, S = m.memory.length;
    Expr p;  // (B, 1)
    if (predictive_) {
      const Expr unit = sigmoid(linear(tanh(linear(query, g.param(W_p_))), reshape(g.param(v_p_), {1, W_p_.shape()[0]})));
      std::vector<float> lengths(m.memory.lengths.begin(), m.memory.lengths.end());
      p = mul(unit, g.constant(Shape{B, 1}, lengths.data()));
    } else {
      std::vector<float> positions(B);
      for (std::size_t b = 0; b < B; ++b) positions[b] = static_cast<float>(std::min<int>(t, m.memory.lengths[b] - 1));
      p = g.constant(Shape{B, 1}, positions.data());
    }
    const Expr window = local_window_mask(p, m.memory.lengths, S, D_);  // within the sentence by construction
    const Expr align = normalize_scores(score_.scores(m, query), allowed_positions(g, window, state, c), normalization_);
    const Expr a = finish_weights(g, predictive_ ? mul(align, gaussian_window(p, window, D_ / 2.0f)) : align, t, state, c);
    return {weighted_context(a, m.memory.values), a, p, Expr()};
  }

 private:
  bool predictive_;
  float D_;
  Normalization normalization_;
  LuongScore score_;
  Parameter W_p_, v_p_;
};

}  // namespace

std::unique_ptr<Attention> make_luong_local(const AttentionConfig& c, ParameterFactory& f, Dims d,
                                            const std::string& prefix) {
  return std::make_unique<LuongLocal>(c, f, d, prefix);
}

}  // namespace nmtx::attention
