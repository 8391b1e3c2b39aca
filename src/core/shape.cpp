#include "nmtx/core/shape.h"

#include <stdexcept>

namespace nmtx {

Shape::Shape(std::initializer_list<std::size_t> dims) {
  if (dims.size() > static_cast<std::size_t>(kMaxRank)) {
    throw std::invalid_argument("Shape: rank " + std::to_string(dims.size()) +
                                " exceeds the maximum rank " + std::to_string(kMaxRank));
  }
  for (std::size_t d : dims) dims_[rank_++] = d;
}

std::size_t Shape::size() const {
  std::size_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

int Shape::normalize_axis(int axis) const {
  const int a = axis < 0 ? axis + rank_ : axis;
  if (a < 0 || a >= rank_) {
    throw std::out_of_range("axis " + std::to_string(axis) + " is out of range for shape " + str());
  }
  return a;
}

std::size_t Shape::outer(int axis) const {
  const int a = normalize_axis(axis);
  std::size_t n = 1;
  for (int i = 0; i < a; ++i) n *= dims_[i];
  return n;
}

std::size_t Shape::inner(int axis) const {
  const int a = normalize_axis(axis);
  std::size_t n = 1;
  for (int i = a + 1; i < rank_; ++i) n *= dims_[i];
  return n;
}

Shape Shape::with(int axis, std::size_t n) const {
  Shape s = *this;
  s.dims_[normalize_axis(axis)] = n;
  return s;
}

Shape Shape::without(int axis) const {
  const int a = normalize_axis(axis);
  Shape s;
  for (int i = 0; i < rank_; ++i) {
    if (i != a) s.dims_[s.rank_++] = dims_[i];
  }
  return s;
}

Shape Shape::prepend(std::size_t n) const {
  if (rank_ == kMaxRank) {
    throw std::invalid_argument("Shape: cannot add an axis to " + str() + ": the maximum rank is " +
                                std::to_string(kMaxRank));
  }
  Shape s;
  s.dims_[s.rank_++] = n;
  for (int i = 0; i < rank_; ++i) s.dims_[s.rank_++] = dims_[i];
  return s;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < rank_; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(dims_[i]);
  }
  if (rank_ == 1) s += ",";  // numpy's spelling of a 1-tuple: "(5,)"
  return s + ")";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i) {
    if (a.dims_[i] != b.dims_[i]) return false;
  }
  return true;
}

}  // namespace nmtx
