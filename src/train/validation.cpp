#include "validation.h"

#include <fmt/core.h>

#include <filesystem>
#include <optional>

#include "nmtx/io/files.h"
#include "nmtx/run/run_files.h"
#include "nmtx/train/ema.h"

namespace nmtx {

namespace {

const char* metric_name(ValidationMetric m) {
  switch (m) {
    case ValidationMetric::bleu: return "bleu";
    case ValidationMetric::ppl: return "ppl";
    case ValidationMetric::loss: return "loss";
  }
  return "?";
}

}  // namespace

std::string text_lines(const std::vector<std::string>& texts) {
  std::string out;
  for (const std::string& x : texts) out += x + "\n";
  return out;
}

Evaluation evaluate(const Translator& translator, const EvalSet& set, const TranslateSettings& settings,
                    const BleuOptions& bleu) {
  Evaluation e;
  e.loss = corpus_loss(*translator.model, set.corpus, settings.batch);
  SetTranslation translated = translate_set(translator, set, settings, bleu);
  e.hypotheses = std::move(translated.texts);
  e.outputs = std::move(translated.hypotheses);
  e.bleu = translated.bleu;
  return e;
}

bool record_validation(ValidationMetric metric, const Evaluation& e, TrainingState& state) {
  const double value = metric == ValidationMetric::bleu  ? e.bleu.score
                       : metric == ValidationMetric::ppl ? e.loss.perplexity()
                                                         : e.loss.per_token();
  const bool higher_is_better = metric == ValidationMetric::bleu;
  const bool improved = state.best_step < 0 || (higher_is_better ? value > state.best_metric : value < state.best_metric);
  state.last_validation_step = state.step;
  if (improved) {
    state.best_metric = value;
    state.best_step = state.step;
    state.best_checkpoint = checkpoint_name(state.step);
    state.validations_without_improvement = 0;
    state.plateau_count = 0;
  } else {
    ++state.validations_without_improvement;
    ++state.plateau_count;
  }
  return improved;
}

void LearningRateSchedule::set(TrainingState& state, double lr, const std::string& why) const {
  log_.line(fmt::format("learning rate {:.3g} -> {:.3g} ({})", state.learning_rate, lr, why));
  state.learning_rate = lr;
  optimizer_.set_learning_rate(static_cast<float>(lr));
  const double min_lr = config_.training.min_learning_rate;
  if (min_lr > 0 && lr < min_lr) state.stop_reason = "learning rate below training.min_learning_rate";
}

void LearningRateSchedule::after_epoch(TrainingState& state) const {
  const TrainingConfig& t = config_.training;
  if (t.schedule == Schedule::halving && state.epoch >= t.halving_start) {
    set(state, state.learning_rate * 0.5, "halving after epoch " + std::to_string(state.epoch));
  }
}

void LearningRateSchedule::after_no_improvement(TrainingState& state) const {
  const TrainingConfig& t = config_.training;
  if (t.schedule == Schedule::plateau && state.plateau_count > t.plateau_patience) {
    set(state, state.learning_rate * t.plateau_factor,
        fmt::format("no better {} in {} validation{}", metric_name(config_.validation.metric), state.plateau_count,
                    state.plateau_count == 1 ? "" : "s"));
    state.plateau_count = 0;
  }
  const std::int64_t patience = config_.validation.patience;
  if (patience > 0 && state.validations_without_improvement >= patience) {
    state.stop_reason = fmt::format("early stopping: {} validations without improvement", patience);
  }
}

Validator::Validator(const Config& config, const RunData& data, std::string dir, RunLog& log,
                     LearningRateSchedule& schedule)
    : config_(config), data_(data), dir_(std::move(dir)), log_(log), schedule_(schedule),
      settings_(evaluation_settings(config)), snapshots_(config, data, dir_) {
  settings_.keep_attention = false;  // the final evaluation reads the texts only
}

bool Validator::operator()(const Seq2Seq& model, ParameterSet& params, MovingAverage* average,
                           TrainingState& state, MetricsLog& metrics) const {
  namespace fs = std::filesystem;
  log_.clear_progress();
  std::optional<SwappedValues> averaged;
  if (average) averaged.emplace(params, average->values());
  TranslateSettings settings = settings_;
  settings.keep_attention = snapshots_.recording();  // the snapshots' attention
  const Evaluation e = evaluate(translator_of(model, data_), data_.dev, settings, config_.validation.bleu_options());
  const Translator translator = translator_of(model, data_);
  const std::optional<AttentionMeasures> measures = snapshots_.measure(translator, settings.batch);
  snapshots_.record(state.step, e.outputs, translator);
  averaged.reset();
  fs::create_directories(fs::path(dir_) / "validations");
  write_file_atomically((fs::path(dir_) / "validations" / ("dev-" + checkpoint_name(state.step) + ".txt")).string(),
                        text_lines(e.hypotheses));
  const bool improved = record_validation(config_.validation.metric, e, state);
  ValidMetrics line{state.step, state.epoch, e.loss.per_token(), e.loss.perplexity(), e.bleu.score,
                    state.learning_rate, improved, {}, {}, {}};
  std::string attention;
  if (measures) {
    line.aer = measures->aer;
    line.argmax_accuracy = measures->argmax_accuracy;
    line.entropy = measures->entropy;
    attention = fmt::format("  AER {:.4f}  entropy {:.3f}", measures->aer, measures->entropy);
  }
  metrics.write(metrics_entry(line));
  log_.line(fmt::format("validation at step {}: dev ppl {:.3f}  {}{}{}", state.step, e.loss.perplexity(), e.bleu.str(),
                        attention, improved ? "  (best)" : ""));
  const auto shown = std::min<std::size_t>(static_cast<std::size_t>(config_.validation.examples), e.hypotheses.size());
  for (std::size_t i = 0; i < shown; ++i) {
    log_.line(fmt::format("  example {}  source     {}", i, data_.dev.sources[i]));
    log_.line(fmt::format("  example {}  reference  {}", i, data_.dev.references[i]));
    log_.line(fmt::format("  example {}  hypothesis {}", i, e.hypotheses[i]));
  }
  if (!improved) schedule_.after_no_improvement(state);
  return improved;
}

}  // namespace nmtx
