// Optimisers and gradient clipping over a ParameterSet's contiguous blocks: each is
// one loop over all parameters. Formulas follow PyTorch's (torch.optim), so that a
// reference run there takes the same steps.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nmtx/core/params.h"

namespace nmtx {

// What a checkpoint keeps of an optimiser: its flat buffers (parallel to the parameter
// value block; empty before the first step) and its step count.
struct OptimizerState {
  std::map<std::string, std::vector<float>> buffers;
  std::int64_t steps = 0;
};

// The same, as the checkpoint writer reads it without copying (Adam's two buffers are
// twice the model): views valid until the optimiser's next step.
struct OptimizerStateView {
  std::vector<std::pair<std::string, const std::vector<float>*>> buffers;
  std::int64_t steps = 0;
};

class Optimizer {
 public:
  explicit Optimizer(float learning_rate) : learning_rate_(learning_rate) {}
  virtual ~Optimizer() = default;
  // Updates every parameter from its gradient (gradients are not cleared).
  virtual void step(ParameterSet& params) = 0;

  virtual OptimizerStateView state() const = 0;
  // Continues from a saved state; throws std::invalid_argument naming a missing buffer or
  // one whose size is not `numel`.
  virtual void restore(const OptimizerState& state, std::size_t numel) = 0;

  float learning_rate() const { return learning_rate_; }
  void set_learning_rate(float lr) { learning_rate_ = lr; }

 protected:
  float learning_rate_;
};

// SGD with optional momentum μ (PyTorch: no dampening, not Nesterov):
//   v ← μ v + g;  p ← p - lr · v        (μ = 0: p ← p - lr · g)
class Sgd : public Optimizer {
 public:
  explicit Sgd(float learning_rate, float momentum = 0.0f);
  void step(ParameterSet& params) override;
  OptimizerStateView state() const override;
  void restore(const OptimizerState& state, std::size_t numel) override;
  const std::vector<float>& velocity() const { return velocity_; }

 private:
  float momentum_;
  std::vector<float> velocity_;  // parallel to the value block; empty until first step
};

// Adam (Kingma & Ba 2015) with bias correction, at step t = 1, 2, ...:
//   m ← β1 m + (1 - β1) g;   v ← β2 v + (1 - β2) g²
//   p ← p - lr · (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)
class Adam : public Optimizer {
 public:
  explicit Adam(float learning_rate, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f);
  void step(ParameterSet& params) override;
  OptimizerStateView state() const override;
  void restore(const OptimizerState& state, std::size_t numel) override;
  std::int64_t steps() const { return t_; }
  const std::vector<float>& first_moment() const { return m_; }
  const std::vector<float>& second_moment() const { return v_; }

 private:
  float beta1_, beta2_, eps_;
  std::int64_t t_ = 0;
  std::vector<float> m_, v_;  // parallel to the value block; empty until first step
};

// The L2 norm of all gradients together (accumulated in double).
double grad_norm(const ParameterSet& params);
// If the global gradient norm exceeds max_norm, scales every gradient by
// max_norm / (norm + 1e-6) (as torch.nn.utils.clip_grad_norm_). Returns the norm
// before clipping.
double clip_grad_norm(ParameterSet& params, float max_norm);

}  // namespace nmtx
