// The ops model code calls. Each records one node (see op_list.h) whose backward adds
// into its inputs' gradients. Shapes are checked when the op is recorded; a mismatch
// throws ShapeError naming the op and every input shape.
//
// Masks are float tensors holding 1 (real) or 0 (masked); they are never differentiated.
#pragma once

#include <cstddef>
#include <vector>

#include "nmtx/core/graph.h"

namespace nmtx {

class Rng;

// ---- matrix product (ops/matmul.cpp) ---------------------------------------------
// y = op(a) · op(b) with op(m) = mᵀ when the flag is set. a, b rank 2; y (M, N).
// Forward and backward are single sgemm calls; backward accumulates (beta = 1).
Expr matmul(const Expr& a, const Expr& b, bool transpose_a = false, bool transpose_b = false);

// y = Σ_i x_i W_iᵀ + b for inputs x_i (N, in_i), weights W_i (out, in_i) (nn.Linear's
// layout) and an optional bias b (out): one node; the bias is written first and every
// product accumulates onto it inside sgemm.
Expr affine(const std::vector<Expr>& xs, const std::vector<Expr>& Ws, const Expr& b = Expr());

// Batched: y[i] = op(a[i]) · op(b[i]) for each i of the first axis. a, b rank 3;
// y (batch, M, N). One sgemm per batch entry, forward and backward.
Expr bmm(const Expr& a, const Expr& b, bool transpose_a = false, bool transpose_b = false);

// ---- element-wise (ops/elementwise.cpp) ------------------------------------------
// add, sub and mul broadcast like numpy: shapes are aligned at the last axis and a
// dimension of 1 (or a missing leading one) is repeated. Backward sums the gradient
// over the repeated axes.
Expr add(const Expr& a, const Expr& b);  // a + b
Expr sub(const Expr& a, const Expr& b);  // a - b
Expr mul(const Expr& a, const Expr& b);  // a ⊙ b
Expr div(const Expr& a, const Expr& b);  // a / b;  da = dy / b, db = -dy a / b²
Expr scale(const Expr& x, float c);      // c · x
Expr tanh(const Expr& x);                // tanh(x);          dx = dy (1 - y²)
Expr sigmoid(const Expr& x);             // 1 / (1 + e^-x);   dx = dy y (1 - y)
Expr relu(const Expr& x);                // max(x, 0);        dx = dy [x > 0]
Expr exp(const Expr& x);                 // e^x;              dx = dy y
Expr log(const Expr& x);                 // ln x;             dx = dy / x
// y = mask ? a : b, element-wise. a and b have one shape; mask broadcasts to it.
Expr select(const Expr& mask, const Expr& a, const Expr& b);
// Inverted dropout: y = x ⊙ m / (1 - p) with m ~ Bernoulli(1 - p) drawn from `rng`.
// p = 0 returns x itself.
Expr dropout(const Expr& x, float p, Rng& rng);

inline Expr operator+(const Expr& a, const Expr& b) { return add(a, b); }
inline Expr operator-(const Expr& a, const Expr& b) { return sub(a, b); }
inline Expr operator*(const Expr& a, const Expr& b) { return mul(a, b); }
inline Expr operator/(const Expr& a, const Expr& b) { return div(a, b); }
inline Expr operator*(float c, const Expr& x) { return scale(x, c); }
inline Expr operator-(const Expr& x) { return scale(x, -1.0f); }

// ---- softmax and losses (ops/softmax_loss.cpp) -----------------------------------
// y_i = e^{x_i} / Σ_j e^{x_j} along `axis`. With a mask (x's shape), the sum runs over
// unmasked positions only and masked positions get exactly 0; a fully masked slice is
// all 0.
Expr softmax(const Expr& x, int axis = -1);
Expr softmax(const Expr& x, int axis, const Expr& mask);
// y_i = x_i - log Σ_j e^{x_j}; masked positions are -inf and receive no gradient.
Expr log_softmax(const Expr& x, int axis = -1);
Expr log_softmax(const Expr& x, int axis, const Expr& mask);
// Negative log-likelihood summed over the real rows of log-probabilities logp (N, V):
//   loss = Σ_i m_i [ (1 - ε)(-logp[i, y_i]) + ε · (1/V) Σ_v (-logp[i, v]) ]
// with targets y (N), row mask m (N) (all rows count without one) and label smoothing
// ε, i.e. cross-entropy against q = (1 - ε) onehot(y) + ε/V (as PyTorch). A scalar.
Expr nll_loss(const Expr& logp, const std::vector<int>& targets, float label_smoothing = 0.0f);
Expr nll_loss(const Expr& logp, const std::vector<int>& targets, const Expr& row_mask,
              float label_smoothing = 0.0f);
// nll_loss(log_softmax(logits)) in one node: never stores the (N, V) log-probabilities;
// backward is dlogits = m_i (softmax(logits_i) - q_i).
Expr cross_entropy(const Expr& logits, const std::vector<int>& targets, float label_smoothing = 0.0f);
Expr cross_entropy(const Expr& logits, const std::vector<int>& targets, const Expr& row_mask,
                   float label_smoothing = 0.0f);
// The same, its backward writing dlogits over the logits' own value (Expr::grad_over_value):
// one (N, V) buffer less (76 MB for a Multi30k batch of 64 x 50). Only for logits that no
// other op reads and that are not a view of another value (Seq2Seq::loss).
Expr cross_entropy_in_place(const Expr& logits, const std::vector<int>& targets, const Expr& row_mask,
                            float label_smoothing = 0.0f);

// ---- structure (ops/structure.cpp) -----------------------------------------------
// Joins tensors that agree on every axis but `axis`.
Expr concat(const std::vector<Expr>& xs, int axis);
// x[..., start : start + length, ...] along `axis` (rank kept). Slices along the first
// axis alias x's memory.
Expr slice(const Expr& x, int axis, std::size_t start, std::size_t length);
// Consecutive slices of the given sizes along `axis` (they must add up to its length).
std::vector<Expr> split(const Expr& x, int axis, const std::vector<std::size_t>& sizes);
// Rows of x along its first axis, in the given order, repeats allowed: y[i] = x[rows[i]]
// (beam search reorders and copies hypotheses' states with it).
Expr gather_rows(const Expr& x, const std::vector<int>& rows);
// The same values with another shape of the same size (aliases x's memory).
Expr reshape(const Expr& x, const Shape& shape);
// Stacks same-shaped tensors along a new first axis: T × (B, H) → (T, B, H).
Expr stack(const std::vector<Expr>& xs);
// Permutes the axes: y's axis i is x's axis perm[i] (numpy's transpose); a copy.
// E.g. transpose(x, {1, 0, 2}) turns time-major (T, B, H) into batch-major (B, T, H).
Expr transpose(const Expr& x, const std::vector<int>& perm);
// The sliding windows of a 1-D convolution with 'same' zero padding: x (B, S) →
// y (B, S, k) with y[b, s, j] = x[b, s + j - (k-1)/2], 0 outside the sequence; k odd.
// A convolution with filters F (n, k) is then matmul(reshape(y, {B·S, k}), F, false, true).
Expr unfold(const Expr& x, std::size_t k);

// ---- reductions (ops/reduce.cpp) -------------------------------------------------
Expr sum(const Expr& x);             // Σ of all elements, a scalar
Expr sum(const Expr& x, int axis);   // Σ along `axis`, which is removed
Expr mean(const Expr& x);            // sum(x) / size
Expr mean(const Expr& x, int axis);  // sum(x, axis) / dims[axis]
// Maxout (Goodfellow et al. 2013) over groups of `pool` consecutive columns:
// x (N, D·pool) → y (N, D), y[n, j] = max_k x[n, j·pool + k]; the gradient goes to the max.
Expr maxout(const Expr& x, std::size_t pool);

// ---- embedding (ops/embedding.cpp) -----------------------------------------------
// Rows of table (V, D) for ids (N): y (N, D). Backward adds each row of dy into the row
// of the table's gradient it came from, touching only those rows.
Expr embedding(const Expr& table, const std::vector<int>& ids);

// ---- local attention (ops/local_window.cpp) --------------------------------------
// Luong et al.'s local-p weighting around a real position p (B) or (B, 1):
//   w[b, s] = window[b, s] · exp(-(s - p_b)² / (2σ²)),   s = 0 .. S-1,
// with the 0/1 window mask (B, S) from local_window_mask(). Differentiable in p:
//   dp_b = Σ_s dw[b, s] · w[b, s] · (s - p_b) / σ².
Expr gaussian_window(const Expr& p, const Expr& window, float sigma);
// The constant window mask (B, S): 1 at integer s with |s - p_b| <= D and s < length_b.
// Computed from p's value; the window's edges are not differentiated.
Expr local_window_mask(const Expr& p, const std::vector<int>& lengths, std::size_t S, float D);

// ---- additive attention energy (ops/additive_energy.cpp) -------------------------
// e[b, s] = vᵀ tanh(keys[b, s] + query[b] + extra[b, s]): keys and the optional extra
// (B, S, A), query (B, A), v (A) → (B, S). One node that stores nothing per call
// (backward recomputes the tanh), for Bahdanau, concat and location-sensitive scores.
Expr additive_energy(const Expr& keys, const Expr& query, const Expr& v, const Expr& extra = Expr());
// The same composed from primitive ops (add, tanh, matmul): the reference it is tested against.
Expr additive_energy_reference(const Expr& keys, const Expr& query, const Expr& v, const Expr& extra = Expr());

// ---- fused recurrent cells (ops/rnn_cells.cpp) ------------------------------------
// One time step of torch.nn.RNN / GRU / LSTM (equations in nn/rnn.h) as a single node,
// from the input projection xp = x W_ihᵀ + b_ih (B, G·H), the state h (B, H) and the
// recurrent weights W_hh (G·H, H), b_hh (G·H). `keep` (B) or (B, 1), optional: rows
// where it is 0 carry their state unchanged (padded time steps).
Expr rnn_cell(const Expr& xp, const Expr& h, const Expr& W_hh, const Expr& b_hh, const Expr& keep = Expr());
Expr gru_cell(const Expr& xp, const Expr& h, const Expr& W_hh, const Expr& b_hh, const Expr& keep = Expr());
// Returns (2, B, H) holding [h'; c'] (slices along the first axis are free views).
Expr lstm_cell(const Expr& xp, const Expr& h, const Expr& c, const Expr& W_hh, const Expr& b_hh,
               const Expr& keep = Expr());

}  // namespace nmtx
