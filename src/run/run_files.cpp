#include "nmtx/run/run_files.h"

#include <fstream>

#include "nmtx/io/files.h"
#include "nmtx/io/json_fields.h"

namespace nmtx {

using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxSummaryBytes = 1 << 20;  // a few KB

// A set's scores as three keys (null without the set).
void scores_json(const std::optional<SetScores>& s, const char* loss, const char* ppl, const char* bleu, json& into) {
  into[loss] = s ? json(s->loss) : json(nullptr);
  into[ppl] = s ? json(s->ppl) : json(nullptr);
  into[bleu] = s ? json(s->bleu) : json(nullptr);
}

// The scores of a set under `prefix` ("dev_", "test_"): none when they are null.
std::optional<SetScores> read_scores(const JsonFields& f, const std::string& prefix) {
  if (f.is_null(prefix + "bleu")) return std::nullopt;
  return SetScores{f.number(prefix + "loss"), f.number(prefix + "ppl"), f.number(prefix + "bleu", 0.0, 100.0)};
}

}  // namespace

json metrics_entry(const TrainMetrics& m) {
  return {{"type", "train"},       {"step", m.step},           {"epoch", m.epoch},
          {"loss", m.loss},        {"ppl", m.ppl},             {"grad_norm", m.grad_norm},
          {"learning_rate", m.learning_rate}, {"tokens", m.tokens}};
}

json metrics_entry(const ValidMetrics& m) {
  json j{{"type", "valid"},         {"step", m.step},         {"epoch", m.epoch},
         {"dev_loss", m.dev_loss},  {"dev_ppl", m.dev_ppl},   {"dev_bleu", m.dev_bleu},
         {"learning_rate", m.learning_rate}, {"best", m.best}};
  if (m.aer) j["aer"] = *m.aer;
  if (m.argmax_accuracy) j["argmax_accuracy"] = *m.argmax_accuracy;
  if (m.entropy) j["entropy"] = *m.entropy;
  return j;
}

MetricsHistory read_metrics(const std::string& path) {
  MetricsHistory h;
  std::ifstream in(path);
  if (!in) throw JsonFileError(path + ": cannot open");
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    const JsonFields f(parse_json_object(line, where), where);
    const std::string type = f.string("type", 16);
    if (type == "train") {
      h.train.push_back({f.integer("step"), f.integer("epoch"), f.number("loss"), f.number("ppl"), f.number("grad_norm"),
                         f.number("learning_rate"), f.integer("tokens")});
    } else if (type == "valid") {
      ValidMetrics v{f.integer("step"), f.integer("epoch"), f.number("dev_loss"), f.number("dev_ppl"),
                     f.number("dev_bleu", 0.0, 100.0), f.number("learning_rate"), f.boolean("best"), {}, {}, {}};
      if (f.has("aer")) v.aer = f.number("aer", 0.0, 1.0);
      if (f.has("argmax_accuracy")) v.argmax_accuracy = f.number("argmax_accuracy", 0.0, 1.0);
      if (f.has("entropy")) v.entropy = f.number("entropy", 0.0);
      h.valid.push_back(v);
    }
  }
  return h;
}

std::string summary_text(const RunSummary& s) {
  json j{{"recipe", s.recipe},
         {"variant", s.variant},
         {"params", s.params},
         {"steps", s.steps},
         {"epochs_completed", s.epochs_completed},
         {"stop_reason", s.stop_reason},
         {"train_seconds", s.train_seconds},
         {"target_tokens", s.target_tokens},
         {"tokens_per_second", s.tokens_per_second},
         {"checkpoint", s.checkpoint},
         {"best_step", s.best_step},
         {"bleu_signature", s.bleu_signature}};
  scores_json(s.dev, "dev_loss", "dev_ppl", "dev_bleu", j);
  scores_json(s.test, "test_loss", "test_ppl", "test_bleu", j);
  if (s.test) j["test_bleu_line"] = s.test_bleu_line;
  if (s.average) {
    json a{{"checkpoint", s.average->checkpoint}, {"checkpoints", s.average->checkpoints}};
    scores_json(s.average->dev, "dev_loss", "dev_ppl", "dev_bleu", a);
    scores_json(s.average->test, "test_loss", "test_ppl", "test_bleu", a);
    j["average"] = a;
  }
  if (!s.data_parallel.is_null()) j["data_parallel"] = s.data_parallel;
  if (!s.session.is_null()) j["session"] = s.session;
  return j.dump(2) + "\n";
}

RunSummary read_summary(const std::string& path) {
  const JsonFields f(parse_json_object(read_file_limited(path, kMaxSummaryBytes), path), path);
  RunSummary s;
  s.recipe = f.string("recipe", 4096);
  s.variant = f.string("variant", 64);
  s.params = f.integer("params");
  s.steps = f.integer("steps");
  s.epochs_completed = f.integer("epochs_completed");
  s.stop_reason = f.string("stop_reason", 4096);
  s.train_seconds = f.number("train_seconds", 0.0);
  s.target_tokens = f.integer("target_tokens");
  s.tokens_per_second = f.number("tokens_per_second", 0.0);
  s.checkpoint = f.string("checkpoint", 4096);
  s.best_step = f.integer("best_step", -1);
  s.bleu_signature = f.string("bleu_signature", 4096);
  const std::optional<SetScores> dev = read_scores(f, "dev_");
  if (!dev) f.fail("dev_bleu", "expected a number, got null");
  s.dev = *dev;
  s.test = read_scores(f, "test_");
  if (s.test) s.test_bleu_line = f.string("test_bleu_line", 4096);
  if (f.has("average")) {
    const JsonFields a(f.object("average"), path + ": average");
    AverageSummary average;
    average.checkpoint = a.string("checkpoint", 4096);
    for (const json& c : a.array("checkpoints", 100000)) {
      if (!c.is_string()) a.fail("checkpoints", "expected strings");
      average.checkpoints.push_back(c.get<std::string>());
    }
    const std::optional<SetScores> adev = read_scores(a, "dev_");
    if (!adev) a.fail("dev_bleu", "expected a number, got null");
    average.dev = *adev;
    average.test = read_scores(a, "test_");
    s.average = std::move(average);
  }
  if (f.has("data_parallel")) s.data_parallel = f.object("data_parallel");
  if (f.has("session")) s.session = f.object("session");
  return s;
}

}  // namespace nmtx
