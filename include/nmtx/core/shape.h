// Shape: the dimensions of a row-major float32 tensor of rank 0..4.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>

namespace nmtx {

class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;  // rank 0: a scalar, size 1
  Shape(std::initializer_list<std::size_t> dims);

  int rank() const { return rank_; }
  std::size_t size() const;  // product of the dimensions
  // Dimension `axis`; a negative axis counts from the end (-1 is the last).
  std::size_t operator[](int axis) const { return dims_[normalize_axis(axis)]; }
  // Maps a possibly negative axis to 0..rank-1; throws std::out_of_range if invalid.
  int normalize_axis(int axis) const;

  // Product of the dimensions before / after `axis`: a tensor viewed along `axis`
  // is (outer, dims[axis], inner) in row-major order.
  std::size_t outer(int axis) const;
  std::size_t inner(int axis) const;

  Shape with(int axis, std::size_t n) const;  // a copy with one dimension replaced
  Shape without(int axis) const;              // a copy with one axis removed
  Shape prepend(std::size_t n) const;         // (n, dims...)

  const std::size_t* begin() const { return dims_.data(); }
  const std::size_t* end() const { return dims_.data() + rank_; }

  std::string str() const;  // "(3, 4)"; "()" for a scalar

  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  std::array<std::size_t, kMaxRank> dims_{};
  int rank_ = 0;
};

}  // namespace nmtx
