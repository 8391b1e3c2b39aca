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

// The edges `layers_file` declares that no file of the tree uses (no include of the used
// layer's public headers), one message each ("tests/layers.txt: train uses report, but no
// file of train includes it"). Empty: every declared edge is an include somewhere.
std::vector<std::string> unused_layer_edges(const std::filesystem::path& root, const std::filesystem::path& layers_file);

}  // namespace nmtx::test
