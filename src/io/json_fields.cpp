#include "nmtx/io/json_fields.h"

#include <cmath>
#include <optional>

namespace nmtx {

namespace {

// A value as the error shows it: its JSON text, cut short.
std::string shown(const nlohmann::json& value) {
  const std::string text = value.dump();
  return text.size() > 40 ? text.substr(0, 40) + "..." : text;
}

}  // namespace

nlohmann::json parse_json_object(std::string_view text, const std::string& file) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw JsonFileError(file + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw JsonFileError(file + ": expected a JSON object {...}");
  return j;
}

JsonFields::JsonFields(nlohmann::json object, std::string file) : object_(std::move(object)), file_(std::move(file)) {
  if (!object_.is_object()) throw JsonFileError(file_ + ": expected a JSON object {...}");
}

void JsonFields::fail(const std::string& field, const std::string& what) const {
  throw JsonFileError(file_ + ": field \"" + field + "\": " + what);
}

bool JsonFields::has(const std::string& field) const { return object_.contains(field); }

bool JsonFields::is_null(const std::string& field) const { return at(field).is_null(); }

const nlohmann::json& JsonFields::at(const std::string& field) const {
  const auto it = object_.find(field);
  if (it == object_.end()) fail(field, "missing");
  return *it;
}

namespace {

// v as an integer in [min, max], or nothing (a float, a string, out of range).
std::optional<std::int64_t> checked_integer(const nlohmann::json& v, std::int64_t min, std::int64_t max) {
  std::int64_t i = 0;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    i = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    i = v.get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (i < min || i > max) return std::nullopt;
  return i;
}

std::string expected_integer(std::int64_t min, std::int64_t max) {
  return "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

}  // namespace

std::int64_t JsonFields::integer(const std::string& field, std::int64_t min, std::int64_t max) const {
  const nlohmann::json& v = at(field);
  if (const auto i = checked_integer(v, min, max)) return *i;
  fail(field, expected_integer(min, max) + ", got " + shown(v));
}

std::int64_t JsonFields::integer_item(const nlohmann::json& value, const std::string& field, std::size_t index,
                                      std::int64_t min, std::int64_t max) const {
  if (const auto i = checked_integer(value, min, max)) return *i;
  fail(field, "item " + std::to_string(index) + ": " + expected_integer(min, max) + ", got " + shown(value));
}

double JsonFields::number(const std::string& field, double min, double max) const {
  const nlohmann::json& v = at(field);
  if (!v.is_number()) fail(field, "expected a number, got " + shown(v));
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    const bool bounded = min > -std::numeric_limits<double>::max() || max < std::numeric_limits<double>::max();
    fail(field, "expected a finite number" +
                    (bounded ? " in [" + nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() + "]" : std::string()) +
                    ", got " + shown(v));
  }
  return d;
}

bool JsonFields::boolean(const std::string& field) const {
  const nlohmann::json& v = at(field);
  if (!v.is_boolean()) fail(field, "expected true or false, got " + shown(v));
  return v.get<bool>();
}

std::string JsonFields::string(const std::string& field, std::size_t max_bytes) const {
  const nlohmann::json& v = at(field);
  if (!v.is_string()) fail(field, "expected a string, got " + shown(v));
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max_bytes) fail(field, "a string of " + std::to_string(s.size()) + " bytes, longer than " + std::to_string(max_bytes));
  return s;
}

const nlohmann::json& JsonFields::array(const std::string& field, std::size_t max_items) const {
  const nlohmann::json& v = at(field);
  if (!v.is_array()) fail(field, "expected a list, got " + shown(v));
  if (v.size() > max_items) fail(field, "a list of " + std::to_string(v.size()) + " items, more than " + std::to_string(max_items));
  return v;
}

const nlohmann::json& JsonFields::object(const std::string& field) const {
  const nlohmann::json& v = at(field);
  if (!v.is_object()) fail(field, "expected an object {...}, got " + shown(v));
  return v;
}

}  // namespace nmtx
