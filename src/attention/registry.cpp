// The one registry of attention type and score names.
#include <fmt/core.h>

#include <stdexcept>

#include "families.h"

namespace nmtx {

const EnumNames<AttentionType>& attention_type_names() {
  static const EnumNames<AttentionType> names{{"luong", AttentionType::luong},
                                              {"bahdanau", AttentionType::bahdanau},
                                              {"local-m", AttentionType::local_m},
                                              {"local-p", AttentionType::local_p},
                                              {"location-sensitive", AttentionType::location_sensitive}};
  return names;
}

const EnumNames<AttentionScore>& attention_score_names() {
  static const EnumNames<AttentionScore> names{{"general", AttentionScore::general},   {"dot", AttentionScore::dot},
                                               {"concat", AttentionScore::concat},     {"location", AttentionScore::location},
                                               {"scaled-dot", AttentionScore::scaled_dot}, {"multi-head", AttentionScore::multi_head}};
  return names;
}

namespace {

using S = AttentionScore;

struct TypeScores {
  AttentionType type;
  std::vector<AttentionScore> scores;  // the first is the default
  bool short_name_omits_default;       // "local-p" means local-p-general; luong always names its score
};

// In the order variant lists show them.
const std::vector<TypeScores>& table() {
  static const std::vector<TypeScores> t = {
      {AttentionType::bahdanau, {S::concat}, true},
      {AttentionType::luong, {S::general, S::dot, S::concat, S::location, S::scaled_dot, S::multi_head}, false},
      {AttentionType::local_m, {S::general, S::dot, S::concat, S::scaled_dot}, true},
      {AttentionType::local_p, {S::general, S::dot, S::concat, S::scaled_dot}, true},
      {AttentionType::location_sensitive, {S::concat}, true},
  };
  return t;
}

const TypeScores& find_type(AttentionType type) {
  for (const auto& t : table()) {
    if (type == t.type) return t;
  }
  throw std::logic_error("an attention type missing from the registry");
}

std::string join(const std::vector<std::string>& xs) {
  std::string s;
  for (const auto& x : xs) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

AttentionScore default_score(AttentionType type) { return find_type(type).scores.front(); }

std::string Variant::name() const {
  const std::string t = attention_type_names().name(type);
  if (find_type(type).short_name_omits_default && score == default_score(type)) return t;
  return t + "-" + attention_score_names().name(score);
}

std::vector<Variant> accepted_variants() {
  std::vector<Variant> v;
  for (const auto& t : table()) {
    for (const AttentionScore s : t.scores) v.push_back({t.type, s});
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
    const std::string full = std::string(attention_type_names().name(v.type)) + "-" + attention_score_names().name(v.score);
    if (v.name() == name || full == name) return v;
  }
  if (const auto type = attention_type_names().find(name)) return {*type, default_score(*type)};  // a bare type: its default
  throw std::invalid_argument("unknown attention variant \"" + name + "\"; valid: " + join(variant_names()));
}

void validate_variant(AttentionType type, AttentionScore score) {
  const TypeScores& t = find_type(type);
  std::vector<std::string> valid;
  for (const AttentionScore s : t.scores) {
    if (score == s) return;
    valid.emplace_back(attention_score_names().name(s));
  }
  throw std::invalid_argument(std::string("attention type \"") + attention_type_names().name(type) +
                              "\" does not take the score \"" + attention_score_names().name(score) +
                              "\"; valid scores for it: " + join(valid));
}

Variant variant_of(const std::string& type, const std::string& score) {
  const AttentionType t = attention_type_names().parse(type, "attention type");
  if (score.empty()) return {t, default_score(t)};
  if (const auto s = attention_score_names().find(score)) {
    validate_variant(t, *s);
    return {t, *s};
  }
  std::vector<std::string> valid;
  for (const AttentionScore s : find_type(t).scores) valid.emplace_back(attention_score_names().name(s));
  throw std::invalid_argument("attention type \"" + type + "\" does not take the score \"" + score +
                              "\"; valid scores for it: " + join(valid));
}

AttentionOrder attention_order(AttentionType type) {
  const bool before = type == AttentionType::bahdanau || type == AttentionType::location_sensitive;
  return before ? AttentionOrder::before_update : AttentionOrder::after_update;
}

void check_attention_config(const AttentionConfig& c, std::size_t query_dim, std::size_t memory_dim) {
  validate_variant(c.type, c.score);
  const auto number = [](auto x) { return std::to_string(x); };
  const bool luong_dot = c.type != AttentionType::bahdanau && c.type != AttentionType::location_sensitive &&
                         (c.score == AttentionScore::dot || c.score == AttentionScore::scaled_dot);
  if (luong_dot && query_dim != memory_dim) {
    throw InvalidSetting("score", std::string("the ") + attention_score_names().name(c.score) +
                                      " score needs the decoder state size (" + number(query_dim) +
                                      ") to equal the encoder state size (" + number(memory_dim) +
                                      "): make the decoder twice the encoder's hidden size, or use the general score");
  }
  if (is_local(c.type) && !(c.window >= 1.0f)) {
    throw InvalidSetting("window", fmt::format("{} needs a half-width D >= 1, got {}", attention_type_names().name(c.type),
                                               c.window));
  }
  if (c.type == AttentionType::luong && c.score == AttentionScore::location && c.max_src_len == 0) {
    throw InvalidSetting("max_src_len", "the location score needs the longest source it attends over (> 0)");
  }
  if (c.type == AttentionType::location_sensitive) {
    if (c.location_kernel % 2 == 0) throw InvalidSetting("location_kernel", "the convolution width must be odd");
    if (c.location_filters == 0) throw InvalidSetting("location_filters", "location-sensitive attention needs filters > 0");
  }
  const std::size_t attention_dim = c.dim > 0 ? c.dim : query_dim;
  if (c.score == AttentionScore::multi_head && (c.heads == 0 || attention_dim % c.heads != 0)) {
    throw InvalidSetting("heads", "the attention size " + number(attention_dim) + " must be a multiple of the heads (" +
                                      number(c.heads) + ")");
  }
}

std::unique_ptr<Attention> make_attention(const AttentionConfig& config, ParameterFactory& factory,
                                          std::size_t query_dim, std::size_t memory_dim, const std::string& prefix) {
  check_attention_config(config, query_dim, memory_dim);
  const attention::Dims d{query_dim, memory_dim, config.dim > 0 ? config.dim : query_dim};
  switch (config.type) {
    case AttentionType::bahdanau: return attention::make_bahdanau(config, factory, d, prefix);
    case AttentionType::location_sensitive: return attention::make_location_sensitive(config, factory, d, prefix);
    case AttentionType::local_m:
    case AttentionType::local_p: return attention::make_luong_local(config, factory, d, prefix);
    case AttentionType::luong: break;
  }
  if (config.score == AttentionScore::multi_head) return attention::make_multi_head(config, factory, d, prefix);
  return attention::make_luong_global(config, factory, d, prefix);
}

AttentionState initial_attention_state(std::size_t batch) { return {Expr(), std::vector<int>(batch, 0)}; }

}  // namespace nmtx
