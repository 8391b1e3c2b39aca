// Multi-head scoring (Vaswani et al. 2017) as a Luong score: from h_t after the RNN
// update, k heads of size d = A / k each attend with a scaled dot product:
//   q = W_q h_t,  K_s = W_k h̄_s,  V_s = W_v h̄_s          (each split into k heads of size d)
//   a_t^j(s) = softmax_s( q^j · K_s^j / sqrt(d) )          over the real positions
//   c_t = W_o [Σ_s a_t^1(s) V_s^1; ... ; Σ_s a_t^k(s) V_s^k]
// The weights reported (exported, evaluated) are the mean over heads, as
// torch.nn.MultiheadAttention averages them; each head's weights are reported beside them
// (AttentionOutput::heads). Hard attention and interventions apply per head.
// Parameters: W_q (A, Dq), W_k (A, De), W_v (A, De), W_o (De, A), head j owning rows
// j·d .. (j+1)·d - 1 of W_q, W_k, W_v. Precomputed once per batch: keys = K and
// values = V, each (B·k, S, d).
#include <cmath>
#include <stdexcept>

#include "common.h"
#include "families.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

namespace {

class MultiHead : public Attention {
 public:
  MultiHead(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix)
      : normalization_(c.normalize), heads_(c.heads), size_(d.attention) {
    W_q_ = f.weight(prefix + ".W_q", {d.attention, d.query});
    W_k_ = f.weight(prefix + ".W_k", {d.attention, d.memory});
    W_v_ = f.weight(prefix + ".W_v", {d.attention, d.memory});
    W_o_ = f.weight(prefix + ".W_o", {d.memory, d.attention});
  }

  AttentionOrder order() const override { return AttentionOrder::after_update; }

  PreparedMemory prepare(Graph& g, const Memory& memory) const override {
    const std::size_t B = memory.batch, S = memory.length, d = size_ / heads_;
    auto split_heads = [&](const Parameter& W) {  // (B, S, A) → (B·k, S, d)
      const Expr x = reshape(linear3(memory.values, g.param(W)), {B, S, heads_, d});
      return reshape(transpose(x, {0, 2, 1, 3}), {B * heads_, S, d});
    };
    PreparedMemory m{memory, split_heads(W_k_), split_heads(W_v_), {}};
    return m;
  }

  AttentionOutput attend(Graph& g, const PreparedMemory& m, const Expr& query, std::size_t t,
                         AttentionState& state, const InferenceConstraints& c) const override {
    const std::size_t B = m.memory.batch, S = m.memory.length, k = heads_, d = size_ / heads_;
    const Expr q = reshape(linear(query, g.param(W_q_)), {B * k, d, 1});
    const Expr e = scale(reshape(bmm(m.keys, q), {B, k, S}), 1.0f / std::sqrt(static_cast<float>(d)));
    const Expr allowed = allowed_positions(g, m.memory.mask, state, c);  // (B, S), the same for every head
    TensorData per_head(Shape{B, k, S});
    for (std::size_t b = 0; b < B; ++b) {
      for (std::size_t j = 0; j < k; ++j) {
        std::copy_n(allowed.value().data() + b * S, S, per_head.values.data() + (b * k + j) * S);
      }
    }
    Expr a = normalize_scores(e, g.constant(per_head), normalization_);  // (B, k, S)
    if (c.hard) a = hard_weights(g, a);
    a = intervene(g, a, t, c.intervention);  // every head's row
    const Expr heads = reshape(bmm(reshape(a, {B * k, 1, S}), m.values), {B, size_});  // [c^1; ...; c^k]
    const Expr mean_weights = mean(a, 1);                                             // (B, S)
    const InferenceConstraints focus_only{false, c.monotonic, c.window, {}};
    finish_weights(g, mean_weights, t, state, focus_only);
    return {linear(heads, g.param(W_o_)), mean_weights, Expr(), a};
  }

 private:
  Normalization normalization_;
  std::size_t heads_, size_;
  Parameter W_q_, W_k_, W_v_, W_o_;
};

}  // namespace

std::unique_ptr<Attention> make_multi_head(const AttentionConfig& c, ParameterFactory& f, Dims d,
                                           const std::string& prefix) {
  return std::make_unique<MultiHead>(c, f, d, prefix);
}

}  // namespace nmtx::attention
