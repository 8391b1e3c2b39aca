#include "layer_check.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace nmtx::test {

namespace fs = std::filesystem;

namespace {

using Layers = std::map<std::string, std::set<std::string>>;  // layer → the layers it may use
using Edges = std::set<std::pair<std::string, std::string>>;    // (layer, a layer it includes)

Layers read_layers(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  Layers layers;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error(file.string() + ": expected LAYER: USES..., got " + line);
    std::set<std::string>& uses = layers[line.substr(0, colon)];
    std::istringstream rest(line.substr(colon + 1));
    for (std::string used; rest >> used;) uses.insert(used);
  }
  for (const auto& [layer, uses] : layers) {
    for (const std::string& u : uses) {
      if (!layers.count(u)) throw std::runtime_error(file.string() + ": " + layer + " uses an undeclared layer " + u);
    }
  }
  return layers;
}

// The layer of a file: include/nmtx/LAYER/..., src/LAYER/..., bench/...; "" when none.
std::string layer_of(const fs::path& relative) {
  auto it = relative.begin();
  if (it == relative.end()) return "";
  const std::string top = (it++)->string();
  if (top == "bench") return "bench";
  if (top == "include" && it != relative.end() && (it++)->string() == "nmtx" && it != relative.end()) {
    return std::next(it) == relative.end() ? "" : it->string();
  }
  if (top == "src" && it != relative.end() && std::next(it) != relative.end()) return it->string();
  return "";
}

// Recipe keys are looked up by name only inside `config`: a getter called on a dotted key
// ("training.seed"), or a KEY=VALUE string being built.
const std::regex kKeyLookup(R"(\.(integer|number|boolean|string|list|is_default)\(\s*"[a-z_]+\.[a-z_.]+")");
const std::regex kKeyAssignment(R"("(run|data|model|training|validation|checkpoint|compare)\.[a-z_.]+=)");
const std::regex kInclude(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");

void check_file(const fs::path& root, const fs::path& file, const Layers& layers, std::vector<std::string>& out,
                Edges& used_edges) {
  const fs::path relative = fs::relative(file, root);
  const std::string layer = layer_of(relative);
  const auto where = [&](std::size_t line) { return relative.generic_string() + ":" + std::to_string(line) + ": "; };
  if (!layers.count(layer)) {
    out.push_back(where(0) + "in no declared layer (tests/layers.txt)");
    return;
  }
  const std::set<std::string>& allowed = layers.at(layer);
  std::ifstream in(file);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::smatch m;
    if (layer != "config" && (std::regex_search(line, kKeyLookup) || std::regex_search(line, kKeyAssignment))) {
      out.push_back(where(number) + "a recipe key by name outside the config layer: read the typed Config instead");
    }
    if (!std::regex_search(line, m, kInclude)) continue;
    const std::string target = m[2];
    std::string used;  // the layer the include belongs to
    if (target.rfind("nmtx/", 0) == 0) {
      used = layer_of(fs::path("include") / target);
      if (target == "nmtx/config/recipe.h" || used.empty()) used = "?";
    } else if (m[1] == "\"") {
      const fs::path resolved = (file.parent_path() / target).lexically_normal();
      const fs::path inside = fs::relative(resolved, root);
      if (!fs::exists(resolved)) {
        out.push_back(where(number) + "\"" + target + "\" does not resolve to a file of the project");
        continue;
      }
      const std::string owner = layer_of(inside);
      if (inside.generic_string() == "src/config/recipe.h" && layer != "config") {
        out.push_back(where(number) + "includes the recipe's header outside the config layer");
      } else if (owner != layer) {
        out.push_back(where(number) + "reaches into a private header of " + (owner.empty() ? "no layer" : "layer " + owner) +
                      " (" + inside.generic_string() + ")");
      }
      continue;
    } else {
      continue;  // <system or third-party>
    }
    if (used == "?") {
      out.push_back(where(number) + "includes " + target + ", which is not a public header of a layer");
      continue;
    }
    if (used != layer) used_edges.emplace(layer, used);
    if (used != layer && !allowed.count(used)) {
      out.push_back(where(number) + layer + " includes " + target + " from layer " + used +
                    ", which tests/layers.txt does not let it use");
    }
  }
}

// Checks every file of the tree; `used` receives the layer edges its includes make.
std::vector<std::string> check_tree(const fs::path& root, const Layers& layers, Edges& used) {
  std::vector<std::string> out;
  for (const char* top : {"src", "include", "bench"}) {
    if (!fs::is_directory(root / top)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".h" || ext == ".cpp" || ext == ".hpp")) {
        check_file(root, entry.path(), layers, out, used);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> layer_violations(const fs::path& root, const fs::path& layers_file) {
  Edges used;
  return check_tree(root, read_layers(layers_file), used);
}

std::vector<std::string> unused_layer_edges(const fs::path& root, const fs::path& layers_file) {
  const Layers layers = read_layers(layers_file);
  Edges used;
  check_tree(root, layers, used);
  std::vector<std::string> out;
  for (const auto& [layer, uses] : layers) {
    for (const std::string& u : uses) {
      if (!used.count({layer, u})) {
        out.push_back("tests/layers.txt: " + layer + " uses " + u + ", but no file of " + layer + " includes it");
      }
    }
  }
  return out;
}

}  // namespace nmtx::test
