#include "final_evaluation.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>

#include "nmtx/io/files.h"
#include "nmtx/run/average.h"
#include "validation.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

SetScores scores_of(const Evaluation& e) { return {e.loss.per_token(), e.loss.perplexity(), e.bleu.score}; }

// `set` scored, and its line in the log ("dev:  ppl 1.004  BLEU = ...").
Evaluation evaluated(const Translator& translator, const EvalSet& set, const TranslateSettings& settings,
                     const BleuOptions& bleu, RunLog& log) {
  Evaluation e = evaluate(translator, set, settings, bleu);
  log.line(fmt::format("{:<5} ppl {:.3f}  {}", set.name + ":", e.loss.perplexity(), e.bleu.str()));
  return e;
}

// checkpoint.average_last: the last N checkpoints averaged, then scored on dev and test.
AverageSummary evaluate_average(const FinishedRun& run, const Translator& translator, const TranslateSettings& settings,
                                RunLog& log) {
  const BleuOptions bleu = run.config.validation.bleu_options();
  const auto n = static_cast<std::size_t>(run.config.checkpoint.average_last);
  AverageSummary average;
  average.checkpoints = last_checkpoints(run.dir, std::min(n, step_checkpoints(run.dir).size()));
  average.checkpoint = "average-last-" + std::to_string(n);
  load_checkpoint(average_checkpoints(run.dir, average.checkpoints, average.checkpoint), run.params, nullptr);
  log.line(fmt::format("evaluating {} ({} checkpoints, {} to {})", average.checkpoint, average.checkpoints.size(),
                       average.checkpoints.front(), average.checkpoints.back()));
  average.dev = scores_of(evaluated(translator, run.data.dev, settings, bleu, log));
  if (run.data.test) average.test = scores_of(evaluated(translator, *run.data.test, settings, bleu, log));
  return average;
}

}  // namespace

RunSummary evaluate_finished_run(const FinishedRun& run, const TranslateSettings& settings, RunLog& log) {
  const auto best = checkpoint_pointer(run.dir, "best");
  if (best) {
    load_checkpoint(*best, run.params, nullptr);
  } else if (run.average != nullptr) {
    std::copy_n(run.average->values(), run.params.numel(), run.params.values());
  }
  const TrainingState& state = run.state;
  RunSummary s;
  s.recipe = run.config.source;
  s.variant = Variant{run.model.config().attention.type, run.model.config().attention.score}.name();
  s.params = static_cast<std::int64_t>(run.params.numel());
  s.steps = state.step;
  s.epochs_completed = state.epoch - 1;
  s.stop_reason = state.stop_reason;
  s.train_seconds = state.train_seconds;
  s.target_tokens = state.target_tokens;
  s.tokens_per_second = static_cast<double>(state.target_tokens) / std::max(state.train_seconds, 1e-9);
  s.checkpoint = best ? fs::path(*best).filename().string() : checkpoint_name(state.step);
  s.best_step = state.best_step;
  s.bleu_signature = bleu_signature(run.config.validation.bleu_options(), 1);
  log.line(fmt::format("evaluating {}", s.checkpoint));
  const Translator translator = translator_of(run.model, run.data);
  const BleuOptions bleu = run.config.validation.bleu_options();
  const Evaluation dev = evaluated(translator, run.data.dev, settings, bleu, log);
  s.dev = scores_of(dev);
  write_file_atomically((fs::path(run.dir) / "dev.hyp").string(), text_lines(dev.hypotheses));
  if (run.data.test) {
    const Evaluation test = evaluated(translator, *run.data.test, settings, bleu, log);
    s.test = scores_of(test);
    s.test_bleu_line = test.bleu.str();
    write_file_atomically((fs::path(run.dir) / "test.hyp").string(), text_lines(test.hypotheses));
  }
  if (run.config.checkpoint.average_last > 0) s.average = evaluate_average(run, translator, settings, log);
  return s;
}

void write_summary(const FinishedRun& run, const TranslateSettings& settings, const SessionTimes& times,
                   const nlohmann::json* ranks, RunLog& log) {
  RunSummary summary = evaluate_finished_run(run, settings, log);
  if (ranks) summary.data_parallel = *ranks;
  if (times.steps_taken > 0) summary.session = times.to_json();
  const std::string path = (fs::path(run.dir) / "summary.json").string();
  write_file_atomically(path, summary_text(summary));
  log.line("wrote " + path);
}

}  // namespace nmtx
