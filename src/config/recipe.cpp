#include "recipe.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nmtx/attention/attention.h"

namespace nmtx {

namespace {

constexpr std::uint64_t kMaxRecipeBytes = 1 << 20;

const RecipeKey* find_key(const std::string& name) {
  for (const RecipeKey& k : recipe_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

bool is_section(const std::string& prefix) {
  for (const RecipeKey& k : recipe_keys()) {
    if (k.name.size() > prefix.size() && k.name.compare(0, prefix.size(), prefix) == 0 && k.name[prefix.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Text from a recipe or the command line as a message echoes it: at most 64 bytes.
constexpr std::size_t kEchoBytes = 64;
std::string echo(const std::string& text) {
  return text.size() > kEchoBytes ? text.substr(0, kEchoBytes) + "... (" + std::to_string(text.size()) + " bytes)" : text;
}

// The closest of `names` to `value` within an edit distance of 3 ("" if none, or if
// `value` is longer than 64 bytes: no quadratic edit distance on hostile input).
std::string closest(const std::string& value, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = 4;
  if (value.size() > kEchoBytes) return best;
  for (const std::string& n : names) {
    const std::size_t d = edit_distance(value, n);
    if (d < best_distance) best_distance = d, best = n;
  }
  return best;
}

// "unknown key X (did you mean Y?); keys under S: a, b, c". No key is longer than 64
// bytes: a longer one gets no suggestion (and no quadratic edit distance).
std::string unknown_key_message(const std::string& key) {
  if (key.size() > kEchoBytes) return "unknown key " + echo(key);
  // Candidates: every key and every section ("model", "model.attention").
  std::vector<std::string> candidates;
  for (const RecipeKey& k : recipe_keys()) {
    candidates.push_back(k.name);
    for (std::size_t dot = k.name.find('.'); dot != std::string::npos; dot = k.name.find('.', dot + 1)) {
      candidates.push_back(k.name.substr(0, dot));
    }
  }
  const std::string best = closest(key, candidates);
  std::string message = "unknown key " + key;
  if (!best.empty()) message += " (did you mean " + best + "?)";
  const std::size_t dot = key.rfind('.');
  const std::string section = dot == std::string::npos ? "" : key.substr(0, dot);
  std::string siblings;
  for (const RecipeKey& k : recipe_keys()) {
    const bool in_section = section.empty() ? true : k.name.compare(0, section.size() + 1, section + ".") == 0;
    if (!in_section) continue;
    std::string rest = k.name.substr(section.empty() ? 0 : section.size() + 1);
    rest = rest.substr(0, rest.find('.'));
    if (siblings.find(" " + rest + ",") == std::string::npos && siblings.find(" " + rest + ";") == std::string::npos) {
      siblings += " " + rest + ",";
    }
  }
  if (!siblings.empty()) siblings.back() = ' ';
  message += "; valid " + (section.empty() ? std::string("sections:") : "keys under " + section + ":") + siblings;
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string format_number(double v) {
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

// Checks `value` against the key's type and range; returns its canonical text.
std::string canonical(const RecipeKey& k, const std::string& value, const std::string& where) {
  auto fail = [&](const std::string& expected) -> std::string {
    throw RecipeError(where + ": " + k.name + ": expected " + expected + ", got \"" + echo(value) + "\"");
  };
  auto range = [&]() {
    std::string r;
    if (k.min > -1e299 && k.max < 1e14) r = " in [" + format_number(k.min) + ", " + format_number(k.max) + "]";
    else if (k.min > -1e299) r = " >= " + format_number(k.min);
    return r;
  };
  switch (k.type) {
    case KeyType::integer: {
      std::size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(value, &used);
      } catch (const std::exception&) {
        return fail("an integer" + range());
      }
      if (used != value.size()) return fail("an integer" + range());
      if (static_cast<double>(v) < k.min || static_cast<double>(v) > k.max) return fail("an integer" + range());
      return std::to_string(v);
    }
    case KeyType::number: {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(value, &used);
      } catch (const std::exception&) {
        return fail("a number" + range());
      }
      if (used != value.size() || !std::isfinite(v) || v < k.min || v > k.max) return fail("a number" + range());
      return value;
    }
    case KeyType::boolean: {
      const std::string v = lower(value);
      if (v == "true" || v == "yes" || v == "on") return "true";
      if (v == "false" || v == "no" || v == "off") return "false";
      return fail("true or false");
    }
    case KeyType::choice: {
      if (std::find(k.choices.begin(), k.choices.end(), value) != k.choices.end()) return value;
      std::string all;
      for (const auto& c : k.choices) all += (all.empty() ? "" : ", ") + c;
      return fail("one of " + all);
    }
    case KeyType::string:
    case KeyType::list: return value;
  }
  return value;
}

std::string position(const std::string& file, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.is_null() ? file : file + ":" + std::to_string(m.line + 1);
}

// Walks a mapping, setting every leaf.
void apply(Recipe& recipe, const YAML::Node& map, const std::string& prefix, const std::string& file) {
  for (const auto& entry : map) {
    const std::string name = entry.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& value = entry.second;
    const std::string where = position(file, entry.first);
    if (const RecipeKey* k = find_key(key)) {
      if (k->type == KeyType::list) {
        if (!value.IsSequence()) throw RecipeError(where + ": " + key + ": expected a list, e.g. [a, b]");
        std::string joined;
        for (const auto& item : value) joined += (joined.empty() ? "" : ",") + item.as<std::string>();
        recipe.set(key, joined, where);
      } else if (value.IsNull()) {
        if (k->type != KeyType::string) throw RecipeError(where + ": " + key + ": a value is missing");
        recipe.set(key, "", where);
      } else if (!value.IsScalar()) {
        throw RecipeError(where + ": " + key + ": expected a single value, found a " +
                          (value.IsMap() ? "mapping" : "list"));
      } else {
        recipe.set(key, value.Scalar(), where);
      }
    } else if (is_section(key)) {
      if (!value.IsMap()) throw RecipeError(where + ": " + key + " is a section: expected KEY: VALUE lines under it");
      apply(recipe, value, key, file);
    } else {
      throw RecipeError(where + ": " + unknown_key_message(key));
    }
  }
}

}  // namespace

Recipe Recipe::defaults() {
  Recipe r;
  for (const RecipeKey& k : recipe_keys()) r.values_[k.name] = k.default_value;
  return r;
}

Recipe Recipe::load(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw RecipeError(path + ": no such recipe file");
  if (std::filesystem::is_directory(path, error)) throw RecipeError(path + ": is a directory, expected a recipe file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RecipeError(path + ": cannot open");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size > kMaxRecipeBytes) {
    throw RecipeError(path + ": " + std::to_string(size) + " bytes; a recipe is a few KB (nmtx reads up to " +
                      std::to_string(kMaxRecipeBytes) + ")");
  }
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  return parse(text, path);
}

Recipe Recipe::parse(const std::string& text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw RecipeError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  Recipe r = defaults();
  r.source_ = path;
  if (root.IsNull()) return r;  // an empty recipe: all defaults
  if (!root.IsMap()) throw RecipeError(path + ": expected a mapping of sections (data:, model:, training:, ...)");
  try {
    apply(r, root, "", path);
  } catch (const YAML::Exception& e) {
    throw RecipeError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return r;
}

namespace {

constexpr const char* kAttentionType = "model.attention.type";
constexpr const char* kAttentionScore = "model.attention.score";

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void Recipe::set(const std::string& key, const std::string& value, const std::string& where) {
  const RecipeKey* k = find_key(key);
  if (k == nullptr) throw RecipeError(where + ": " + unknown_key_message(key));
  if (key == kAttentionType && std::find(k->choices.begin(), k->choices.end(), value) == k->choices.end()) {
    // The name every table, nmtx compare and nmtx demo use ("luong-dot", "local-p-concat")
    // names a type and its score: both keys are set from it.
    Variant v;
    try {
      v = parse_variant(value);
    } catch (const std::invalid_argument&) {
      std::vector<std::string> names = k->choices;
      for (const std::string& n : variant_names()) names.push_back(n);
      const std::string near = closest(value, names);
      throw RecipeError(where + ": " + key + ": expected an attention type (" + joined(k->choices) +
                        ") or a variant's name (" + joined(variant_names()) + "), got \"" + echo(value) + "\"" +
                        (near.empty() ? std::string() : " (did you mean " + near + "?)"));
    }
    values_[kAttentionType] = attention_type_names().name(v.type);
    values_[kAttentionScore] = attention_score_names().name(v.score);
    type_variant_ = {value, where};
    origins_[kAttentionType] = origins_[kAttentionScore] = where;
    return;
  }
  if (key == kAttentionType && !type_variant_.first.empty()) {
    // A plain type after a variant's name: the score the name gave goes with it.
    values_[kAttentionScore] = score_set_.first.empty() ? find_key(kAttentionScore)->default_value : score_set_.first;
    type_variant_ = {};
  }
  if (key == kAttentionScore) {
    score_set_ = {value, where};
    for (const std::string& n : variant_names()) {  // a variant's name where a score belongs
      if (value == n && value.find('-') != std::string::npos) {
        throw RecipeError(where + ": " + key + ": \"" + value + "\" is a variant's name, not a score: set " +
                          kAttentionType + "=" + value + " (it sets the type and the score)");
      }
    }
  }
  values_[key] = canonical(*k, value, where);
  origins_[key] = where;
}

std::string Recipe::origin(const std::string& key) const {
  const auto it = origins_.find(key);
  if (it != origins_.end()) return it->second;
  return source_.empty() ? "recipe" : source_;
}

void Recipe::set_override(const std::string& assignment, const std::string& origin) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw RecipeError(origin + " " + echo(assignment) + ": expected KEY=VALUE, e.g. training.batch_size=32");
  }
  const std::string key = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  const RecipeKey* k = find_key(key);
  if (k == nullptr) throw RecipeError(origin + " " + echo(assignment) + ": " + unknown_key_message(key));
  if (k->type == KeyType::list && value.size() >= 2 && value.front() == '[' && value.back() == ']') {
    value = value.substr(1, value.size() - 2);
    value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
  }
  set(key, value, origin + " " + echo(assignment));
}

const std::string& Recipe::raw(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("recipe key " + key + " is not in the schema");
  return it->second;
}

std::int64_t Recipe::integer(const std::string& key) const { return std::stoll(raw(key)); }
double Recipe::number(const std::string& key) const { return std::stod(raw(key)); }
bool Recipe::boolean(const std::string& key) const { return raw(key) == "true"; }
const std::string& Recipe::string(const std::string& key) const { return raw(key); }
std::vector<std::string> Recipe::list(const std::string& key) const {
  std::vector<std::string> out;
  std::stringstream in(raw(key));
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}
bool Recipe::is_default(const std::string& key) const { return raw(key) == find_key(key)->default_value; }

std::string Recipe::blame(std::initializer_list<const char*> keys) const {
  for (const char* k : keys) {
    const std::string o = origin(k);
    if (o.rfind("--set", 0) == 0) return o;
  }
  for (const char* k : keys) {
    if (origins_.count(k)) return origins_.at(k);
  }
  return source_.empty() ? std::string("recipe") : source_;
}

void Recipe::check() const {
  const std::string where = source_.empty() ? "recipe" : source_;
  if (!type_variant_.first.empty() && !score_set_.first.empty()) {
    const std::string named = attention_score_names().name(parse_variant(type_variant_.first).score);
    if (score_set_.first != named) {
      throw RecipeError(type_variant_.second + ": model.attention.type " + type_variant_.first + " names the score " +
                        named + ", but " + score_set_.second + " sets model.attention.score " + score_set_.first +
                        ": give the variant's name alone, or the type and the score");
    }
  }
  try {
    variant_of(string(kAttentionType), string(kAttentionScore));  // the names (the pair: check_config)
  } catch (const std::invalid_argument& e) {
    throw RecipeError(blame({kAttentionScore, kAttentionType}) + ": model.attention.score: " + e.what());
  }
  for (const std::string& v : list("compare.variants")) {
    if (v.size() > kEchoBytes) throw RecipeError(where + ": compare.variants: unknown attention variant " + echo(v));
    try {
      parse_variant(v);
    } catch (const std::invalid_argument& e) {
      throw RecipeError(where + ": compare.variants: " + e.what());
    }
  }
  for (const std::string& s : list("compare.sentences")) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
      throw RecipeError(where + ": compare.sentences: \"" + echo(s) + "\" is not a sentence number (0, 1, ...)");
    }
  }
}

std::string Recipe::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::vector<std::string> open;  // the sections currently open
  for (const RecipeKey& k : recipe_keys()) {
    std::vector<std::string> parts;
    std::stringstream in(k.name);
    for (std::string p; std::getline(in, p, '.');) parts.push_back(p);
    const std::vector<std::string> sections(parts.begin(), parts.end() - 1);
    std::size_t common = 0;
    while (common < open.size() && common < sections.size() && open[common] == sections[common]) ++common;
    for (std::size_t i = open.size(); i > common; --i) out << YAML::EndMap;
    open.resize(common);
    for (std::size_t i = common; i < sections.size(); ++i) {
      out << YAML::Key << sections[i] << YAML::Value << YAML::BeginMap;
      open.push_back(sections[i]);
    }
    out << YAML::Key << parts.back() << YAML::Value;
    const std::string& v = raw(k.name);
    if (k.type == KeyType::list) {
      out << YAML::Flow << list(k.name);
    } else if (k.type == KeyType::string || k.type == KeyType::choice) {
      out << YAML::DoubleQuoted << v;
    } else {
      out << v;
    }
  }
  for (std::size_t i = 0; i < open.size(); ++i) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nmtx
