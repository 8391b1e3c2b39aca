// The architecture check of tests/test_layers.cpp, as a function over a source tree so that
// its own tests can plant violations in a copy.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nmtx::test {

// Every violation of the layers declared in `layers_file` by the files of root/src,
// root/include and root/bench, one message each ("src/x/y.cpp:12: ..."). Empty: none.
std::vector<std::string> layer_violations(const std::filesystem::path& root, const std::filesystem::path& layers_file);

}  // namespace nmtx::test
