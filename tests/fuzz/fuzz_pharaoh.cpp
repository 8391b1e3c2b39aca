// Pharaoh alignment lines (nmtx aer --gold/--test, compare.gold). The first byte picks
// 1-based / reversed reading and the sentence lengths the links are checked against.
#include <stdexcept>

#include "fuzz.h"
#include "nmtx/eval/aer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string line(fuzz::text(data + 1, size - 1));
  fuzz::expect_value_or_error<std::invalid_argument>("alignment link", [&] {
    const AlignmentLine a = parse_alignment(line, flags & 1, flags & 2);
    for (const auto& [i, j] : a.possible) {
      if (i < 0 || j < 0 || i > kMaxAlignmentPosition || j > kMaxAlignmentPosition) std::abort();
    }
    for (const auto& link : a.sure) {
      if (a.possible.count(link) == 0) std::abort();  // sure links are possible
    }
    check_alignment_lengths(a, flags >> 4, (flags >> 2) & 3);
    alignment_error_rate({a}, {a});
  });
  return 0;
}
