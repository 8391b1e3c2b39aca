// The training loop: batches of an epoch in a seeded order, one train_step each, a log
// line every training.log_every steps, validation, learning-rate schedules, early
// stopping, checkpoints; at the end the best checkpoint evaluated on dev and test.
#include "nmtx/train/trainer.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "metrics_log.h"
#include "nmtx/core/blas.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batching.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/io/files.h"
#include "nmtx/run/average.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/train/train_step.h"
#include "progress.h"
#include "run_directory.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::unique_ptr<Optimizer> make_optimizer(const TrainingConfig& t) {
  const auto lr = static_cast<float>(t.learning_rate);
  if (t.optimizer == OptimizerType::sgd) return std::make_unique<Sgd>(lr, static_cast<float>(t.momentum));
  return std::make_unique<Adam>(lr, static_cast<float>(t.adam_beta1), static_cast<float>(t.adam_beta2),
                                static_cast<float>(t.adam_eps));
}

const char* metric_name(ValidationMetric m) {
  switch (m) {
    case ValidationMetric::bleu: return "bleu";
    case ValidationMetric::ppl: return "ppl";
    case ValidationMetric::loss: return "loss";
  }
  return "?";
}

std::string lines(const std::vector<std::string>& xs) {
  std::string text;
  for (const std::string& x : xs) text += x + "\n";
  return text;
}

// One set scored as validation and the final evaluation score it.
struct Evaluation {
  CorpusLoss loss;
  Bleu bleu;
  std::vector<std::string> hypotheses;
};

class Trainer {
 public:
  Trainer(OpenedRun run, const TrainHooks& hooks)
      : config_(std::move(run.config)),
        dir_(run.dir),
        data_(std::move(run.data)),
        params_(static_cast<std::uint64_t>(config_.training.seed)),
        model_(model_config(config_.model, data_.src_vocab.size(), data_.tgt_vocab.size()), params_),
        optimizer_(make_optimizer(config_.training)),
        log_((fs::path(dir_) / "train.log").string()),
        hooks_(hooks),
        dropout_(derive_seed(static_cast<std::uint64_t>(config_.training.seed), "dropout")) {
    const TrainingConfig& t = config_.training;
    batching_.batch_size = static_cast<std::size_t>(t.batch_size);
    batching_.by_tokens = t.batch_by_tokens;
    batching_.shuffle = t.shuffle;
    batching_.bucket = t.bucket;
    decode_.bos = Vocab::kBos;
    decode_.eos = Vocab::kEos;
    decode_.max_length = 1000;
    decode_.max_length_ratio = static_cast<float>(config_.validation.max_output_ratio);
    decode_.threads = static_cast<std::size_t>(t.threads);
    step_.clip_norm = static_cast<float>(t.clip_norm);
    step_.label_smoothing = static_cast<float>(t.label_smoothing);
    step_.dropout = &dropout_;
    if (hooks_.nan_at_step > 0) {
      step_.after_backward = [this](ParameterSet& params) {
        if (state_.step + 1 == hooks_.nan_at_step) params.grads()[0] = std::numeric_limits<float>::quiet_NaN();
      };
    }
    for (const char* f : {run_files::config, run_files::src_vocab, run_files::tgt_vocab, run_files::src_spm,
                          run_files::tgt_spm}) {
      if (fs::exists(fs::path(dir_) / f)) run_files_.emplace_back(f);
    }
  }

  void run() {
    set_blas_threads(static_cast<int>(config_.training.threads));
    state_.learning_rate = config_.training.learning_rate;
    state_.dropout_rng = dropout_.state();
    if (const auto latest = checkpoint_pointer(dir_, "latest")) {
      state_ = load_checkpoint(*latest, params_, optimizer_.get());
      log_.line(fmt::format("resuming from {} (step {}, epoch {})", *latest, state_.step, state_.epoch));
    }
    const Variant variant{model_.config().attention.type, model_.config().attention.score};
    log_.line(fmt::format("model: {} {}, {} parameters; {} threads", variant.name(), model_.config().cell,
                          params_.numel(), config_.training.threads));
    metrics_ = std::make_unique<MetricsLog>((fs::path(dir_) / "metrics.jsonl").string(), state_.metrics_bytes);
    if (!state_.finished) train();
    finish();
  }

 private:
  void train() {
    dropout_.restore(state_.dropout_rng);
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    session_start_ = Clock::now();
    base_seconds_ = state_.train_seconds;
    session_first_step_ = state_.step;
    Graph g;
    for (bool stop = false; !stop;) stop = train_epoch(g);
    log_.clear_progress();
    log_.line(fmt::format("training stopped after step {} ({}): {} target tokens in {}", state_.step,
                          state_.stop_reason, state_.target_tokens, format_duration(elapsed())));
  }

  // The rest of the epoch in progress; returns whether training is to stop.
  bool train_epoch(Graph& g) {
    const std::vector<BatchIndices> batches = epoch_batches(
        data_.train, batching_, derive_seed(static_cast<std::uint64_t>(config_.training.seed), "epoch " + std::to_string(state_.epoch)));
    if (state_.step == session_first_step_ && state_.batch_in_epoch == 0) {
      log_.line(fmt::format("epoch {}: {} batches", state_.epoch, batches.size()));
    }
    if (state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size())) {
      throw CheckpointError(fmt::format("the checkpoint's position (batch {} of epoch {}) is past the epoch's {} batches",
                                        state_.batch_in_epoch, state_.epoch, batches.size()));
    }
    const std::int64_t total = total_steps(batches.size());
    for (;;) {
      const Batch batch = make_batch(data_.train, batches[static_cast<std::size_t>(state_.batch_in_epoch)]);
      const StepResult r = train_step(model_, params_, *optimizer_, g, batch, step_);
      ++state_.step;
      ++state_.batch_in_epoch;
      if (!r.applied) diverged(r.loss, r.grad_norm);
      account(r, total);
      const bool end_of_epoch = state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size());
      if (end_of_epoch) next_epoch();
      if (after_step(end_of_epoch)) return true;
      if (end_of_epoch) return false;
    }
  }

  // The steps this session will reach: training.steps, training.epochs × batches per
  // epoch, or the first of them (0: unknown, no ETA).
  std::int64_t total_steps(std::size_t batches_per_epoch) const {
    const std::int64_t max_steps = config_.training.steps, max_epochs = config_.training.epochs;
    const std::int64_t by_epochs = max_epochs > 0 ? max_epochs * static_cast<std::int64_t>(batches_per_epoch) : 0;
    if (max_steps > 0 && by_epochs > 0) return std::min(max_steps, by_epochs);
    return max_steps > 0 ? max_steps : by_epochs;
  }

  void account(const StepResult& r, std::int64_t total) {
    state_.target_tokens += static_cast<std::int64_t>(r.tokens);
    state_.interval_loss += r.loss;
    state_.interval_tokens += static_cast<std::int64_t>(r.tokens);
    state_.interval_grad_norm += r.grad_norm;
    ++state_.interval_steps;
    if (state_.step % config_.training.log_every == 0) log_interval();
    progress(total);
  }

  void next_epoch() {
    const TrainingConfig& t = config_.training;
    if (t.schedule == Schedule::halving && state_.epoch >= t.halving_start) {
      set_learning_rate(state_.learning_rate * 0.5, "halving after epoch " + std::to_string(state_.epoch));
    }
    ++state_.epoch;
    state_.batch_in_epoch = 0;
  }

  // Stops at the limits, validates and checkpoints when due; returns whether to stop.
  bool after_step(bool end_of_epoch) {
    const std::int64_t max_steps = config_.training.steps, max_epochs = config_.training.epochs;
    const std::int64_t valid_every = config_.validation.every, checkpoint_every = config_.checkpoint.every;
    const bool limit = (max_steps > 0 && state_.step >= max_steps) ||
                       (max_epochs > 0 && end_of_epoch && state_.epoch - 1 >= max_epochs);
    if (limit) state_.stop_reason = max_steps > 0 && state_.step >= max_steps ? "steps" : "epochs";
    const bool validate_now =
        limit || (valid_every > 0 && state_.step % valid_every == 0) || (valid_every == 0 && end_of_epoch);
    const bool best = validate_now && validate();
    const bool stop = limit || !state_.stop_reason.empty();
    if (validate_now || stop || (checkpoint_every > 0 && state_.step % checkpoint_every == 0)) {
      state_.finished = stop;
      save(best);
    }
    return stop;
  }

  [[noreturn]] void diverged(double loss, double norm) {
    const auto last = checkpoint_pointer(dir_, "latest");
    log_.clear_progress();
    throw TrainingDiverged(fmt::format(
        "step {}: the {} is {}: training stopped. {}", state_.step, std::isfinite(loss) ? "gradient norm" : "loss",
        std::isfinite(loss) ? norm : loss,
        last ? "The last good checkpoint is " + *last + " (training.learning_rate or training.clip_norm may be too high)"
             : std::string("No checkpoint was written yet.")));
  }

  double elapsed() const {
    return base_seconds_ + std::chrono::duration<double>(Clock::now() - session_start_).count();
  }

  void set_learning_rate(double lr, const std::string& why) {
    log_.line(fmt::format("learning rate {:.3g} -> {:.3g} ({})", state_.learning_rate, lr, why));
    state_.learning_rate = lr;
    optimizer_->set_learning_rate(static_cast<float>(lr));
    const double min_lr = config_.training.min_learning_rate;
    if (min_lr > 0 && lr < min_lr) state_.stop_reason = "learning rate below training.min_learning_rate";
  }

  void log_interval() {
    const double per_token = state_.interval_loss / static_cast<double>(state_.interval_tokens);
    const double mean_norm = state_.interval_grad_norm / static_cast<double>(state_.interval_steps);
    metrics_->write({{"type", "train"},
                     {"step", state_.step},
                     {"epoch", state_.epoch},
                     {"loss", per_token},
                     {"ppl", std::exp(per_token)},
                     {"grad_norm", mean_norm},
                     {"learning_rate", state_.learning_rate},
                     {"tokens", state_.interval_tokens}});
    const double seconds = elapsed();
    const double rate = static_cast<double>(state_.target_tokens) / std::max(seconds, 1e-9);
    log_.line(fmt::format("epoch {:3d}  step {:7d}  loss {:.4f}  ppl {:8.2f}  |g| {:.3f}  lr {:.3g}  {} tok/s  {}",
                          state_.epoch, state_.step, per_token, std::exp(per_token), mean_norm, state_.learning_rate,
                          format_thousands(rate), format_duration(seconds)));
    state_.interval_loss = state_.interval_grad_norm = 0.0;
    state_.interval_tokens = state_.interval_steps = 0;
  }

  void progress(std::int64_t total) {
    if (!log_.live()) return;  // no terminal: nothing to draw, nothing to format each step
    const double seconds = std::chrono::duration<double>(Clock::now() - session_start_).count();
    const std::int64_t done = state_.step - session_first_step_;
    std::string eta = "?";
    if (total > 0 && done > 0) eta = format_duration(seconds / done * std::max<std::int64_t>(0, total - state_.step));
    const double per_token = state_.interval_tokens > 0 ? state_.interval_loss / state_.interval_tokens : 0.0;
    log_.progress(fmt::format("epoch {} step {}{}  loss {:.4f}  ppl {:.2f}  {} tok/s  lr {:.3g}  ETA {}", state_.epoch,
                              state_.step, total > 0 ? "/" + std::to_string(total) : std::string(), per_token,
                              std::exp(per_token),
                              format_thousands(static_cast<double>(state_.target_tokens) / std::max(elapsed(), 1e-9)),
                              state_.learning_rate, eta));
  }

  Evaluation evaluate(const EvalSet& set) {
    Evaluation e;
    const auto batch_size = static_cast<std::size_t>(config_.validation.batch_size);
    e.loss = corpus_loss(model_, set.corpus, batch_size);
    for (const Hypothesis& h : translate_corpus(model_, set.corpus.src, batch_size, decode_)) {
      e.hypotheses.push_back(hypothesis_text(h, data_.tgt_vocab, *data_.tgt_segmenter));
    }
    e.bleu = corpus_bleu(e.hypotheses, {set.references}, config_.validation.bleu_options());
    return e;
  }

  // Validates on the dev set, updates the best checkpoint, the schedule and early
  // stopping. Returns whether this validation is the best so far.
  bool validate() {
    log_.clear_progress();
    const Evaluation e = evaluate(data_.dev);
    fs::create_directories(fs::path(dir_) / "validations");
    write_file_atomically((fs::path(dir_) / "validations" / ("dev-" + checkpoint_name(state_.step) + ".txt")).string(),
                          lines(e.hypotheses));
    const ValidationMetric metric = config_.validation.metric;
    const double value = metric == ValidationMetric::bleu  ? e.bleu.score
                         : metric == ValidationMetric::ppl ? e.loss.perplexity()
                                                           : e.loss.per_token();
    const bool higher_is_better = metric == ValidationMetric::bleu;
    const bool improved = state_.best_step < 0 || (higher_is_better ? value > state_.best_metric : value < state_.best_metric);
    state_.last_validation_step = state_.step;
    if (improved) {
      state_.best_metric = value;
      state_.best_step = state_.step;
      state_.best_checkpoint = checkpoint_name(state_.step);
      state_.validations_without_improvement = 0;
      state_.plateau_count = 0;
    } else {
      ++state_.validations_without_improvement;
      ++state_.plateau_count;
    }
    metrics_->write({{"type", "valid"},
                     {"step", state_.step},
                     {"epoch", state_.epoch},
                     {"dev_loss", e.loss.per_token()},
                     {"dev_ppl", e.loss.perplexity()},
                     {"dev_bleu", e.bleu.score},
                     {"learning_rate", state_.learning_rate},
                     {"best", improved}});
    log_.line(fmt::format("validation at step {}: dev ppl {:.3f}  {}{}", state_.step, e.loss.perplexity(), e.bleu.str(),
                          improved ? "  (best)" : ""));
    if (!improved) schedule_after_no_improvement();
    return improved;
  }

  // The plateau schedule and early stopping, after a validation that did not improve.
  void schedule_after_no_improvement() {
    const TrainingConfig& t = config_.training;
    if (t.schedule == Schedule::plateau && state_.plateau_count > t.plateau_patience) {
      set_learning_rate(state_.learning_rate * t.plateau_factor,
                        fmt::format("no better {} in {} validation{}", metric_name(config_.validation.metric),
                                    state_.plateau_count, state_.plateau_count == 1 ? "" : "s"));
      state_.plateau_count = 0;
    }
    const std::int64_t patience = config_.validation.patience;
    if (patience > 0 && state_.validations_without_improvement >= patience) {
      state_.stop_reason = fmt::format("early stopping: {} validations without improvement", patience);
    }
  }

  void save(bool best) {
    state_.train_seconds = elapsed();
    state_.dropout_rng = dropout_.state();
    state_.metrics_bytes = metrics_->sync();
    std::function<void(const char*)> hook;
    if (hooks_.kill_in_checkpoint_at == state_.step) {
      hook = [this](const char* stage) {
        if (hooks_.kill_stage == stage) ::raise(SIGKILL);
      };
    }
    save_checkpoint(dir_, params_, *optimizer_, state_, run_files_, best, hook);
    prune_checkpoints(dir_, static_cast<std::size_t>(config_.checkpoint.keep_last), {state_.best_checkpoint});
  }

  // Evaluates the best checkpoint on dev and test and writes summary.json.
  void finish() {
    const auto best = checkpoint_pointer(dir_, "best");
    if (best) load_checkpoint(*best, params_, nullptr);
    const std::string chosen = best ? fs::path(*best).filename().string() : checkpoint_name(state_.step);
    log_.line(fmt::format("evaluating {}", chosen));
    const Evaluation dev = evaluate(data_.dev);
    json summary = summary_of(chosen, dev);
    write_file_atomically((fs::path(dir_) / "dev.hyp").string(), lines(dev.hypotheses));
    log_.line(fmt::format("dev:  ppl {:.3f}  {}", dev.loss.perplexity(), dev.bleu.str()));
    if (data_.test) {
      const Evaluation test = evaluate(*data_.test);
      summary["test_loss"] = test.loss.per_token();
      summary["test_ppl"] = test.loss.perplexity();
      summary["test_bleu"] = test.bleu.score;
      summary["test_bleu_line"] = test.bleu.str();
      write_file_atomically((fs::path(dir_) / "test.hyp").string(), lines(test.hypotheses));
      log_.line(fmt::format("test: ppl {:.3f}  {}", test.loss.perplexity(), test.bleu.str()));
    }
    if (config_.checkpoint.average_last > 0) summary["average"] = evaluate_average();
    write_file_atomically((fs::path(dir_) / "summary.json").string(), summary.dump(2) + "\n");
    log_.line("wrote " + (fs::path(dir_) / "summary.json").string());
  }

  // checkpoint.average_last: the last N checkpoints averaged, then scored on dev and test.
  json evaluate_average() {
    const auto n = static_cast<std::size_t>(config_.checkpoint.average_last);
    const std::vector<std::string> sources = last_checkpoints(dir_, std::min(n, step_checkpoints(dir_).size()));
    const std::string name = "average-last-" + std::to_string(n);
    const std::string dir = average_checkpoints(dir_, sources, name);
    load_checkpoint(dir, params_, nullptr);
    log_.line(fmt::format("evaluating {} ({} checkpoints, {} to {})", name, sources.size(), sources.front(), sources.back()));
    const Evaluation dev = evaluate(data_.dev);
    log_.line(fmt::format("dev:  ppl {:.3f}  {}", dev.loss.perplexity(), dev.bleu.str()));
    json average{{"checkpoint", name}, {"checkpoints", sources}, {"dev_loss", dev.loss.per_token()},
                 {"dev_ppl", dev.loss.perplexity()}, {"dev_bleu", dev.bleu.score}, {"test_loss", nullptr},
                 {"test_ppl", nullptr}, {"test_bleu", nullptr}};
    if (data_.test) {
      const Evaluation test = evaluate(*data_.test);
      log_.line(fmt::format("test: ppl {:.3f}  {}", test.loss.perplexity(), test.bleu.str()));
      average["test_loss"] = test.loss.per_token();
      average["test_ppl"] = test.loss.perplexity();
      average["test_bleu"] = test.bleu.score;
    }
    return average;
  }

  json summary_of(const std::string& chosen, const Evaluation& dev) const {
    return json{{"recipe", config_.source},
                {"variant", Variant{model_.config().attention.type, model_.config().attention.score}.name()},
                {"params", params_.numel()},
                {"steps", state_.step},
                {"epochs_completed", state_.epoch - 1},
                {"stop_reason", state_.stop_reason},
                {"train_seconds", state_.train_seconds},
                {"target_tokens", state_.target_tokens},
                {"tokens_per_second", state_.target_tokens / std::max(state_.train_seconds, 1e-9)},
                {"checkpoint", chosen},
                {"best_step", state_.best_step},
                {"dev_loss", dev.loss.per_token()},
                {"dev_ppl", dev.loss.perplexity()},
                {"dev_bleu", dev.bleu.score},
                {"bleu_signature", bleu_signature(config_.validation.bleu_options(), 1)},
                {"test_loss", nullptr},
                {"test_ppl", nullptr},
                {"test_bleu", nullptr}};
  }

  Config config_;
  std::string dir_;
  RunData data_;
  ParameterSet params_;
  Seq2Seq model_;
  std::unique_ptr<Optimizer> optimizer_;
  RunLog log_;
  std::unique_ptr<MetricsLog> metrics_;
  TrainHooks hooks_;
  Rng dropout_;
  BatchingOptions batching_;
  DecodeOptions decode_;
  StepOptions step_;
  std::vector<std::string> run_files_;
  TrainingState state_;
  Clock::time_point session_start_;
  double base_seconds_ = 0.0;
  std::int64_t session_first_step_ = 0;
};

}  // namespace

std::string train_new_run(Config config, bool overwrite, const TrainHooks& hooks) {
  OpenedRun run = create_run_directory(std::move(config), overwrite);
  const std::string dir = run.dir;
  Trainer(std::move(run), hooks).run();
  return dir;
}

std::string resume_run(const std::string& dir, const TrainHooks& hooks) {
  OpenedRun run = open_run_directory(dir);
  Trainer(std::move(run), hooks).run();
  return dir;
}

}  // namespace nmtx
