#include "nmtx/decode/attention_record.h"

#include <algorithm>

namespace nmtx {

std::size_t AttentionRecord::argmax(std::size_t t) const {
  const std::vector<float>& row = weights.at(t);
  return static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

}  // namespace nmtx
