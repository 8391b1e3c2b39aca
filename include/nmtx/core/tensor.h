// Tensor: a view of contiguous row-major float32 data owned elsewhere (a graph's arena,
// a ParameterSet's block) and TensorData: an owned tensor for inputs and results.
#pragma once

#include <cstddef>
#include <vector>

#include "nmtx/core/shape.h"

namespace nmtx {

// Copying a Tensor copies the view, not the data. Element access is by flat index;
// computations go through the fixed-rank xtensor adaptors in src/core/xt.h.
class Tensor {
 public:
  Tensor() = default;
  Tensor(float* data, const Shape& shape) : data_(data), shape_(shape) {}

  float* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  std::size_t size() const { return shape_.size(); }
  bool empty() const { return data_ == nullptr; }
  float& operator[](std::size_t i) const { return data_[i]; }

  void fill(float v) const;
  void copy_from(const float* src) const;  // size() floats

 private:
  float* data_ = nullptr;
  Shape shape_;
};

// An owned tensor: a shape and its row-major values.
struct TensorData {
  Shape shape;
  std::vector<float> values;

  TensorData() = default;
  explicit TensorData(const Shape& s, float fill = 0.0f) : shape(s), values(s.size(), fill) {}
  TensorData(const Shape& s, std::vector<float> v);  // checks that the sizes agree
  explicit TensorData(const Tensor& t) : shape(t.shape()), values(t.data(), t.data() + t.size()) {}

  Tensor view() { return Tensor(values.data(), shape); }
};

}  // namespace nmtx
