// What every fuzz target shares. A reader of untrusted bytes may answer only in two ways:
// a value, or the exception type it documents, carrying a message that names the input.
// Anything else is a finding: a crash, a sanitizer report, an allocation above
// libFuzzer's -malloc_limit_mb, a timeout, or another exception escaping (libFuzzer
// reports it as a deadly signal when std::terminate aborts).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

namespace nmtx::fuzz {

// The input as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs fn(); an exception of type Expected is the documented answer, but only with a
// message that contains `name` (the file or field the user must look at).
template <class Expected, class Fn>
void expect_value_or_error(const std::string& name, Fn&& fn) {
  try {
    fn();
  } catch (const Expected& e) {
    const std::string_view what = e.what();
    if (what.empty() || (!name.empty() && what.find(name) == std::string_view::npos)) {
      std::fprintf(stderr, "error message does not name \"%s\": \"%.*s\"\n", name.c_str(),
                   static_cast<int>(what.size() > 300 ? 300 : what.size()), what.data());
      std::abort();
    }
  }
}

// The same where the message may name any of `names` (a check between recipe keys names the
// --set or the file that set the value it blames).
template <class Expected, class Fn>
void expect_value_or_error_naming_one_of(std::initializer_list<const char*> names, Fn&& fn) {
  try {
    fn();
  } catch (const Expected& e) {
    const std::string_view what = e.what();
    for (const char* name : names) {
      if (!what.empty() && what.find(name) != std::string_view::npos) return;
    }
    std::fprintf(stderr, "error message names none of the expected places: \"%.*s\"\n",
                 static_cast<int>(what.size() > 300 ? 300 : what.size()), what.data());
    std::abort();
  }
}

// A file holding `bytes`, for readers that take a path; one per process (libFuzzer runs
// one input at a time), under TMPDIR.
inline const std::string& scratch_file(std::string_view bytes) {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/nmtx-fuzz-" + std::to_string(::getpid());
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace nmtx::fuzz
