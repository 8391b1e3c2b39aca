#include "nmtx/run/snapshots.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nmtx/io/files.h"
#include "nmtx/io/json_fields.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxSnapshotBytes = std::size_t{256} << 20;  // K sentences of at most a few thousand cells
constexpr std::size_t kMaxTokens = 100000;
constexpr std::size_t kMaxHeads = 1024;

std::set<std::pair<int, int>> read_links(const JsonFields& f, const std::string& field) {
  std::set<std::pair<int, int>> out;
  std::size_t i = 0;
  for (const json& link : f.array(field, kMaxTokens * 16)) {
    if (!link.is_array() || link.size() != 2) f.fail(field, "expected [source, target] pairs");
    out.insert({static_cast<int>(f.integer_item(link[0], field, i, 0, kMaxAlignmentPosition)),
                static_cast<int>(f.integer_item(link[1], field, i, 0, kMaxAlignmentPosition))});
    ++i;
  }
  return out;
}

std::vector<std::string> read_tokens(const JsonFields& f, const std::string& field) {
  std::vector<std::string> out;
  for (const json& t : f.array(field, kMaxTokens)) {
    if (!t.is_string()) f.fail(field, "expected strings");
    out.push_back(t.get<std::string>());
  }
  return out;
}

std::vector<float> read_floats(const JsonFields& f, const json& values, const std::string& field) {
  if (!values.is_array()) f.fail(field, "expected an array of numbers");
  std::vector<float> out;
  for (const json& v : values) {
    if (!v.is_number()) f.fail(field, "expected numbers");
    out.push_back(v.get<float>());
  }
  return out;
}

// Multi-head attention's (k × T × S) rows under `key`, each head `rows` long (none without the key).
std::vector<std::vector<std::vector<float>>> read_heads(const JsonFields& s, const char* key, std::size_t rows) {
  std::vector<std::vector<std::vector<float>>> heads;
  if (!s.has(key)) return heads;
  for (const json& head : s.array(key, kMaxHeads)) {
    if (!head.is_array()) s.fail(key, "expected an array of rows per head");
    std::vector<std::vector<float>>& h = heads.emplace_back();
    for (const json& row : head) h.push_back(read_floats(s, row, key));
    if (h.size() != rows) s.fail(key, "expected " + std::to_string(rows) + " rows per head, as the attention has");
  }
  return heads;
}

}  // namespace

std::string snapshot_sentences_text(const SnapshotSentences& s) {
  json sentences = json::array();
  for (const SnapshotSentence& x : s.sentences) {
    json j{{"index", x.index}, {"line", x.line}, {"source", x.source}, {"reference", x.reference}};
    if (x.gold) j["gold"] = {{"sure", x.gold->sure}, {"possible", x.gold->possible}};  // [[source, target], ...]
    sentences.push_back(std::move(j));
  }
  return json{{"sentences", sentences}}.dump() + "\n";
}

SnapshotSentences read_snapshot_sentences(const std::string& path) {
  const JsonFields f(parse_json_object(read_file_limited(path, kMaxSnapshotBytes), path), path);
  SnapshotSentences out;
  std::size_t i = 0;
  for (const json& item : f.array("sentences", 100000)) {
    const std::string where = fmt::format("{}: sentences[{}]", path, i++);
    if (!item.is_object()) throw JsonFileError(where + ": expected an object");
    const JsonFields s(item, where);
    SnapshotSentence x;
    x.index = static_cast<std::size_t>(s.integer("index"));
    x.line = static_cast<std::size_t>(s.integer("line", 1));
    x.source = read_tokens(s, "source");
    x.reference = read_tokens(s, "reference");
    if (s.has("gold")) {
      const JsonFields g(s.object("gold"), where + ": gold");
      x.gold = AlignmentLine{read_links(g, "sure"), read_links(g, "possible")};
    }
    out.sentences.push_back(std::move(x));
  }
  return out;
}

std::string snapshot_text(const Snapshot& s) {
  json sentences = json::array();
  for (const SnapshotOutput& o : s.sentences) {
    json j{{"output", o.output}, {"attention", o.attention}, {"reference_attention", o.reference_attention}};
    if (!o.positions.empty()) j["positions"] = o.positions;
    if (!o.reference_positions.empty()) j["reference_positions"] = o.reference_positions;
    if (!o.heads.empty()) j["heads"] = o.heads;
    if (!o.reference_heads.empty()) j["reference_heads"] = o.reference_heads;
    sentences.push_back(std::move(j));
  }
  return json{{"step", s.step}, {"sentences", sentences}}.dump() + "\n";
}

Snapshot read_snapshot(const std::string& path) {
  const JsonFields f(parse_json_object(read_file_limited(path, kMaxSnapshotBytes), path), path);
  Snapshot out;
  out.step = f.integer("step");
  std::size_t i = 0;
  for (const json& item : f.array("sentences", 100000)) {
    const std::string where = fmt::format("{}: sentences[{}]", path, i++);
    if (!item.is_object()) throw JsonFileError(where + ": expected an object");
    const JsonFields s(item, where);
    SnapshotOutput o;
    o.output = read_tokens(s, "output");
    for (const json& row : s.array("attention", kMaxTokens)) o.attention.push_back(read_floats(s, row, "attention"));
    if (o.attention.size() != o.output.size()) s.fail("attention", "expected a row per output token");
    if (s.has("positions")) o.positions = read_floats(s, s.array("positions", kMaxTokens), "positions");
    for (const json& row : s.array("reference_attention", kMaxTokens)) {
      o.reference_attention.push_back(read_floats(s, row, "reference_attention"));
    }
    if (s.has("reference_positions")) {
      o.reference_positions = read_floats(s, s.array("reference_positions", kMaxTokens), "reference_positions");
    }
    o.heads = read_heads(s, "heads", o.attention.size());
    o.reference_heads = read_heads(s, "reference_heads", o.reference_attention.size());
    out.sentences.push_back(std::move(o));
  }
  return out;
}

std::string snapshots_dir(const std::string& run_dir) { return (fs::path(run_dir) / "snapshots").string(); }

std::string snapshot_path(const std::string& run_dir, std::int64_t step) {
  return (fs::path(snapshots_dir(run_dir)) / fmt::format("step-{:08d}.json", step)).string();
}

std::vector<std::int64_t> snapshot_steps(const std::string& run_dir) {
  std::vector<std::int64_t> steps;
  const fs::path dir = snapshots_dir(run_dir);
  if (!fs::is_directory(dir)) return steps;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    // step-NNNNNNNN.json exactly (a write's temporary file has another name)
    if (name.size() != 18 || name.rfind("step-", 0) != 0 || name.compare(13, 5, ".json") != 0) continue;
    const std::string digits = name.substr(5, 8);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    steps.push_back(std::stoll(digits));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

}  // namespace nmtx
