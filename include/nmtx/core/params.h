// ParameterSet: every trainable tensor of a model, by hierarchical name
// ("encoder.fwd.W_ih"). Values live in one contiguous block and gradients in a
// parallel block, so zero-grad, clipping, optimisers and checkpoints are one loop each.
// Names are unique and iterated in sorted order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nmtx/core/tensor.h"

namespace nmtx {

// How a parameter's values start. Each parameter draws from its own stream, seeded by
// the set's seed and the parameter's name, so adding a parameter changes no other.
struct Init {
  enum class Kind { zeros, constant, uniform, normal, glorot_uniform };
  Kind kind = Kind::zeros;
  float value = 0.0f;  // constant: the value; uniform: the bound a; normal: the std

  static Init zeros() { return {Kind::zeros, 0.0f}; }
  static Init constant(float c) { return {Kind::constant, c}; }
  static Init uniform(float a) { return {Kind::uniform, a}; }  // U(-a, a)
  static Init normal(float std) { return {Kind::normal, std}; }
  // U(-a, a) with a = sqrt(6 / (fan_in + fan_out)) for a (fan_out, fan_in) matrix; for
  // rank 3+ the trailing axes are the receptive field (as PyTorch). Needs rank >= 2.
  static Init glorot_uniform() { return {Kind::glorot_uniform, 0.0f}; }
};

class ParameterSet;

// A handle to one parameter of a set.
class Parameter {
 public:
  Parameter() = default;
  const std::string& name() const;
  const Shape& shape() const;
  Tensor value() const;
  Tensor grad() const;
  bool valid() const { return set_ != nullptr; }

 private:
  friend class ParameterSet;
  friend class Graph;
  Parameter(const ParameterSet* set, int index) : set_(set), index_(index) {}
  const ParameterSet* set_ = nullptr;
  int index_ = -1;
};

class ParameterSet {
 public:
  explicit ParameterSet(std::uint64_t seed = 1) : seed_(seed) {}
  ParameterSet(const ParameterSet&) = delete;
  ParameterSet& operator=(const ParameterSet&) = delete;

  // Registers and initialises a parameter. Throws std::invalid_argument for a duplicate
  // or malformed name (dot-separated [A-Za-z0-9_] parts), and std::logic_error once the
  // set has been used by a graph (the blocks must not move under a graph's views).
  Parameter add(const std::string& name, const Shape& shape, Init init);

  bool contains(const std::string& name) const { return by_name_.count(name) != 0; }
  Parameter get(const std::string& name) const;  // throws, listing similar names
  std::vector<Parameter> all() const;            // sorted by name

  std::uint64_t seed() const { return seed_; }
  // For values a checkpoint overwrites whole (load_trained_run): from now on add() leaves
  // them zero instead of drawing them (drawing a Multi30k model's 10M values was 12% of
  // loading it to translate).
  void skip_initialisation() { initialise_ = false; }
  bool initialises() const { return initialise_; }
  // For a set loaded only to decode (load_trained_run), before any add(): no gradient
  // block is allocated (it would double what loading a model touches). Graphs treat its
  // parameters as constants; grads() is null and Parameter::grad() throws.
  void without_gradients();
  bool has_gradients() const { return gradients_; }
  std::size_t count() const { return entries_.size(); }  // number of tensors
  std::size_t numel() const { return values_.size(); }   // number of floats

  // The contiguous blocks, in registration order (offset() gives each parameter's place).
  float* values() { return values_.data(); }
  float* grads() { return gradients_ ? grads_.data() : nullptr; }
  const float* values() const { return values_.data(); }
  const float* grads() const { return gradients_ ? grads_.data() : nullptr; }
  std::size_t offset(const Parameter& p) const { return entries_.at(p.index_).offset; }

  void zero_grad();
  // Called by Graph::param(): from now on the blocks must not move. Atomic: graphs in
  // several threads may read one set at once (parallel decoding).
  void freeze() const { frozen_.store(true, std::memory_order_relaxed); }

 private:
  friend class Parameter;
  struct Entry {
    std::string name;
    Shape shape;
    std::size_t offset;
  };
  std::uint64_t seed_;
  bool initialise_ = true;
  bool gradients_ = true;
  std::vector<Entry> entries_;          // registration order
  std::map<std::string, int> by_name_;  // sorted view
  std::vector<float> values_;
  std::vector<float> grads_;
  mutable std::atomic<bool> frozen_{false};
};

// Fills `values` (shape `shape`) as `init` says, from `seed`.
void initialise(const Tensor& values, Init init, std::uint64_t seed);

}  // namespace nmtx
