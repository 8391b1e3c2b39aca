#include "nmtx/decode/decode_options.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace nmtx {

std::size_t step_limit(const DecodeOptions& options, std::size_t source_length) {
  if (options.max_length_ratio <= 0.0f) return options.max_length;
  const auto by_ratio = static_cast<std::size_t>(options.max_length_ratio * static_cast<float>(source_length)) + 10;
  return std::min(options.max_length, by_ratio);
}

void check_prefix(const DecodeOptions& options, std::size_t vocab) {
  for (int token : options.prefix) {
    if (token < 0 || static_cast<std::size_t>(token) >= vocab || token == options.eos || token == options.bos) {
      throw std::invalid_argument("decoding: a forced prefix holds token id " + std::to_string(token) +
                                  " (ids are below " + std::to_string(vocab) + ", and neither </s> nor <s>)");
    }
  }
}

}  // namespace nmtx
