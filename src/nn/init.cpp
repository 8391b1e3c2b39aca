#include "nmtx/nn/init.h"

#include "nmtx/core/rng.h"

#include <stdexcept>

namespace nmtx {

const EnumNames<InitScheme>& init_scheme_names() {
  static const EnumNames<InitScheme> names{{"uniform", InitScheme::uniform}, {"glorot", InitScheme::glorot}};
  return names;
}

Parameter ParameterFactory::weight(const std::string& name, const Shape& shape) {
  if (scheme_ == InitScheme::uniform) return params_.add(name, shape, Init::uniform(scale_));
  if (shape.rank() >= 2) return params_.add(name, shape, Init::glorot_uniform());
  // A vector of weights (v_a, v_p, w): Glorot for the (1, n) row it acts as.
  Parameter p = params_.add(name, shape, Init::zeros());
  if (params_.initialises()) {
    initialise(Tensor(p.value().data(), Shape{1, shape.size()}), Init::glorot_uniform(), derive_seed(params_.seed(), name));
  }
  return p;
}

Parameter ParameterFactory::bias(const std::string& name, std::size_t n) {
  return params_.add(name, Shape{n}, scheme_ == InitScheme::uniform ? Init::uniform(scale_) : Init::zeros());
}

Parameter ParameterFactory::embedding(const std::string& name, std::size_t vocab, std::size_t dim) {
  return params_.add(name, Shape{vocab, dim}, scheme_ == InitScheme::uniform ? Init::uniform(scale_) : Init::normal(scale_));
}

}  // namespace nmtx
