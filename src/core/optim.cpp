#include "nmtx/core/optim.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "simd.h"
#include "xt.h"

namespace nmtx {

Sgd::Sgd(float learning_rate, float momentum) : Optimizer(learning_rate), momentum_(momentum) {
  if (!(momentum >= 0.0f && momentum < 1.0f)) {
    throw std::invalid_argument("Sgd: momentum " + std::to_string(momentum) + " must be in [0, 1)");
  }
}

void Sgd::step(ParameterSet& params) {
  auto p = xtv::vec(params.values(), params.numel());
  auto g = xtv::vec(params.grads(), params.numel());
  if (momentum_ == 0.0f) {
    xt::noalias(p) -= learning_rate_ * g;
    return;
  }
  if (velocity_.empty()) {  // first step: v = g (PyTorch initialises the buffer with g)
    velocity_.assign(params.grads(), params.grads() + params.numel());
  } else {
    auto v = xtv::vec(velocity_.data(), velocity_.size());
    xt::noalias(v) = momentum_ * v + g;
  }
  xt::noalias(p) -= learning_rate_ * xtv::vec(velocity_.data(), velocity_.size());
}

namespace {

// The buffer `name` of a saved state: empty if the state has none and `optional`.
std::vector<float> buffer(const OptimizerState& state, const std::string& name, std::size_t numel) {
  const auto it = state.buffers.find(name);
  if (it == state.buffers.end()) {
    if (state.steps == 0) return {};
    throw std::invalid_argument("optimiser state: buffer " + name + " is missing");
  }
  if (!it->second.empty() && it->second.size() != numel) {
    throw std::invalid_argument("optimiser state: buffer " + name + " has " + std::to_string(it->second.size()) +
                                " values, the model has " + std::to_string(numel) + " parameters");
  }
  return it->second;
}

}  // namespace

OptimizerStateView Sgd::state() const {
  OptimizerStateView s;
  if (!velocity_.empty()) s.buffers.emplace_back("velocity", &velocity_);
  return s;
}

void Sgd::restore(const OptimizerState& state, std::size_t numel) {
  const auto it = state.buffers.find("velocity");
  velocity_ = it == state.buffers.end() ? std::vector<float>{} : buffer(state, "velocity", numel);
}

OptimizerStateView Adam::state() const {
  OptimizerStateView s;
  s.steps = t_;
  if (t_ > 0) {
    s.buffers.emplace_back("adam_m", &m_);
    s.buffers.emplace_back("adam_v", &v_);
  }
  return s;
}

void Adam::restore(const OptimizerState& state, std::size_t numel) {
  t_ = state.steps;
  m_ = buffer(state, "adam_m", numel);
  v_ = buffer(state, "adam_v", numel);
}

Adam::Adam(float learning_rate, float beta1, float beta2, float eps)
    : Optimizer(learning_rate), beta1_(beta1), beta2_(beta2), eps_(eps) {
  if (!(beta1 >= 0.0f && beta1 < 1.0f && beta2 >= 0.0f && beta2 < 1.0f)) {
    throw std::invalid_argument("Adam: beta1 and beta2 must be in [0, 1)");
  }
}

void Adam::step(ParameterSet& params) {
  const std::size_t n = params.numel();
  if (m_.empty()) {
    m_.assign(n, 0.0f);
    v_.assign(n, 0.0f);
  }
  ++t_;
  // Bias corrections in double: 1 - β2^t is tiny for small t.
  const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta1_), static_cast<double>(t_)));
  const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(beta2_), static_cast<double>(t_)));
  auto p = xtv::vec(params.values(), n);
  auto g = xtv::vec(params.grads(), n);
  auto m = xtv::vec(m_.data(), n);
  auto v = xtv::vec(v_.data(), n);
  xt::noalias(m) = beta1_ * m + (1.0f - beta1_) * g;
  xt::noalias(v) = beta2_ * v + (1.0f - beta2_) * g * g;
  // Evaluated in PyTorch's order: p -= (lr / c1) · m / (sqrt(v) / sqrt(c2) + ε).
  const float step_size = learning_rate_ / c1, root_c2 = std::sqrt(c2);
  xt::noalias(p) -= step_size * m / (xt::sqrt(v) / root_c2 + eps_);
}

double grad_norm(const ParameterSet& params) {
  // Squares summed in float within blocks of 4096 (vectorised), the blocks in double.
  const float* g = params.grads();
  const std::size_t n = params.numel();
  constexpr std::size_t kBlock = 4096;
  double total = 0.0;
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t len = std::min(kBlock, n - start);
    simd::batch acc(0.0f);
    std::size_t i = 0;
    for (; i + simd::kWidth <= len; i += simd::kWidth) {
      const simd::batch x = simd::batch::load_unaligned(g + start + i);
      acc = xsimd::fma(x, x, acc);
    }
    float block = xsimd::hadd(acc);
    for (; i < len; ++i) block += g[start + i] * g[start + i];
    total += block;
  }
  return std::sqrt(total);
}

double clip_grad_norm(ParameterSet& params, float max_norm) {
  const double norm = grad_norm(params);
  if (norm > max_norm) {
    const float factor = static_cast<float>(max_norm / (norm + 1e-6));
    xtv::vec(params.grads(), params.numel()) *= factor;
  }
  return norm;
}

}  // namespace nmtx
