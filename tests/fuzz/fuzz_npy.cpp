// .npy files (checkpoints' params/ and optimizer/): the whole parser, from memory and
// through a file (the size check before any allocation).
#include <stdexcept>

#include "fuzz.h"
#include "nmtx/io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  const std::string_view bytes = fuzz::text(data, size);
  fuzz::expect_value_or_error<std::runtime_error>("input.npy", [&] {
    const TensorData t = parse_npy(bytes, "input.npy");
    if (t.values.size() != t.shape.size()) std::abort();
  });
  const std::string& path = fuzz::scratch_file(bytes);
  fuzz::expect_value_or_error<std::runtime_error>(path, [&] { load_npy(path); });
  return 0;
}
