#include "luong_scores.h"

#include <cmath>
#include <stdexcept>

#include "common.h"
#include "nmtx/nn/linear.h"

namespace nmtx::attention {

LuongScore::LuongScore(ParameterFactory& f, const std::string& prefix, AttentionScore kind, std::size_t query_dim,
                       std::size_t memory_dim, std::size_t attention_dim)
    : query_dim_(query_dim), memory_dim_(memory_dim) {
  if (kind == AttentionScore::dot || kind == AttentionScore::scaled_dot) {
    kind_ = kind == AttentionScore::dot ? Kind::dot : Kind::scaled_dot;
    if (query_dim != memory_dim) throw std::logic_error("LuongScore: dot scores need Dq = De (check_attention_config)");
  } else if (kind == AttentionScore::general) {
    kind_ = Kind::general;
    W_a_ = f.weight(prefix + ".W_a", {query_dim, memory_dim});
  } else if (kind == AttentionScore::concat) {
    kind_ = Kind::concat;
    W_a_ = f.weight(prefix + ".W_a", {attention_dim, query_dim + memory_dim});
    v_a_ = f.weight(prefix + ".v_a", {attention_dim});
  } else {
    throw std::invalid_argument(std::string("LuongScore: the ") + attention_score_names().name(kind) + " score is not a Luong score");
  }
}

void LuongScore::prepare(Graph& g, PreparedMemory& m) const {
  if (kind_ == Kind::general) {
    m.keys = linear3(m.memory.values, g.param(W_a_));  // W_a h̄_s for every position: (B, S, Dq)
  } else if (kind_ == Kind::concat) {
    const Expr W = g.param(W_a_);
    m.query_weight = slice(W, 1, 0, query_dim_);                              // (A, Dq)
    m.keys = linear3(m.memory.values, slice(W, 1, query_dim_, memory_dim_));  // (B, S, A)
  }
}

Expr LuongScore::scores(const PreparedMemory& m, const Expr& query) const {
  const std::size_t B = m.memory.batch, S = m.memory.length;
  auto dot_with = [&](const Expr& keys) {  // e[b, s] = keys[b, s] · q[b]
    const std::size_t D = keys.shape()[2];
    return reshape(bmm(keys, reshape(query, {B, D, 1})), {B, S});
  };
  switch (kind_) {
    case Kind::dot:
      return dot_with(m.memory.values);
    case Kind::scaled_dot:
      return scale(dot_with(m.memory.values), 1.0f / std::sqrt(static_cast<float>(memory_dim_)));
    case Kind::general:
      return dot_with(m.keys);
    case Kind::concat:
      return additive_energy(m.keys, linear(query, m.query_weight), query.graph().param(v_a_));
  }
  throw std::logic_error("LuongScore: unknown kind");
}

}  // namespace nmtx::attention
