// Shape errors are raised when an op is recorded, and their message names the op and
// every input shape.
#include <doctest/doctest.h>

#include <stdexcept>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"

using namespace nmtx;

TEST_CASE("shape error messages name the op and every input shape") {
  Graph g;
  const Expr a = g.constant(TensorData(Shape{2, 3}));
  const Expr b = g.constant(TensorData(Shape{4, 5}));
  CHECK_THROWS_WITH_AS(matmul(a, b), "matmul: a (2, 3), b (4, 5): the inner dimensions differ: a has 3 columns, b has 4 rows",
                       ShapeError);
  CHECK_THROWS_WITH_AS(add(a, g.constant(TensorData(Shape{4}))),
                       "add: a (2, 3), b (4,): cannot broadcast: axis -1 has 3 and 4 (each axis must agree or be 1)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(mul(a, b), doctest::Contains("mul: a (2, 3), b (4, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(concat({a, b}, 0), doctest::Contains("concat: x0 (2, 3), input (4, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(softmax(a, 1, b), doctest::Contains("softmax: x (2, 3), mask (4, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(slice(a, 1, 2, 2), doctest::Contains("slice: x (2, 3): slice [2, 4) exceeds axis 1"), ShapeError);
  CHECK_THROWS_WITH_AS(reshape(a, {4, 2}), doctest::Contains("reshape: x (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(stack({a, b}), doctest::Contains("stack: x0 (2, 3), input (4, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(select(a, a, b), doctest::Contains("select: mask (2, 3), a (2, 3), b (4, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(cross_entropy(a, {1}), doctest::Contains("cross_entropy: x (2, 3): 1 targets given for 2 rows"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(gaussian_window(a, b, 1.0f), doctest::Contains("gaussian_window: p (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(sum(a, 2), doctest::Contains("sum: x (2, 3): axis 2 is out of range"), ShapeError);
  CHECK_THROWS_WITH_AS(bmm(a, b), doctest::Contains("bmm: a (2, 3), b (4, 5): both operands must have rank 3"), ShapeError);
  CHECK_THROWS_WITH_AS(transpose(a, {0, 0}), "transpose: x (2, 3): [0, 0] is not a permutation of the 2 axes", ShapeError);
  CHECK_THROWS_WITH_AS(unfold(a, 2), doctest::Contains("unfold: x (2, 3): the window size 2 must be odd"), ShapeError);
  CHECK_THROWS_WITH_AS(maxout(a, 2), doctest::Contains("maxout: x (2, 3)"), ShapeError);
}

TEST_CASE("out-of-range ids and targets name the op, the value and the position") {
  Graph g;
  const Expr table = g.constant(TensorData(Shape{3, 2}));
  CHECK_THROWS_WITH_AS(embedding(table, {0, 3}), "embedding: id 3 at position 1 is outside the table's 3 rows",
                       std::out_of_range);
  CHECK_THROWS_WITH_AS(nll_loss(table, {0, 1, -1}), doctest::Contains("target -1 in row 2"), std::out_of_range);
}

TEST_CASE("a failed op records nothing") {
  Graph g;
  const Expr a = g.constant(TensorData(Shape{2, 3}));
  const std::size_t before = g.size();
  CHECK_THROWS(matmul(a, a));
  CHECK(g.size() == before);
}
