// The FNV-1a digest against the test vectors published with FNV (Fowler, Noll, Vo:
// http://www.isthe.com/chongo/src/fnv/test_fnv.c, FNV1a_64), fed whole and in pieces.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "nmtx/core/digest.h"

using nmtx::Fnv1a;

namespace {

std::string digest_of(const std::string& text) {
  Fnv1a d;
  d.add(text.data(), text.size());
  return d.hex();
}

}  // namespace

TEST_CASE("digest: FNV-1a 64 matches the published test vectors") {
  CHECK(digest_of("") == "cbf29ce484222325");
  CHECK(digest_of("a") == "af63dc4c8601ec8c");
  CHECK(digest_of("foobar") == "85944171f73967e8");
}

TEST_CASE("digest: bytes added in pieces give the digest of the whole") {
  Fnv1a d;
  d.add("foo", 3);
  d.add("", 0);
  d.add("bar", 3);
  CHECK(d.hex() == "85944171f73967e8");
  CHECK(d.value() == 0x85944171f73967e8ull);
}

TEST_CASE("digest: a file's digest is the digest of its bytes, and a missing file is named") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "nmtx-test-digest.bin";
  std::string bytes(200000, '\0');  // longer than the reader's buffer, with zero bytes
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 % 256);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  CHECK(nmtx::file_digest(path.string()) == digest_of(bytes));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH_AS(nmtx::file_digest(path.string()), (path.string() + ": cannot be read").c_str(),
                       std::runtime_error);
}
