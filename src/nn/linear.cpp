#include "nmtx/nn/linear.h"

#include "nmtx/core/error.h"

namespace nmtx {

Expr linear3(const Expr& x, const Expr& W) {
  const Shape s = x.shape();
  if (s.rank() != 3) throw shape_error("linear3", {{"x", s}, {"W", W.shape()}}, "x must have rank 3");
  const Expr rows = linear(reshape(x, {s[0] * s[1], s[2]}), W);  // (B·S, out)
  return reshape(rows, {s[0], s[1], W.shape()[0]});
}

}  // namespace nmtx
