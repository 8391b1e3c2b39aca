// Bahdanau et al. (2015): additive attention from the previous decoder state s_{i-1},
// before the RNN update (the context c_i then enters the RNN input and the output layer):
//   e_ij = v_aᵀ tanh(W_a s_{i-1} + U_a h_j)
//   a_ij = exp(e_ij) / Σ_k exp(e_ik)
//   c_i  = Σ_j a_ij h_j
// Parameters (prefix decoder.attn): W_a (A, Dq), U_a (A, De), v_a (A); no biases, as the
// equation is written. Precomputed once per batch: keys = U_a h_j (B, S, A).
#include "common.h"
#include "families.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

namespace {

class Bahdanau : public Attention {
 public:
  Bahdanau(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix)
      : normalization_(c.normalize),
        W_a_(f.weight(prefix + ".W_a", {d.attention, d.query})),
        U_a_(f.weight(prefix + ".U_a", {d.attention, d.memory})),
        v_a_(f.weight(prefix + ".v_a", {d.attention})) {}

  AttentionOrder order() const override { return AttentionOrder::before_update; }

  PreparedMemory prepare(Graph& g, const Memory& memory) const override {
    PreparedMemory m{memory, {}, {}, {}};
    m.keys = linear3(memory.values, g.param(U_a_));  // U_a h_j for all j
    return m;
  }

  AttentionOutput attend(Graph& g, const PreparedMemory& m, const Expr& query, std::size_t t,
                         AttentionState& state, const InferenceConstraints& c) const override {
    const Expr e = additive_energy(m.keys, linear(query, g.param(W_a_)), g.param(v_a_));
    const Expr a = finish_weights(g, normalize_scores(e, allowed_positions(g, m.memory.mask, state, c), normalization_),
                                  t, state, c);
    return {weighted_context(a, m.memory.values), a, Expr(), Expr()};
  }

 private:
  Normalization normalization_;
  Parameter W_a_, U_a_, v_a_;
};

}  // namespace

std::unique_ptr<Attention> make_bahdanau(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix) {
  return std::make_unique<Bahdanau>(c, f, d, prefix);
}

}  // namespace nmtx::attention
