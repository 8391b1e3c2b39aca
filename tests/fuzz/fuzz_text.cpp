// Corpus text: plain or gzip (detected by its bytes), BOM, CRLF, UTF-8 checks, line
// lengths; from a file and from standard input. Then tokenisation at both levels.
#include <sstream>

#include "fuzz.h"
#include "nmtx/data/text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  const std::string_view bytes = fuzz::text(data, size);
  const std::string& path = fuzz::scratch_file(bytes);
  fuzz::expect_value_or_error<InputError>(path, [&] {
    std::vector<std::string_view> tokens;
    for (const std::string& line : read_lines(path)) {
      for (TokenLevel level : {TokenLevel::word, TokenLevel::character}) {
        tokenize(line, level, tokens);
        for (std::string_view t : tokens) {
          if (t.empty()) std::abort();
        }
      }
      utf8_lowercase(line);
    }
  });
  std::istringstream in{std::string(bytes)};
  fuzz::expect_value_or_error<InputError>("<stdin>", [&] { read_lines(in, "<stdin>"); });
  return 0;
}
