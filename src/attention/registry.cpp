// The one registry of attention type and score names.
#include <stdexcept>

#include "families.h"

namespace nmtx {

namespace {

struct TypeScores {
  const char* type;
  std::vector<const char*> scores;  // the first is the default
  bool short_name_omits_default;    // "local-p" means local-p-general; luong always names its score
};

const std::vector<TypeScores>& table() {
  static const std::vector<TypeScores> t = {
      {"bahdanau", {"concat"}, true},
      {"luong", {"general", "dot", "concat", "location", "scaled-dot", "multi-head"}, false},
      {"local-m", {"general", "dot", "concat", "scaled-dot"}, true},
      {"local-p", {"general", "dot", "concat", "scaled-dot"}, true},
      {"location-sensitive", {"concat"}, true},
  };
  return t;
}

const TypeScores* find_type(const std::string& type) {
  for (const auto& t : table()) {
    if (type == t.type) return &t;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::string Variant::name() const {
  const TypeScores* t = find_type(type);
  if (t != nullptr && t->short_name_omits_default && score == t->scores.front()) return type;
  return type + "-" + score;
}

std::vector<Variant> accepted_variants() {
  std::vector<Variant> v;
  for (const auto& t : table()) {
    for (const char* s : t.scores) v.push_back({t.type, s});
  }
  return v;
}

std::vector<std::string> variant_names() {
  std::vector<std::string> names;
  for (const Variant& v : accepted_variants()) names.push_back(v.name());
  return names;
}

Variant parse_variant(const std::string& name) {
  for (const Variant& v : accepted_variants()) {
    if (v.name() == name || v.type + "-" + v.score == name) return v;
  }
  if (const TypeScores* t = find_type(name)) return {t->type, t->scores.front()};  // a bare type: its default
  throw std::invalid_argument("unknown attention variant \"" + name + "\"; valid: " + join(variant_names()));
}

void validate_variant(const std::string& type, const std::string& score) {
  const TypeScores* t = find_type(type);
  if (t == nullptr) {
    std::vector<std::string> types;
    for (const auto& x : table()) types.push_back(x.type);
    throw std::invalid_argument("unknown attention type \"" + type + "\"; valid: " + join(types));
  }
  for (const char* s : t->scores) {
    if (score == s) return;
  }
  throw std::invalid_argument("attention type \"" + type + "\" does not take the score \"" + score +
                              "\"; valid scores for it: " + join(std::vector<std::string>(t->scores.begin(), t->scores.end())));
}

std::unique_ptr<Attention> make_attention(const AttentionConfig& config, ParameterFactory& factory,
                                          std::size_t query_dim, std::size_t memory_dim, const std::string& prefix) {
  validate_variant(config.type, config.score);
  const attention::Dims d{query_dim, memory_dim, config.dim > 0 ? config.dim : query_dim};
  if (config.type == "bahdanau") return attention::make_bahdanau(config, factory, d, prefix);
  if (config.type == "location-sensitive") return attention::make_location_sensitive(config, factory, d, prefix);
  if (config.type == "local-m" || config.type == "local-p") return attention::make_luong_local(config, factory, d, prefix);
  if (config.score == "multi-head") return attention::make_multi_head(config, factory, d, prefix);
  return attention::make_luong_global(config, factory, d, prefix);
}

AttentionState initial_attention_state(std::size_t batch) { return {Expr(), std::vector<int>(batch, 0)}; }

}  // namespace nmtx
