// Vocabulary files (one token per line, IWSLT's form; every run's src.vocab/tgt.vocab).
#include "fuzz.h"
#include "nmtx/data/text.h"
#include "nmtx/data/vocab.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  const std::string& path = fuzz::scratch_file(fuzz::text(data, size));
  fuzz::expect_value_or_error<InputError>(path, [&] {
    const Vocab v = Vocab::load(path);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v.id(v.token(static_cast<int>(i))) != static_cast<int>(i)) std::abort();  // ids and tokens agree
    }
  });
  return 0;
}
