// Luong et al. (2015), eq. 8, and the scaled dot product (Vaswani et al. 2017): the
// scores global and local attention share. h_t is the decoder state (Dq), h̄_s an
// encoder state (De):
//   dot         score(h_t, h̄_s) = h_tᵀ h̄_s                               needs Dq = De
//   scaled-dot  score(h_t, h̄_s) = h_tᵀ h̄_s / sqrt(De)                    needs Dq = De
//   general     score(h_t, h̄_s) = h_tᵀ W_a h̄_s                           W_a (Dq, De)
//   concat      score(h_t, h̄_s) = v_aᵀ tanh(W_a [h_t; h̄_s])              W_a (A, Dq + De), v_a (A)
// Precomputed once per batch (PreparedMemory): general keys = W_a h̄_s (B, S, Dq);
// concat keys = W_a[:, Dq:] h̄_s (B, S, A) and query_weight = W_a[:, :Dq] (A, Dq).
#pragma once

#include <string>

#include "nmtx/attention/attention.h"

namespace nmtx::attention {

class LuongScore {
 public:
  LuongScore(ParameterFactory& f, const std::string& prefix, AttentionScore kind, std::size_t query_dim,
             std::size_t memory_dim, std::size_t attention_dim);
  void prepare(Graph& g, PreparedMemory& m) const;
  Expr scores(const PreparedMemory& m, const Expr& query) const;  // (B, S)

 private:
  enum class Kind { dot, scaled_dot, general, concat } kind_;
  std::size_t query_dim_, memory_dim_;
  Parameter W_a_, v_a_;
};

}  // namespace nmtx::attention
