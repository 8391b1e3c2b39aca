// The real corpora of ../shared/data for tests (NMTX_SHARED_DATA): where they are, and a
// check that fails under CI when they are missing and skips visibly elsewhere.
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace nmtx::test {

// WMT17 newstest2017 en-de: the reference, four systems, sacreBLEU's expected numbers.
inline const std::string kWmt = std::string(NMTX_SHARED_DATA) + "/wmt17_newstest2017_en-de_systems";

// Whether the shared corpora are here. Missing, it is a failure under CI (CI=true); elsewhere
// the test prints the line CTest's SKIP_REGULAR_EXPRESSION (tests/CMakeLists.txt) turns into
// "Skipped", so it never shows as a pass.
inline bool have_shared(const std::string& path) {
  if (std::filesystem::exists(path)) return true;
  REQUIRE_MESSAGE(std::getenv("CI") == nullptr, "shared data missing under CI: " << path);
  std::printf("SKIPPED: shared data missing: %s\n", path.c_str());
  std::fflush(stdout);
  return false;
}

}  // namespace nmtx::test
