#include "nmtx/core/params.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nmtx/core/rng.h"

namespace nmtx {

// ---- Parameter -------------------------------------------------------------------

const std::string& Parameter::name() const { return set_->entries_.at(index_).name; }
const Shape& Parameter::shape() const { return set_->entries_.at(index_).shape; }

Tensor Parameter::value() const {
  const auto& e = set_->entries_.at(index_);
  return Tensor(const_cast<float*>(set_->values_.data()) + e.offset, e.shape);
}

Tensor Parameter::grad() const {
  const auto& e = set_->entries_.at(index_);
  if (!set_->gradients_) {
    throw std::logic_error("Parameter::grad(\"" + e.name + "\"): the set was loaded to decode and keeps no gradients");
  }
  return Tensor(const_cast<float*>(set_->grads_.data()) + e.offset, e.shape);
}

// ---- ParameterSet ----------------------------------------------------------------

namespace {

bool valid_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char previous = 0;
  for (char c : name) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

}  // namespace

Parameter ParameterSet::add(const std::string& name, const Shape& shape, Init init) {
  if (frozen_) {
    throw std::logic_error("ParameterSet::add(\"" + name + "\"): the set is already used by a graph; "
                           "register every parameter before building graphs");
  }
  if (!valid_name(name)) {
    throw std::invalid_argument("ParameterSet::add: invalid parameter name \"" + name +
                                "\"; expected dot-separated parts of letters, digits and '_' "
                                "(e.g. encoder.fwd.W_ih)");
  }
  if (contains(name)) {
    throw std::invalid_argument("ParameterSet::add: duplicate parameter name \"" + name + "\"");
  }
  const std::size_t offset = values_.size();
  values_.resize(offset + shape.size());
  if (gradients_) grads_.resize(offset + shape.size(), 0.0f);
  entries_.push_back({name, shape, offset});
  by_name_[name] = static_cast<int>(entries_.size() - 1);
  if (initialise_) initialise(Tensor(values_.data() + offset, shape), init, derive_seed(seed_, name));
  return Parameter(this, static_cast<int>(entries_.size() - 1));
}

Parameter ParameterSet::get(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return Parameter(this, it->second);
  // Name the parameters that share the requested one's first part, to help spot typos.
  const std::string head = name.substr(0, name.find('.'));
  std::string similar;
  for (const auto& [n, i] : by_name_) {
    if (n.compare(0, head.size(), head) == 0) similar += (similar.empty() ? "" : ", ") + n;
  }
  throw std::out_of_range("ParameterSet: no parameter named \"" + name + "\"" +
                          (similar.empty() ? std::string() : "; parameters under \"" + head + "\": " + similar));
}

std::vector<Parameter> ParameterSet::all() const {
  std::vector<Parameter> out;
  out.reserve(by_name_.size());
  for (const auto& [name, index] : by_name_) out.push_back(Parameter(this, index));
  return out;
}

void ParameterSet::without_gradients() {
  if (!entries_.empty()) throw std::logic_error("ParameterSet::without_gradients: parameters were added already");
  gradients_ = false;
}

void ParameterSet::zero_grad() { std::fill(grads_.begin(), grads_.end(), 0.0f); }

// ---- initialisation --------------------------------------------------------------

void initialise(const Tensor& values, Init init, std::uint64_t seed) {
  Rng rng(seed);
  const Shape& shape = values.shape();
  float bound = init.value;
  switch (init.kind) {
    case Init::Kind::zeros:
      values.fill(0.0f);
      return;
    case Init::Kind::constant:
      values.fill(init.value);
      return;
    case Init::Kind::normal:
      for (std::size_t i = 0; i < values.size(); ++i) values[i] = init.value * rng.normal();
      return;
    case Init::Kind::glorot_uniform: {
      if (shape.rank() < 2) {
        throw std::invalid_argument("Init::glorot_uniform needs a parameter of rank >= 2 (fan_out, fan_in, ...), "
                                    "not " + shape.str());
      }
      const double receptive = static_cast<double>(shape.size()) / (shape[0] * shape[1]);
      const double fan_out = shape[0] * receptive, fan_in = shape[1] * receptive;
      bound = static_cast<float>(std::sqrt(6.0 / (fan_in + fan_out)));
      break;
    }
    case Init::Kind::uniform:
      break;
  }
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = rng.uniform(-bound, bound);
}

}  // namespace nmtx
