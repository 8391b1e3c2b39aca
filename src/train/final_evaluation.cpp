#include "final_evaluation.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>

#include "nmtx/io/files.h"
#include "nmtx/run/average.h"
#include "validation.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json summary_of(const FinishedRun& run, const std::string& chosen, const Evaluation& dev) {
  const TrainingState& s = run.state;
  const ModelConfig& m = run.model.config();
  return json{{"recipe", run.config.source},
              {"variant", Variant{m.attention.type, m.attention.score}.name()},
              {"params", run.params.numel()},
              {"steps", s.step},
              {"epochs_completed", s.epoch - 1},
              {"stop_reason", s.stop_reason},
              {"train_seconds", s.train_seconds},
              {"target_tokens", s.target_tokens},
              {"tokens_per_second", s.target_tokens / std::max(s.train_seconds, 1e-9)},
              {"checkpoint", chosen},
              {"best_step", s.best_step},
              {"dev_loss", dev.loss.per_token()},
              {"dev_ppl", dev.loss.perplexity()},
              {"dev_bleu", dev.bleu.score},
              {"bleu_signature", bleu_signature(run.config.validation.bleu_options(), 1)},
              {"test_loss", nullptr},
              {"test_ppl", nullptr},
              {"test_bleu", nullptr}};
}

// checkpoint.average_last: the last N checkpoints averaged, then scored on dev and test.
json evaluate_average(const FinishedRun& run, const Translator& translator, const TranslateSettings& settings,
                      RunLog& log) {
  const BleuOptions bleu = run.config.validation.bleu_options();
  const auto n = static_cast<std::size_t>(run.config.checkpoint.average_last);
  const std::vector<std::string> sources = last_checkpoints(run.dir, std::min(n, step_checkpoints(run.dir).size()));
  const std::string name = "average-last-" + std::to_string(n);
  const std::string dir = average_checkpoints(run.dir, sources, name);
  load_checkpoint(dir, run.params, nullptr);
  log.line(fmt::format("evaluating {} ({} checkpoints, {} to {})", name, sources.size(), sources.front(), sources.back()));
  const Evaluation dev = evaluate(translator, run.data.dev, settings, bleu);
  log.line(fmt::format("dev:  ppl {:.3f}  {}", dev.loss.perplexity(), dev.bleu.str()));
  json average{{"checkpoint", name}, {"checkpoints", sources}, {"dev_loss", dev.loss.per_token()},
               {"dev_ppl", dev.loss.perplexity()}, {"dev_bleu", dev.bleu.score}, {"test_loss", nullptr},
               {"test_ppl", nullptr}, {"test_bleu", nullptr}};
  if (run.data.test) {
    const Evaluation test = evaluate(translator, *run.data.test, settings, bleu);
    log.line(fmt::format("test: ppl {:.3f}  {}", test.loss.perplexity(), test.bleu.str()));
    average["test_loss"] = test.loss.per_token();
    average["test_ppl"] = test.loss.perplexity();
    average["test_bleu"] = test.bleu.score;
  }
  return average;
}

}  // namespace

json evaluate_finished_run(const FinishedRun& run, const TranslateSettings& settings, RunLog& log) {
  const auto best = checkpoint_pointer(run.dir, "best");
  if (best) {
    load_checkpoint(*best, run.params, nullptr);
  } else if (run.average != nullptr) {
    std::copy_n(run.average->values(), run.params.numel(), run.params.values());
  }
  const std::string chosen = best ? fs::path(*best).filename().string() : checkpoint_name(run.state.step);
  log.line(fmt::format("evaluating {}", chosen));
  const Translator translator = translator_of(run.model, run.data);
  const BleuOptions bleu = run.config.validation.bleu_options();
  const Evaluation dev = evaluate(translator, run.data.dev, settings, bleu);
  json summary = summary_of(run, chosen, dev);
  write_file_atomically((fs::path(run.dir) / "dev.hyp").string(), text_lines(dev.hypotheses));
  log.line(fmt::format("dev:  ppl {:.3f}  {}", dev.loss.perplexity(), dev.bleu.str()));
  if (run.data.test) {
    const Evaluation test = evaluate(translator, *run.data.test, settings, bleu);
    summary["test_loss"] = test.loss.per_token();
    summary["test_ppl"] = test.loss.perplexity();
    summary["test_bleu"] = test.bleu.score;
    summary["test_bleu_line"] = test.bleu.str();
    write_file_atomically((fs::path(run.dir) / "test.hyp").string(), text_lines(test.hypotheses));
    log.line(fmt::format("test: ppl {:.3f}  {}", test.loss.perplexity(), test.bleu.str()));
  }
  if (run.config.checkpoint.average_last > 0) summary["average"] = evaluate_average(run, translator, settings, log);
  return summary;
}

}  // namespace nmtx
