// An enum's names in one table: what recipes, messages, parsers and exported files call each
// value. A table lists every value once, in the order people see them (recipe choices,
// `nmtx train --keys`, error messages).
#pragma once

#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nmtx {

template <class E>
class EnumNames {
 public:
  EnumNames(std::initializer_list<std::pair<const char*, E>> entries) : entries_(entries) {}
  explicit EnumNames(std::vector<std::pair<const char*, E>> entries) : entries_(std::move(entries)) {}

  const char* name(E value) const {
    for (const auto& [n, v] : entries_) {
      if (v == value) return n;
    }
    throw std::logic_error("an enum value without a name");
  }
  std::optional<E> find(std::string_view name) const {
    for (const auto& [n, v] : entries_) {
      if (name == n) return v;
    }
    return std::nullopt;
  }
  // Throws std::invalid_argument `unknown WHAT "NAME"; valid: a, b, c`.
  E parse(std::string_view name, const std::string& what) const {
    if (const auto v = find(name)) return *v;
    throw std::invalid_argument("unknown " + what + " \"" + std::string(name) + "\"; valid: " + list());
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : entries_) out.emplace_back(entry.first);
    return out;
  }
  std::string list() const {  // "a, b, c"
    std::string out;
    for (const auto& entry : entries_) out += (out.empty() ? "" : ", ") + std::string(entry.first);
    return out;
  }
  const std::vector<std::pair<const char*, E>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<const char*, E>> entries_;
};

}  // namespace nmtx
