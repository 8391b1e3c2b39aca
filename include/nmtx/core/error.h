// The errors the engine raises. Each message says what was wrong and what was expected.
#pragma once

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>

#include "nmtx/core/shape.h"

namespace nmtx {

// Raised when an op is recorded with inputs it cannot take: never later, inside BLAS.
class ShapeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Builds the message "OP: NAME (d0, d1), NAME (d0): EXPECTATION", naming the op and every
// input shape, e.g. "matmul: a (2, 3), b (4, 5): a's columns (3) must equal b's rows (4)".
ShapeError shape_error(const char* op,
                       std::initializer_list<std::pair<const char*, Shape>> inputs,
                       const std::string& expectation);

}  // namespace nmtx
