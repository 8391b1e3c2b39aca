// Location-sensitive attention (Chorowski et al. 2015, in the form of Tacotron 2): the
// additive score also sees where the decoder has attended so far, through a 1-D
// convolution of the cumulative previous weights. From s_{i-1}, before the RNN update:
//   α_cum(i) = Σ_{i' < i} a_{i'}                     (0 at the first step)
//   f_i      = F * α_cum(i)                          n filters of width k, 'same' zero padding
//   e_ij     = wᵀ tanh(W s_{i-1} + V h_j + U f_ij + b)
//   a_i      = softmax(e_i) over the real positions,  c_i = Σ_j a_ij h_j
// Parameters (prefix decoder.attn): W (A, Dq), V (A, De), U (A, n), F (n, k), b (A), w (A).
// Precomputed once per batch: keys = V h_j + b (B, S, A). The convolution is
// unfold (B, S, k) followed by one matrix product with F.
#include <stdexcept>

#include "common.h"
#include "families.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

namespace {

class LocationSensitive : public Attention {
 public:
  LocationSensitive(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix)
      : normalization_(c.normalize), kernel_(c.location_kernel) {
    W_ = f.weight(prefix + ".W", {d.attention, d.query});
    V_ = f.weight(prefix + ".V", {d.attention, d.memory});
    U_ = f.weight(prefix + ".U", {d.attention, c.location_filters});
    F_ = f.weight(prefix + ".F", {c.location_filters, c.location_kernel});
    b_ = f.bias(prefix + ".b", d.attention);
    w_ = f.weight(prefix + ".w", {d.attention});
  }

  AttentionOrder order() const override { return AttentionOrder::before_update; }

  PreparedMemory prepare(Graph& g, const Memory& memory) const override {
    PreparedMemory m{memory, {}, {}, {}};
    m.keys = add(linear3(memory.values, g.param(V_)), g.param(b_));  // V h_j + b
    return m;
  }

  AttentionOutput attend(Graph& g, const PreparedMemory& m, const Expr& query, std::size_t t,
                         AttentionState& state, const InferenceConstraints& c) const override {
    const std::size_t B = m.memory.batch, S = m.memory.length;
    const Expr cumulative = state.cumulative.valid() ? state.cumulative : g.constant(TensorData(Shape{B, S}));
    const Expr features = linear3(unfold(cumulative, kernel_), g.param(F_));  // (B, S, n)
    const Expr e = additive_energy(m.keys, linear(query, g.param(W_)), g.param(w_), linear3(features, g.param(U_)));
    const Expr a = finish_weights(g, normalize_scores(e, allowed_positions(g, m.memory.mask, state, c), normalization_),
                                  t, state, c);
    state.cumulative = add(cumulative, a);
    return {weighted_context(a, m.memory.values), a, Expr(), Expr()};
  }

 private:
  Normalization normalization_;
  std::size_t kernel_;
  Parameter W_, V_, U_, F_, b_, w_;
};

}  // namespace

std::unique_ptr<Attention> make_location_sensitive(const AttentionConfig& c, ParameterFactory& f, Dims d,
                                                   const std::string& prefix) {
  return std::make_unique<LocationSensitive>(c, f, d, prefix);
}

}  // namespace nmtx::attention
