#include "nmtx/core/tensor.h"

#include <algorithm>
#include <stdexcept>

namespace nmtx {

void Tensor::fill(float v) const { std::fill(data_, data_ + size(), v); }

void Tensor::copy_from(const float* src) const { std::copy(src, src + size(), data_); }

TensorData::TensorData(const Shape& s, std::vector<float> v) : shape(s), values(std::move(v)) {
  if (values.size() != shape.size()) {
    throw std::invalid_argument("TensorData: shape " + shape.str() + " holds " +
                                std::to_string(shape.size()) + " values, but " +
                                std::to_string(values.size()) + " were given");
  }
}

}  // namespace nmtx
