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
#include <optional>

#include "memory.h"
#include "metrics_log.h"
#include "nmtx/core/blas.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batching.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/dist/same_job.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/io/files.h"
#include "nmtx/run/average.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/train/ema.h"
#include "nmtx/train/train_step.h"
#include "nmtx/translation/translator.h"
#include "progress.h"
#include "replicas.h"
#include "run_directory.h"
#include "session_times.h"
#include "stop_notice.h"
#include "stop_request.h"

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

// training.ema_decay: the moving average θ̄ (train/ema.h), in a parameter set laid out as
// the model's (a model built on it registers the same parameters).
struct MovingAverage {
  MovingAverage(const ModelConfig& config, const ParameterSet& start) : params(start.seed()), layout(config, params) {
    std::copy_n(start.values(), start.numel(), params.values());  // θ̄_0 = θ_0
  }
  ParameterSet params;
  Seq2Seq layout;
};

// One set scored as validation and the final evaluation score it.
struct Evaluation {
  CorpusLoss loss;
  Bleu bleu;
  std::vector<std::string> hypotheses;
};

// Every rank of a data-parallel run runs the same Trainer on the same numbers; rank 0
// (the leader) alone validates, writes the run directory and logs, and tells the others
// what validation decided.
class Trainer {
 public:
  Trainer(OpenedRun run, const TrainHooks& hooks, dist::Communicator& comm)
      : comm_(comm),
        leader_(comm.rank() == 0),
        config_(std::move(run.config)),
        dir_(run.dir),
        resumed_(run.resumed),
        changed_(std::move(run.changed)),
        data_(std::move(run.data)),
        params_(static_cast<std::uint64_t>(config_.training.seed)),
        model_(model_config(config_.model, data_.src_vocab.size(), data_.tgt_vocab.size()), params_),
        optimizer_(make_optimizer(config_.training)),
        log_(leader_ ? (fs::path(dir_) / "train.log").string() : std::string()),
        hooks_(hooks),
        dropout_(derive_seed(static_cast<std::uint64_t>(config_.training.seed), "dropout")),
        evaluation_(evaluation_settings(config_)) {
    const TrainingConfig& t = config_.training;
    if (t.ema_decay > 0) ema_ = std::make_unique<MovingAverage>(model_.config(), params_);
    if (t.shard_count() > 1 || comm_.distributed()) {
      sharded_.emplace(comm_, params_, static_cast<std::size_t>(t.shard_count()), static_cast<std::uint64_t>(t.seed),
                       static_cast<std::size_t>(t.threads));
    }
    batching_.batch_size = static_cast<std::size_t>(t.batch_size);
    batching_.by_tokens = t.batch_by_tokens;
    batching_.shuffle = t.shuffle;
    batching_.bucket = t.bucket;
    evaluation_.keep_attention = false;  // validation reads the texts only
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
    // With shards on threads every product runs inside a shard on one BLAS thread; a
    // count of 2 between steps would only wake OpenBLAS's worker each step to spin.
    if (sharded_ && sharded_->threads() > 1) {
      use_one_blas_thread();
    } else {
      set_blas_threads(static_cast<int>(config_.training.threads));
    }
    state_.learning_rate = config_.training.learning_rate;
    state_.dropout_rng = dropout_.state();
    if (const auto latest = checkpoint_pointer(dir_, "latest")) {
      state_ = load_checkpoint(*latest, params_, optimizer_.get());
      if (ema_) {  // params/ holds θ̄, training-params/ θ
        std::copy_n(params_.values(), params_.numel(), ema_->params.values());
        if (!load_training_parameters(*latest, params_)) {
          throw CheckpointError(*latest + " has no training-params/ but the run has training.ema_decay: it cannot be "
                                "resumed exactly");
        }
      }
      log_.line(fmt::format("resuming from {} (step {}, epoch {})", *latest, state_.step, state_.epoch));
      saved_step_ = state_.step;
    } else if (resumed_) {
      // Stopped (or killed) before its first checkpoint: nothing to continue from.
      log_.line(fmt::format("{} has no checkpoint yet: training starts over from step 0", dir_));
    }
    const Variant variant{model_.config().attention.type, model_.config().attention.score};
    log_.line(fmt::format("model: {} {}, {} parameters; {} thread{}", variant.name(), model_.config().cell,
                          params_.numel(), config_.training.threads, config_.training.threads == 1 ? "" : "s"));
    if (comm_.distributed()) {
      for (const std::string& line : describe_job(comm_, config_.training)) log_.line(line);
      check_replicas(comm_, params_, state_.step);
      if (leader_) StopNotice::arm((fs::path(dir_) / "train.log").string());
      latest_ = checkpoint_pointer(dir_, "latest").value_or("");
      StopNotice::update(state_.step, latest_);
    }
    if (leader_) {
      metrics_ = std::make_unique<MetricsLog>((fs::path(dir_) / "metrics.jsonl").string(), state_.metrics_bytes);
    }
    for (const KeyDifference& d : changed_) log_.line(fmt::format("--set {}: {} -> {}", d.key, d.before, d.after));
    if (state_.finished) {
      if (limits_reached()) {
        if (fs::exists(fs::path(dir_) / "summary.json")) {
          log_.line(fmt::format("{} has finished (step {}, epoch {}: {}) and holds its summary.json: nothing to do. "
                                "`--set training.steps=N` (or training.epochs) with --resume trains it further",
                                dir_, state_.step, state_.epoch - 1, state_.stop_reason));
          return;
        }
      } else {
        log_.line(fmt::format("{} had finished at step {} ({}); training on", dir_, state_.step, state_.stop_reason));
        state_.finished = false;
        state_.stop_reason.clear();
      }
    }
    if (!state_.finished) train();
    if (sharded_) report_ranks();
    if (leader_) finish();
  }

 private:
  void train() {
    dropout_.restore(state_.dropout_rng);
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    session_start_ = Clock::now();
    base_seconds_ = state_.train_seconds;
    session_first_step_ = state_.step;
    const std::int64_t first_tokens = state_.target_tokens;
    times_.rss_at_start_mib = rss_mib();
    {
      SessionTimes::Timed session(times_.session);
      const StopArmed armed(comm_.distributed());
      if (leader_ && hooks_.signal_at_step == 0) ::raise(SIGINT);
      for (bool stop = false; !stop;) stop = train_epoch();
    }
    times_.steps_taken = state_.step - session_first_step_;
    times_.target_tokens = state_.target_tokens - first_tokens;
    times_.peak_rss_mib = std::max(times_.peak_rss_mib, peak_rss_mib());
    log_.clear_progress();
    log_.line(fmt::format("training stopped after step {} ({}): {} target tokens in {}", state_.step,
                          state_.stop_reason, state_.target_tokens, format_duration(elapsed())));
    log_.line(times_.describe());
  }

  // The rest of the epoch in progress; returns whether training is to stop.
  bool train_epoch() {
    std::vector<BatchIndices> batches;
    {
      SessionTimes::Timed timed(times_.batches);
      batches = epoch_batches(data_.train, batching_,
                              derive_seed(static_cast<std::uint64_t>(config_.training.seed), "epoch " + std::to_string(state_.epoch)));
    }
    if (state_.step == session_first_step_ && state_.batch_in_epoch == 0) {
      log_.line(fmt::format("epoch {}: {} batches", state_.epoch, batches.size()));
    }
    if (state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size())) {
      throw CheckpointError(fmt::format("the checkpoint's position (batch {} of epoch {}) is past the epoch's {} batches",
                                        state_.batch_in_epoch, state_.epoch, batches.size()));
    }
    const std::int64_t total = total_steps(batches.size());
    total_steps_ = total;
    for (;;) {
      if (const int sig = stop_requested()) stop_now(sig);
      const StepResult r = step(batches[static_cast<std::size_t>(state_.batch_in_epoch)]);
      ++state_.step;
      ++state_.batch_in_epoch;
      if (!r.applied) diverged(r.loss, r.grad_norm);
      if (ema_) {
        SessionTimes::Timed timed(times_.moving_average);
        ema_update(params_, ema_->params, ema_decay_at(config_.training.ema_decay, state_.step));
      }
      if (hooks_.kill_rank == comm_.rank() && hooks_.kill_at_step == state_.step) ::raise(SIGKILL);
      if (leader_ && hooks_.signal_at_step == state_.step) ::raise(SIGINT);
      account(r, total);
      const bool end_of_epoch = state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size());
      if (end_of_epoch) next_epoch();
      if (after_step(end_of_epoch)) return true;
      if (end_of_epoch) return false;
    }
  }

  // Whether a finished run's stop still holds under its (possibly changed) configuration:
  // its steps or epochs reached, its patience used up, its learning rate below the floor.
  bool limits_reached() const {
    const TrainingConfig& t = config_.training;
    if (t.steps > 0 && state_.step >= t.steps) return true;
    if (t.epochs > 0 && state_.epoch - 1 >= t.epochs) return true;
    const std::int64_t patience = config_.validation.patience;
    if (patience > 0 && state_.validations_without_improvement >= patience) return true;
    return t.min_learning_rate > 0 && state_.learning_rate < t.min_learning_rate;
  }

  // StopRequest armed while steps are taken (and put back however the loop ends).
  struct StopArmed {
    explicit StopArmed(bool distributed) { StopRequest::arm(/*sigint_only=*/distributed); }
    ~StopArmed() { StopRequest::disarm(); }
  };

  // Whether Ctrl-C or SIGTERM asked to stop: the signal, or 0. Under mpirun rank 0's
  // answer goes to every rank, so all stop after the same step.
  int stop_requested() {
    if (!comm_.distributed()) return StopRequest::signal();
    std::string sig = leader_ ? std::to_string(StopRequest::signal()) : std::string();
    comm_.broadcast(sig);
    return std::stoi(sig);
  }

  // Stops between two steps: the last step's checkpoint (unless written already), then
  // TrainingStopped, which `nmtx train` turns into a non-zero exit.
  [[noreturn]] void stop_now(int sig) {
    log_.clear_progress();
    std::string what;
    if (state_.step == 0) {
      what = fmt::format("stopped before the first step (no checkpoint); `nmtx train --resume {}` starts over", dir_);
    } else {
      if (saved_step_ != state_.step) {
        state_.finished = false;
        SessionTimes::Timed timed(times_.checkpoints);
        if (leader_) save(false);
      }
      what = fmt::format("stopped after step {}; `nmtx train --resume {}` continues exactly", state_.step, dir_);
    }
    log_.line(what);
    throw TrainingStopped(what, sig);
  }

  // One optimisation step on the batch of these sentences (its padded batch made and timed apart).
  StepResult step(const BatchIndices& indices) {
    if (sharded_) {  // each shard makes its own batch: all of it counts as the step
      SessionTimes::Timed timed(times_.steps);
      return (*sharded_)(model_, params_, *optimizer_, g_, data_.train, indices, state_.step + 1, step_);
    }
    std::optional<Batch> batch;
    {
      SessionTimes::Timed timed(times_.batches);
      batch.emplace(make_batch(data_.train, indices));
    }
    SessionTimes::Timed timed(times_.steps);
    return train_step(model_, params_, *optimizer_, g_, *batch, step_);
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
    bool best = false;
    if (validate_now) {
      // Validation's memory is reported apart from the training steps' (SessionTimes).
      times_.peak_rss_mib = std::max(times_.peak_rss_mib, peak_rss_mib());
      SessionTimes::Timed timed(times_.validation);
      best = validate_on_leader();
      times_.validation_peak_rss_mib = std::max(times_.validation_peak_rss_mib, peak_rss_mib());
      release_free_memory();
      reset_peak_rss();
    }
    const bool stop = limit || !state_.stop_reason.empty();
    if (validate_now || stop || (checkpoint_every > 0 && state_.step % checkpoint_every == 0)) {
      state_.finished = stop;
      SessionTimes::Timed timed(times_.checkpoints);
      if (leader_) save(best);
    }
    if (comm_.distributed()) StopNotice::update(state_.step, latest_);
    return stop;
  }

  [[noreturn]] void diverged(double loss, double norm) {
    const auto last = checkpoint_pointer(dir_, "latest");
    log_.clear_progress();
    if (!leader_) throw dist::SameOnEveryRank("training diverged (rank 0 reports it)");
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
    if (comm_.distributed()) check_replicas(comm_, params_, state_.step);
    const double per_token = state_.interval_loss / static_cast<double>(state_.interval_tokens);
    const double mean_norm = state_.interval_grad_norm / static_cast<double>(state_.interval_steps);
    write_metrics({{"type", "train"},
                     {"step", state_.step},
                     {"epoch", state_.epoch},
                     {"loss", per_token},
                     {"ppl", std::exp(per_token)},
                     {"grad_norm", mean_norm},
                     {"learning_rate", state_.learning_rate},
                     {"tokens", state_.interval_tokens}});
    if (!leader_) {
      state_.interval_loss = state_.interval_grad_norm = 0.0;
      state_.interval_tokens = state_.interval_steps = 0;
      return;
    }
    const double seconds = elapsed();
    const double rate = static_cast<double>(state_.target_tokens) / std::max(seconds, 1e-9);
    log_.line(fmt::format("epoch {}  step {}  loss {:.4f}  ppl {:8.2f}  |g| {:.3f}  lr {:.3g}  {} tok/s  {}  ETA {}",
                          of_total(state_.epoch, config_.training.epochs), of_total(state_.step, total_steps_), per_token,
                          std::exp(per_token), mean_norm, state_.learning_rate, format_thousands(rate),
                          format_duration(seconds), eta()));
    last_interval_loss_ = per_token;
    state_.interval_loss = state_.interval_grad_norm = 0.0;
    state_.interval_tokens = state_.interval_steps = 0;
  }

  void progress(std::int64_t total) {
    if (!log_.live()) return;  // no terminal: nothing to draw, nothing to format each step
    // The interval so far, or the last whole one right after a log line: an interval with
    // no steps has no loss to show (not a perfect 0).
    std::string loss = "loss -";
    if (state_.interval_tokens > 0) {
      const double per_token = state_.interval_loss / static_cast<double>(state_.interval_tokens);
      loss = fmt::format("loss {:.4f}  ppl {:.2f}", per_token, std::exp(per_token));
    } else if (last_interval_loss_) {
      loss = fmt::format("loss {:.4f}  ppl {:.2f}", *last_interval_loss_, std::exp(*last_interval_loss_));
    }
    log_.progress(fmt::format("epoch {} step {}  {}  {} tok/s  lr {:.3g}  ETA {}", of_total(state_.epoch, config_.training.epochs),
                              of_total(state_.step, total), loss,
                              format_thousands(static_cast<double>(state_.target_tokens) / std::max(elapsed(), 1e-9)),
                              state_.learning_rate, eta()));
  }

  // "12/3910", or "12" when the total is not known (0).
  static std::string of_total(std::int64_t n, std::int64_t total) {
    return total > 0 ? fmt::format("{}/{}", n, total) : std::to_string(n);
  }

  // The time to the last step at this session's pace so far ("?" before the first step
  // or without a known total).
  std::string eta() const {
    const double seconds = std::chrono::duration<double>(Clock::now() - session_start_).count();
    const std::int64_t done = state_.step - session_first_step_;
    if (total_steps_ <= 0 || done <= 0) return "?";
    return format_duration(seconds / static_cast<double>(done) * static_cast<double>(std::max<std::int64_t>(0, total_steps_ - state_.step)));
  }

  Evaluation evaluate(const EvalSet& set) {
    Evaluation e;
    e.loss = corpus_loss(model_, set.corpus, evaluation_.batch);
    SetTranslation translated = translate_set(translator_of(model_, data_), set, evaluation_, config_.validation.bleu_options());
    e.hypotheses = std::move(translated.texts);
    e.bleu = translated.bleu;
    return e;
  }

  void write_metrics(const json& entry) {
    if (metrics_) metrics_->write(entry);
  }

  // validate() on rank 0; in a data-parallel run the others receive what it decided (the
  // best checkpoint, the learning rate, early stopping). Returns whether it was the best.
  bool validate_on_leader() {
    const bool best = leader_ && validate();
    if (!comm_.distributed()) return best;
    std::string outcome;
    if (leader_) {
      outcome = json{{"best", best},
                     {"best_metric", state_.best_metric},
                     {"best_step", state_.best_step},
                     {"best_checkpoint", state_.best_checkpoint},
                     {"validations_without_improvement", state_.validations_without_improvement},
                     {"plateau_count", state_.plateau_count},
                     {"last_validation_step", state_.last_validation_step},
                     {"learning_rate", state_.learning_rate},
                     {"stop_reason", state_.stop_reason}}
                    .dump();
    }
    comm_.broadcast(outcome);
    if (leader_) return best;
    const json o = json::parse(outcome);
    state_.best_metric = o["best_metric"];
    state_.best_step = o["best_step"];
    state_.best_checkpoint = o["best_checkpoint"];
    state_.validations_without_improvement = o["validations_without_improvement"];
    state_.plateau_count = o["plateau_count"];
    state_.last_validation_step = o["last_validation_step"];
    state_.learning_rate = o["learning_rate"];
    state_.stop_reason = o["stop_reason"];
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    return o["best"];
  }

  // Validates on the dev set, updates the best checkpoint, the schedule and early
  // stopping. Returns whether this validation is the best so far.
  bool validate() {
    log_.clear_progress();
    std::optional<SwappedValues> average;  // training.ema_decay: the model validates θ̄
    if (ema_) average.emplace(params_, ema_->params);
    const Evaluation e = evaluate(data_.dev);
    average.reset();
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
    write_metrics({{"type", "valid"},
                     {"step", state_.step},
                     {"epoch", state_.epoch},
                     {"dev_loss", e.loss.per_token()},
                     {"dev_ppl", e.loss.perplexity()},
                     {"dev_bleu", e.bleu.score},
                     {"learning_rate", state_.learning_rate},
                     {"best", improved}});
    log_.line(fmt::format("validation at step {}: dev ppl {:.3f}  {}{}", state_.step, e.loss.perplexity(), e.bleu.str(),
                          improved ? "  (best)" : ""));
    // A few fixed dev sentences, as Joey NMT prints them: the same ones at every validation.
    const auto shown = std::min<std::size_t>(static_cast<std::size_t>(config_.validation.examples), e.hypotheses.size());
    for (std::size_t i = 0; i < shown; ++i) {
      log_.line(fmt::format("  example {}  source     {}", i, data_.dev.sources[i]));
      log_.line(fmt::format("  example {}  reference  {}", i, data_.dev.references[i]));
      log_.line(fmt::format("  example {}  hypothesis {}", i, e.hypotheses[i]));
    }
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
    if (ema_) {
      save_checkpoint(dir_, ema_->params, *optimizer_, state_, run_files_, best, hook, &params_);
    } else {
      save_checkpoint(dir_, params_, *optimizer_, state_, run_files_, best, hook);
    }
    latest_ = (fs::path(dir_) / "checkpoints" / checkpoint_name(state_.step)).string();
    saved_step_ = state_.step;
    prune_checkpoints(dir_, static_cast<std::size_t>(config_.checkpoint.keep_last), {state_.best_checkpoint});
  }

  // Evaluates the best checkpoint on dev and test and writes summary.json.
  void finish() {
    const auto best = checkpoint_pointer(dir_, "best");
    if (best) {
      load_checkpoint(*best, params_, nullptr);
    } else if (ema_) {
      std::copy_n(ema_->params.values(), params_.numel(), params_.values());
    }
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
    if (sharded_) summary["data_parallel"] = ranks_;
    if (times_.steps_taken > 0) summary["session"] = times_.to_json();
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

  // The cost of the shard reduction and every rank's memory, in train.log and summary.json.
  void report_ranks() {
    const dist::ShardSum::Stats& r = sharded_->reduction().stats();
    const double peak = std::max({times_.peak_rss_mib, times_.validation_peak_rss_mib, peak_rss_mib()});
    const std::vector<double> memory = comm_.all_gather(std::vector<double>{peak});  // every rank's, this session
    const double steps = std::max<double>(1.0, static_cast<double>(r.steps));
    ranks_ = json{{"processes", comm_.size()},
                  {"shards", config_.training.shard_count()},
                  {"threads_per_process", config_.training.threads},
                  {"reduction_bytes_sent_per_step", static_cast<double>(r.bytes_sent) / steps},
                  {"reduction_bytes_received_per_step", static_cast<double>(r.bytes_received) / steps},
                  {"reduction_ms_per_step", 1e3 * r.seconds / steps},
                  {"reduction_steps", r.steps},
                  {"peak_rss_mib", memory}};
    if (!comm_.distributed()) return;  // one process: no ranks, nothing sent (summary.json keeps the record)
    log_.line(fmt::format("shard reduction (rank 0, this session): {:.2f} MB sent, {:.2f} MB received, {:.2f} ms per step "
                          "over {} steps",
                          static_cast<double>(r.bytes_sent) / steps / 1e6, static_cast<double>(r.bytes_received) / steps / 1e6,
                          1e3 * r.seconds / steps, r.steps));
    std::string by_rank;
    for (std::size_t i = 0; i < memory.size(); ++i) by_rank += fmt::format("{}rank {}: {:.0f} MiB", i ? ", " : "", i, memory[i]);
    log_.line("peak memory: " + by_rank);
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

  dist::Communicator& comm_;
  bool leader_;
  Config config_;
  std::string dir_;
  bool resumed_;                        // nmtx train --resume
  std::vector<KeyDifference> changed_;  // keys --resume --set changed
  RunData data_;
  ParameterSet params_;
  Seq2Seq model_;
  std::unique_ptr<Optimizer> optimizer_;
  RunLog log_;
  std::unique_ptr<MetricsLog> metrics_;
  TrainHooks hooks_;
  Rng dropout_;
  BatchingOptions batching_;
  TranslateSettings evaluation_;  // how validation and the final evaluation decode
  StepOptions step_;
  std::optional<ShardedStep> sharded_;  // training.shards > 1 or several processes
  std::unique_ptr<MovingAverage> ema_;  // training.ema_decay > 0
  json ranks_;                          // report_ranks()
  std::string latest_;                  // the latest checkpoint, for StopNotice
  std::int64_t saved_step_ = -1;        // the step of the latest checkpoint written or resumed from
  std::int64_t total_steps_ = 0;        // the steps the run will reach (0: unknown), for log lines
  std::optional<double> last_interval_loss_;  // the last logged interval's loss per token
  std::vector<std::string> run_files_;
  TrainingState state_;
  Graph g_;             // the training steps' tape, reused
  SessionTimes times_;  // this session's, for train.log and summary.json
  Clock::time_point session_start_;
  double base_seconds_ = 0.0;
  std::int64_t session_first_step_ = 0;
};


// The checks every rank makes before anything is written: the same binary and recipe
// everywhere, a process count that divides training.shards.
void check_job(dist::Communicator& comm, const Config& config, const std::string& command) {
  dist::check_same_on_every_rank(comm, {{"command", command},
                                        {"binary (nmtx executable)", dist::executable_digest()},
                                        {"recipe (resolved)", config_yaml(config)}});
  dist::check_shards(comm, static_cast<std::size_t>(config.training.shard_count()));
}

// Rank 0 does `prepare`; the others wait for its outcome: its error stops them too (it
// reports it), its success lets them `join`.
template <typename Prepare, typename Join>
OpenedRun on_leader_then_all(dist::Communicator& comm, Prepare prepare, Join join) {
  if (!comm.distributed()) return prepare();
  std::optional<OpenedRun> run;
  std::string status = "ok";
  if (comm.rank() == 0) {
    try {
      run.emplace(prepare());
    } catch (const std::exception& e) {
      status = "rank 0 stopped: " + std::string(e.what());
      comm.broadcast(status);
      throw;
    }
  }
  comm.broadcast(status);
  if (status != "ok") throw dist::SameOnEveryRank(status);
  if (comm.rank() != 0) run.emplace(join());
  return std::move(*run);
}

}  // namespace

std::string train_new_run(Config config, bool overwrite, const TrainHooks& hooks) {
  dist::Communicator& comm = dist::Communicator::world();
  check_job(comm, config, overwrite ? "train --overwrite" : "train");
  OpenedRun run = on_leader_then_all(
      comm, [&] { return create_run_directory(config, overwrite); }, [&] { return join_run_directory(config); });
  const std::string dir = run.dir;
  Trainer(std::move(run), hooks, comm).run();
  return dir;
}

std::string resume_run(const std::string& dir, const TrainHooks& hooks, const std::vector<std::string>& overrides) {
  dist::Communicator& comm = dist::Communicator::world();
  OpenedRun run = on_leader_then_all(
      comm, [&] { return open_run_directory(dir, overrides, /*write=*/true); },
      [&] { return open_run_directory(dir, overrides, /*write=*/false); });
  check_job(comm, run.config, "train --resume " + dir);
  Trainer(std::move(run), hooks, comm).run();
  return dir;
}

}  // namespace nmtx
