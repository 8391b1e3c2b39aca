#include "nmtx/core/error.h"

namespace nmtx {

ShapeError shape_error(const char* op,
                       std::initializer_list<std::pair<const char*, Shape>> inputs,
                       const std::string& expectation) {
  std::string msg = std::string(op) + ": ";
  bool first = true;
  for (const auto& [name, shape] : inputs) {
    if (!first) msg += ", ";
    msg += std::string(name) + " " + shape.str();
    first = false;
  }
  return ShapeError(msg + ": " + expectation);
}

}  // namespace nmtx
