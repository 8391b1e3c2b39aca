// How a model's parameters start, by kind. Two schemes:
//   uniform  every parameter U(-s, s), s = init_scale (0.1 as Luong et al. 2015)
//   glorot   matrices Glorot-uniform, vectors of weights Glorot-uniform as a (1, n)
//            row, biases 0, embeddings N(0, s)
#pragma once

#include <string>

#include "nmtx/core/enum_names.h"
#include "nmtx/core/params.h"

namespace nmtx {

enum class InitScheme { uniform, glorot };
const EnumNames<InitScheme>& init_scheme_names();  // "uniform", "glorot"

class ParameterFactory {
 public:
  ParameterFactory(ParameterSet& params, InitScheme scheme, float scale)
      : params_(params), scheme_(scheme), scale_(scale) {}

  Parameter weight(const std::string& name, const Shape& shape);     // a matrix, or a vector like v_a
  Parameter bias(const std::string& name, std::size_t n);
  Parameter embedding(const std::string& name, std::size_t vocab, std::size_t dim);
  ParameterSet& params() { return params_; }

 private:
  ParameterSet& params_;
  InitScheme scheme_;
  float scale_;
};

}  // namespace nmtx
