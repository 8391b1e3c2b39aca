// Luong et al. (2015), global attention: from the current decoder state h_t, after the
// RNN update, over every source position:
//   a_t(s) = exp(score(h_t, h̄_s)) / Σ_s' exp(score(h_t, h̄_s'))   (score: luong_scores.h)
//   c_t    = Σ_s a_t(s) h̄_s
// or, with the location score, from h_t alone:
//   a_t    = softmax(W_a h_t) over the sentence's real positions    W_a (max_src_len, Dq)
// (row s of W_a scores source position s; positions past the batch's longest source
// are cut off, and a source longer than max_src_len is an error). The decoder then
// forms h̃_t = tanh(W_c [c_t; h_t]) (model/decoder.cpp).
#include <optional>
#include <stdexcept>

#include "common.h"
#include "families.h"
#include "luong_scores.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

namespace {

class LuongGlobal : public Attention {
 public:
  LuongGlobal(const AttentionConfig& c, ParameterFactory& f, Dims d, const std::string& prefix)
      : normalization_(c.normalize), max_src_len_(c.max_src_len) {
    if (c.score == AttentionScore::location) {
      W_a_ = f.weight(prefix + ".W_a", {c.max_src_len, d.query});
    } else {
      score_.emplace(f, prefix, c.score, d.query, d.memory, d.attention);
    }
  }

  AttentionOrder order() const override { return AttentionOrder::after_update; }

  PreparedMemory prepare(Graph& g, const Memory& memory) const override {
    if (!score_ && memory.length > max_src_len_) {
      throw std::invalid_argument("a source sentence of " + std::to_string(memory.length) +
                                  " tokens is longer than the " + std::to_string(max_src_len_) +
                                  " positions the location score was built for (its max_src_len)");
    }
    PreparedMemory m{memory, {}, {}, {}};
    if (score_) score_->prepare(g, m);
    return m;
  }

  AttentionOutput attend(Graph& g, const PreparedMemory& m, const Expr& query, std::size_t t,
                         AttentionState& state, const InferenceConstraints& c) const override {
    const Expr e = score_ ? score_->scores(m, query)
                          : slice(linear(query, g.param(W_a_)), 1, 0, m.memory.length);  // W_a h_t, first S rows
    const Expr a = finish_weights(g, normalize_scores(e, allowed_positions(g, m.memory.mask, state, c), normalization_),
                                  t, state, c);
    return {weighted_context(a, m.memory.values), a, Expr(), Expr()};
  }

 private:
  Normalization normalization_;
  std::size_t max_src_len_;
  std::optional<LuongScore> score_;  // absent for the location score
  Parameter W_a_;                    // the location score's W_a
};

}  // namespace

std::unique_ptr<Attention> make_luong_global(const AttentionConfig& c, ParameterFactory& f, Dims d,
                                             const std::string& prefix) {
  return std::make_unique<LuongGlobal>(c, f, d, prefix);
}

}  // namespace nmtx::attention
