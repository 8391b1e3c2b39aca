// The architecture as a test: every #include of src/, include/ and bench/ respects the
// layers of tests/layers.txt (docs/architecture.md), no layer reaches into another's
// private headers, recipe keys are read by name only in the config layer, and the tape's
// interface names no decoding optimisation. The checker itself must catch planted
// violations.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "layer_check.h"
#include "test_files.h"

namespace fs = std::filesystem;
using nmtx::test::layer_violations;
using nmtx::test::unused_layer_edges;

namespace {

const fs::path kRoot = NMTX_SOURCE_DIR;
const fs::path kLayers = kRoot / "tests" / "layers.txt";

// A file of a planted tree, its folders created.
void write_in(const fs::path& root, const std::string& path, const std::string& text) {
  fs::create_directories((root / path).parent_path());
  nmtx::test::write_file(root / path, text);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

}  // namespace

TEST_CASE("every include of src/, include/ and bench/ respects the declared layers") {
  const std::vector<std::string> violations = layer_violations(kRoot, kLayers);
  INFO(joined(violations));
  CHECK(violations.empty());
}

TEST_CASE("every edge tests/layers.txt declares is an include somewhere: the file lists direct edges, no more") {
  const std::vector<std::string> unused = unused_layer_edges(kRoot, kLayers);
  INFO(joined(unused));
  CHECK(unused.empty());
}

TEST_CASE("the edge check fails on a planted unused edge and on a layer reached only through another") {
  const fs::path d = nmtx::test::fresh_dir("layer-edges");
  const auto write = [&](const std::string& path, const std::string& text) { write_in(d, path, text); };
  write("include/nmtx/core/graph.h", "#pragma once\n");
  write("include/nmtx/nn/rnn.h", "#pragma once\n#include \"nmtx/core/graph.h\"\n");
  write("src/model/seq2seq.cpp", "#include \"nmtx/nn/rnn.h\"\n");  // core only through nn
  write("layers.txt", "core:\nnn: core\nmodel: nn\n");
  CHECK(layer_violations(d, d / "layers.txt").empty());
  CHECK(unused_layer_edges(d, d / "layers.txt").empty());
  write("layers.txt", "core:\nnn: core\nmodel: core nn\n");  // model → core declared, never included
  const auto unused = unused_layer_edges(d, d / "layers.txt");
  REQUIRE(unused.size() == 1);
  CHECK(unused[0] == "tests/layers.txt: model uses core, but no file of model includes it");
  write("src/model/seq2seq.cpp", "#include \"nmtx/nn/rnn.h\"\n#include \"nmtx/core/graph.h\"\n");
  write("layers.txt", "core:\nnn: core\nmodel: nn\n");  // a direct include of core, declared only through nn
  const auto v = layer_violations(d, d / "layers.txt");
  REQUIRE(v.size() == 1);
  CHECK(v[0].find("src/model/seq2seq.cpp:2: model includes nmtx/core/graph.h from layer core") == 0);
  fs::remove_all(d);
}

TEST_CASE("the tape's public interface names no packing type") {
  const std::string graph = nmtx::test::read_file(kRoot / "include" / "nmtx" / "core" / "graph.h");
  REQUIRE(graph.find("class Graph") != std::string::npos);
  CHECK(graph.find("Pack") == std::string::npos);
  CHECK(graph.find("pack") == std::string::npos);
}

TEST_CASE("the layer check fails on planted violations") {
  // A small tree laid out like the project's, checked against the real layers.txt.
  const fs::path d = nmtx::test::fresh_dir("layers");
  const auto write = [&](const std::string& path, const std::string& text) { write_in(d, path, text); };
  write("include/nmtx/core/graph.h", "#pragma once\n#include <vector>\n");
  write("include/nmtx/decode/greedy.h", "#pragma once\n#include \"nmtx/core/graph.h\"\n");
  write("src/core/simd.h", "#pragma once\n");
  write("src/core/graph.cpp", "#include \"nmtx/core/graph.h\"\n#include \"simd.h\"\n");
  write("src/config/recipe.h", "#pragma once\n");
  write("src/config/config.cpp", "#include \"recipe.h\"\nint x = r.integer(\"training.seed\");\n");
  write("src/train/trainer.cpp", "#include \"nmtx/decode/greedy.h\"\n");
  CHECK(layer_violations(d, kLayers).empty());  // the clean tree passes

  SUBCASE("an upward include") {
    write("src/core/graph.cpp", "#include \"nmtx/core/graph.h\"\n#include \"nmtx/decode/greedy.h\"\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/core/graph.cpp:2: core includes nmtx/decode/greedy.h from layer decode") == 0);
  }
  SUBCASE("a recipe key looked up outside the config layer") {
    write("src/train/trainer.cpp", "#include \"nmtx/decode/greedy.h\"\nconst auto s = r.integer(\"training.seed\");\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/train/trainer.cpp:2: a recipe key by name outside the config layer") == 0);
  }
  SUBCASE("a KEY=VALUE override built outside the config layer") {
    write("src/train/trainer.cpp", "#include \"nmtx/decode/greedy.h\"\nauto o = \"model.attention.type=\" + t;\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/train/trainer.cpp:2: a recipe key by name") == 0);
  }
  SUBCASE("the recipe's header included outside the config layer") {
    write("src/train/trainer.cpp", "#include \"../config/recipe.h\"\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/train/trainer.cpp:1: includes the recipe's header outside the config layer") == 0);
  }
  SUBCASE("another layer's private header") {
    write("src/train/trainer.cpp", "#include \"../core/simd.h\"\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/train/trainer.cpp:1: reaches into a private header of layer core (src/core/simd.h)") == 0);
  }
  SUBCASE("a file in no declared layer") {
    write("src/gui/window.cpp", "int main() {}\n");
    const auto v = layer_violations(d, kLayers);
    REQUIRE(v.size() == 1);
    CHECK(v[0].find("src/gui/window.cpp:0: in no declared layer") == 0);
  }
  fs::remove_all(d);
}

TEST_CASE("README's layout table and docs/architecture.md name every layer and its folders") {
  const std::string readme = nmtx::test::read_file(kRoot / "README.md");
  const std::string architecture = nmtx::test::read_file(kRoot / "docs" / "architecture.md");
  REQUIRE(readme.find("## Layout") != std::string::npos);
  std::size_t folders = 0;
  for (const auto& e : fs::directory_iterator(kRoot / "src")) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    CAPTURE(name);
    CHECK(readme.find("`src/" + name + "`") != std::string::npos);
    ++folders;
  }
  for (const auto& e : fs::directory_iterator(kRoot / "include" / "nmtx")) {
    const std::string name = e.path().filename().string();
    CAPTURE(name);
    CHECK(readme.find("`include/nmtx/" + name + "`") != std::string::npos);
    CHECK(fs::is_directory(kRoot / "src" / name));  // a layer's headers and its sources, side by side
  }
  CHECK(folders >= 14);
  std::ifstream layers(kLayers);
  std::size_t declared = 0;
  for (std::string line; std::getline(layers, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::string layer = line.substr(0, line.find(':'));
    CAPTURE(layer);
    // The row "| `layer` | holds | includes directly |": its last cell lists exactly the used layers.
    const std::size_t row = architecture.find("| `" + layer + "` |");
    REQUIRE(row != std::string::npos);
    const std::string cells = architecture.substr(row, architecture.find('\n', row) - row);
    std::string documented = cells.substr(0, cells.size() - 1);  // without the closing '|'
    documented = documented.substr(documented.rfind('|') + 1);
    std::set<std::string> doc_uses, declared_uses;
    std::istringstream in(documented), decl(line.substr(line.find(':') + 1));
    for (std::string w; in >> w;) {
      if (w != "—") doc_uses.insert(w.back() == ',' ? w.substr(0, w.size() - 1) : w);
    }
    for (std::string w; decl >> w;) declared_uses.insert(w);
    CHECK(doc_uses == declared_uses);
    if (layer != "bench") CHECK(fs::is_directory(kRoot / "src" / layer));
    ++declared;
  }
  CHECK(declared == folders + 1);  // every folder of src/ is a layer, and bench/
}
