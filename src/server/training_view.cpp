#include "training_view.h"

#include <filesystem>

#include "nmtx/decode/attention_record.h"
#include "nmtx/eval/aer.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/run/run_files.h"
#include "nmtx/run/snapshots.h"
#include "nmtx/server/inspector.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json optional_number(const std::optional<double>& x) { return x ? json(*x) : json(nullptr); }

}  // namespace

json training_view(const std::string& run_dir) {
  json out{{"steps", json::array()}, {"sentences", json::array()}, {"train", json::array()}, {"valid", json::array()},
           {"note", nullptr}};
  const fs::path metrics = fs::path(run_dir) / "metrics.jsonl";
  if (fs::exists(metrics)) {
    const MetricsHistory h = read_metrics(metrics.string());
    for (const TrainMetrics& m : h.train) {
      out["train"].push_back({{"step", m.step}, {"loss", m.loss}, {"learning_rate", m.learning_rate}});
    }
    for (const ValidMetrics& m : h.valid) {
      out["valid"].push_back({{"step", m.step}, {"dev_ppl", m.dev_ppl}, {"dev_bleu", m.dev_bleu},
                              {"learning_rate", m.learning_rate}, {"best", m.best}, {"aer", optional_number(m.aer)},
                              {"argmax_accuracy", optional_number(m.argmax_accuracy)},
                              {"entropy", optional_number(m.entropy)}});
    }
  }
  const fs::path watched = fs::path(snapshots_dir(run_dir)) / "sentences.json";
  if (!fs::exists(watched)) {
    out["note"] = "this run has no attention snapshots: it was trained with validation.snapshots: 0, or before nmtx "
                  "recorded them";
    return out;
  }
  for (const SnapshotSentence& s : read_snapshot_sentences(watched.string()).sentences) {
    json j{{"index", s.index}, {"line", s.line}, {"source", s.source}, {"reference", s.reference}, {"gold", nullptr}};
    if (s.gold) j["gold"] = {{"sure", s.gold->sure}, {"possible", s.gold->possible}};
    out["sentences"].push_back(std::move(j));
  }
  out["steps"] = snapshot_steps(run_dir);
  return out;
}

json snapshot_view(const std::string& run_dir, std::int64_t step) {
  if (!fs::exists(snapshot_path(run_dir, step))) {
    std::string steps;
    for (const std::int64_t s : snapshot_steps(run_dir)) steps += (steps.empty() ? "" : ", ") + std::to_string(s);
    throw RequestError(404, "request: field \"step\": the run has no snapshot at step " + std::to_string(step) +
                                " (it has: " + (steps.empty() ? "none" : steps) + ")");
  }
  const Snapshot s = read_snapshot(snapshot_path(run_dir, step));
  const SnapshotSentences watched =
      read_snapshot_sentences((fs::path(snapshots_dir(run_dir)) / "sentences.json").string());
  json sentences = json::array();
  for (std::size_t k = 0; k < s.sentences.size(); ++k) {
    const SnapshotOutput& o = s.sentences[k];
    json j{{"output", o.output}, {"attention", o.attention}, {"reference_attention", o.reference_attention}};
    if (!o.positions.empty()) j["positions"] = o.positions;
    if (!o.reference_positions.empty()) j["reference_positions"] = o.reference_positions;
    if (!o.heads.empty()) j["heads"] = o.heads;
    if (!o.reference_heads.empty()) j["reference_heads"] = o.reference_heads;
    // The sentence's AER: each reference token's most attended source position against gold.
    j["aer"] = nullptr;
    if (k < watched.sentences.size() && watched.sentences[k].gold &&
        o.reference_attention.size() == watched.sentences[k].reference.size() + 1) {
      AttentionRecord record;
      record.weights = o.reference_attention;
      AlignmentLine line;
      for (const auto& link : record.hard_alignment(watched.sentences[k].reference.size())) {
        line.sure.insert(link);
        line.possible.insert(link);
      }
      j["aer"] = alignment_error_rate({*watched.sentences[k].gold}, {line}).aer;
    }
    sentences.push_back(std::move(j));
  }
  return {{"step", s.step}, {"sentences", sentences}};
}

}  // namespace nmtx
