// embedding: y[i] = table[ids[i]];  d table[ids[i]] += dy[i].
// The gradient is sparse: only the rows that were looked up are touched, so a step
// costs O(N · D) whatever the vocabulary size.
#include <algorithm>

#include "nmtx/core/error.h"
#include "nmtx/core/ops.h"
#include "../xt.h"

namespace nmtx {

Expr embedding(const Expr& table, const std::vector<int>& ids) {
  const Shape s = table.shape();
  if (s.rank() != 2) throw shape_error("embedding", {{"table", s}}, "the table must be (vocabulary, dim)");
  const std::size_t V = s[0], D = s[1];
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || static_cast<std::size_t>(ids[i]) >= V) {
      throw std::out_of_range("embedding: id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                              " is outside the table's " + std::to_string(V) + " rows");
    }
  }
  Graph& g = table.graph();
  Expr y = g.record(Op::embedding, {table}, Shape{ids.size(), D});
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::copy_n(table.value().data() + ids[i] * D, D, y.value().data() + i * D);
  }
  g.on_backward(y, [=] {
    const Tensor dt = table.grad();
    const Tensor dy = y.grad();
    for (std::size_t i = 0; i < ids.size(); ++i) xtv::row(dt, ids[i], D) += xtv::row(dy, i, D);
  });
  return y;
}

}  // namespace nmtx
