// What every attention family shares: turning scores into weights over the positions a
// step may attend to, the inference-time constraints, and the context vector.
//
//   allowed   = mask ∧ [s >= focus] (monotonic) ∧ [|s - focus| <= W] (windowed)
//   softmax   a(s) = e^{e(s)} / Σ_{s' allowed} e^{e(s')}                  (0 elsewhere)
//   sigmoid   a(s) = σ(e(s)) / Σ_{s' allowed} σ(e(s'))                    (0 elsewhere)
//   hard      a(s) = [s = argmax_s' a(s')]                                 (inference)
//   pin/scale one step's row replaced (AttentionIntervention)              (inference)
//   context   c = Σ_s a(s) h_s
#pragma once

#include <string>

#include "nmtx/attention/attention.h"
#include "nmtx/core/ops.h"

namespace nmtx::attention {


// The memory mask narrowed by the inference constraints (the mask itself when none is set).
Expr allowed_positions(Graph& g, const Expr& mask, const AttentionState& state, const InferenceConstraints& c);
// Weights from scores over the last axis, exactly 0 where `allowed` is 0 (same shape as e).
Expr normalize_scores(const Expr& e, const Expr& allowed, Normalization n);
// One-hot rows at each row's maximum (first on ties), a constant: x viewed as (rows, S).
Expr hard_weights(Graph& g, const Expr& weights);
// c[b] = Σ_s a[b, s] values[b, s, :]: (B, S) with (B, S, D) → (B, D), one bmm.
Expr weighted_context(const Expr& weights, const Expr& values);
// The intervention of step t, if it is t's (weights viewed as (rows, S); a constant).
Expr intervene(Graph& g, const Expr& weights, std::size_t t, const AttentionIntervention& intervention);
// Applies hard attention if asked, then step t's intervention, and records each
// sentence's focus (argmax) in state.
Expr finish_weights(Graph& g, const Expr& weights, std::size_t t, AttentionState& state, const InferenceConstraints& c);

}  // namespace nmtx::attention
