// Reading JSON that nmtx wrote and someone may have edited or damaged (state.json,
// summary.json, compare.json, metrics.jsonl, exported attention): every field is checked
// for presence, type and range before it is used, and an error names the file and the
// field:
//   runs/x/checkpoints/step-00000100/state.json: field "step": expected an integer in
//   [0, 9007199254740992], got 1e+19
// (nlohmann's get<int>() on 1e19 is undefined behaviour; a 55-digit integer arrives as a
// float; a string where a number belongs throws a message naming neither file nor field.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nmtx {

class JsonFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The largest count nmtx accepts in a file (steps, tokens, bytes): 2^53, exact as a double.
inline constexpr std::int64_t kMaxJsonCount = std::int64_t{1} << 53;

// Parses `text` (the contents of `file`) into an object; throws JsonFileError
// "FILE: not valid JSON (...)" or "FILE: expected a JSON object".
nlohmann::json parse_json_object(std::string_view text, const std::string& file);

// Checked access to the fields of one JSON object of `file`.
class JsonFields {
 public:
  JsonFields(nlohmann::json object, std::string file);

  bool has(const std::string& field) const;
  bool is_null(const std::string& field) const;  // present and null
  std::int64_t integer(const std::string& field, std::int64_t min = 0, std::int64_t max = kMaxJsonCount) const;
  // The same check for a value inside a field (an array's item): checked on the JSON
  // number as sent, before any conversion, and named `field` item `index` in errors.
  std::int64_t integer_item(const nlohmann::json& value, const std::string& field, std::size_t index,
                            std::int64_t min, std::int64_t max) const;
  // A finite number (an integer is accepted) in [min, max].
  double number(const std::string& field, double min = -std::numeric_limits<double>::max(),
                double max = std::numeric_limits<double>::max()) const;
  bool boolean(const std::string& field) const;
  std::string string(const std::string& field, std::size_t max_bytes = 1024) const;
  const nlohmann::json& array(const std::string& field, std::size_t max_items) const;
  const nlohmann::json& object(const std::string& field) const;
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const std::string& field, const std::string& what) const;

 private:
  const nlohmann::json& at(const std::string& field) const;
  nlohmann::json object_;
  std::string file_;
};

}  // namespace nmtx
