// The training loop: batches of an epoch in a seeded order, one train_step each, a log
// line every training.log_every steps, validation, checkpoints, Ctrl-C; at the end the
// chosen parameters evaluated on dev and test. What it calls lives beside it: validation
// and the learning-rate schedule (validation.h), the moving average (moving_average.h),
// the ranks of a data-parallel run (ranks.h), the tests' faults (fault_injection.h), the
// final evaluation (final_evaluation.h), the session's times (session_times.h).
#include "nmtx/train/trainer.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "fault_injection.h"
#include "final_evaluation.h"
#include "interval_log.h"
#include "limits.h"
#include "memory.h"
#include "metrics_log.h"
#include "moving_average.h"
#include "nmtx/config/engine_options.h"
#include "nmtx/core/blas.h"
#include "nmtx/core/optim.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batching.h"
#include "nmtx/io/files.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_directory.h"
#include "nmtx/run/run_files.h"
#include "nmtx/train/ema.h"
#include "nmtx/train/train_step.h"
#include "progress.h"
#include "ranks.h"
#include "session_times.h"
#include "stop_notice.h"
#include "stop_request.h"
#include "validation.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::unique_ptr<Optimizer> make_optimizer(const TrainingConfig& t) {
  const auto lr = static_cast<float>(t.learning_rate);
  if (t.optimizer == OptimizerType::sgd) return std::make_unique<Sgd>(lr, static_cast<float>(t.momentum));
  return std::make_unique<Adam>(lr, static_cast<float>(t.adam_beta1), static_cast<float>(t.adam_beta2),
                                static_cast<float>(t.adam_eps));
}

// StopRequest armed while steps are taken (and put back however the loop ends).
struct StopArmed {
  explicit StopArmed(bool distributed) { StopRequest::arm(/*sigint_only=*/distributed); }
  ~StopArmed() { StopRequest::disarm(); }
};

// Every rank of a data-parallel run runs the same Trainer on the same numbers; rank 0
// (the leader) alone validates, writes the run directory and logs (ranks.h).
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
        schedule_(config_, *optimizer_, log_),
        faults_(hooks, comm.rank()),
        dropout_(derive_seed(static_cast<std::uint64_t>(config_.training.seed), "dropout")),
        evaluation_(evaluation_settings(config_)),
        batching_(batching_options(config_.training)) {
    const TrainingConfig& t = config_.training;
    if (t.ema_decay > 0) ema_.emplace(model_.config(), params_);
    if (t.shard_count() > 1 || comm_.distributed()) {
      sharded_.emplace(comm_, params_, static_cast<std::size_t>(t.shard_count()), static_cast<std::uint64_t>(t.seed),
                       static_cast<std::size_t>(t.threads));
    }
    evaluation_.keep_attention = false;  // validation reads the texts only
    step_.clip_norm = static_cast<float>(t.clip_norm);
    step_.label_smoothing = static_cast<float>(t.label_smoothing);
    step_.dropout = &dropout_;
    step_.after_backward = faults_.nan_gradient(&state_.step);
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
      if (ema_) ema_->resume(*latest, params_);  // params/ holds θ̄, training-params/ θ
      log_.line(fmt::format("resuming from {} (step {}, epoch {})", *latest, state_.step, state_.epoch));
      saved_step_ = state_.step;
    } else if (resumed_) {
      // Stopped (or killed) before its first checkpoint: nothing to continue from.
      log_.line(fmt::format("{} has no checkpoint yet: training starts over from step 0", dir_));
    }
    const Variant variant{model_.config().attention.type, model_.config().attention.score};
    log_.line(fmt::format("model: {} {}, {} parameters; {} thread{}", variant.name(), cell_name(model_.config().cell),
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
      if (limits_reached(config_, state_)) {
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
    json ranks;
    if (sharded_) {
      const double peak = std::max({times_.peak_rss_mib, times_.validation_peak_rss_mib, peak_rss_mib()});
      ranks = report_ranks(comm_, sharded_->reduction().stats(), config_.training, peak, log_);
    }
    if (leader_) finish(ranks);
  }

 private:
  void train() {
    dropout_.restore(state_.dropout_rng);
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    pace_.start(state_.train_seconds, state_.step);
    const std::int64_t first_tokens = state_.target_tokens;
    times_.rss_at_start_mib = rss_mib();
    {
      SessionTimes::Timed session(times_.session);
      const StopArmed armed(comm_.distributed());
      faults_.before_first_step();
      for (bool stop = false; !stop;) stop = train_epoch();
    }
    times_.steps_taken = state_.step - pace_.first_step();
    times_.target_tokens = state_.target_tokens - first_tokens;
    times_.peak_rss_mib = std::max(times_.peak_rss_mib, peak_rss_mib());
    log_.clear_progress();
    log_.line(fmt::format("training stopped after step {} ({}): {} target tokens in {}", state_.step,
                          state_.stop_reason, state_.target_tokens, format_duration(pace_.elapsed())));
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
    if (state_.step == pace_.first_step() && state_.batch_in_epoch == 0) {
      log_.line(fmt::format("epoch {}: {} batches", state_.epoch, batches.size()));
    }
    if (state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size())) {
      throw CheckpointError(fmt::format("the checkpoint's position (batch {} of epoch {}) is past the epoch's {} batches",
                                        state_.batch_in_epoch, state_.epoch, batches.size()));
    }
    total_steps_ = total_steps(config_.training, batches.size());
    for (;;) {
      if (const int sig = leader_signal(comm_, StopRequest::signal())) stop_now(sig);
      const StepResult r = step(batches[static_cast<std::size_t>(state_.batch_in_epoch)]);
      ++state_.step;
      ++state_.batch_in_epoch;
      if (!r.applied) diverged(r.loss, r.grad_norm);
      if (ema_) {
        SessionTimes::Timed timed(times_.moving_average);
        ema_->update(params_, config_.training.ema_decay, state_.step);
      }
      faults_.after_step(state_.step);
      if (comm_.distributed() && state_.step % config_.training.log_every == 0) check_replicas(comm_, params_, state_.step);
      intervals_.add(state_, r, total_steps_, metrics_.get());
      const bool end_of_epoch = state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size());
      if (end_of_epoch) {
        schedule_.after_epoch(state_);
        ++state_.epoch;
        state_.batch_in_epoch = 0;
      }
      if (after_step(end_of_epoch)) return true;
      if (end_of_epoch) return false;
    }
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

  // Stops at the limits, validates and checkpoints when due; returns whether to stop.
  bool after_step(bool end_of_epoch) {
    const std::int64_t valid_every = config_.validation.every, checkpoint_every = config_.checkpoint.every;
    const std::string reached = limit_reached(config_.training, state_, end_of_epoch);
    const bool limit = !reached.empty();
    if (limit) state_.stop_reason = reached;
    const bool validate_now =
        limit || (valid_every > 0 && state_.step % valid_every == 0) || (valid_every == 0 && end_of_epoch);
    bool best = false;
    if (validate_now) {
      // Validation's memory is reported apart from the training steps' (SessionTimes).
      times_.peak_rss_mib = std::max(times_.peak_rss_mib, peak_rss_mib());
      SessionTimes::Timed timed(times_.validation);
      if (leader_) best = validate();
      if (comm_.distributed()) {  // rank 0's verdict on every rank
        share_validation(comm_, state_);
        optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
      }
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

  // Validates on the dev set: the verdict, metrics.jsonl's line, train.log's lines with a
  // few fixed dev sentences (as Joey NMT prints them), the schedule. Returns whether this
  // validation is the best so far.
  bool validate() {
    log_.clear_progress();
    std::optional<SwappedValues> average;  // training.ema_decay: the model validates θ̄
    if (ema_) average.emplace(params_, ema_->values());
    const Evaluation e = evaluate(translator_of(model_, data_), data_.dev, evaluation_, config_.validation.bleu_options());
    average.reset();
    fs::create_directories(fs::path(dir_) / "validations");
    write_file_atomically((fs::path(dir_) / "validations" / ("dev-" + checkpoint_name(state_.step) + ".txt")).string(),
                          text_lines(e.hypotheses));
    const bool improved = record_validation(config_.validation.metric, e, state_);
    if (metrics_) {
      metrics_->write(metrics_entry(ValidMetrics{state_.step, state_.epoch, e.loss.per_token(), e.loss.perplexity(),
                                                 e.bleu.score, state_.learning_rate, improved}));
    }
    log_.line(fmt::format("validation at step {}: dev ppl {:.3f}  {}{}", state_.step, e.loss.perplexity(), e.bleu.str(),
                          improved ? "  (best)" : ""));
    const auto shown = std::min<std::size_t>(static_cast<std::size_t>(config_.validation.examples), e.hypotheses.size());
    for (std::size_t i = 0; i < shown; ++i) {
      log_.line(fmt::format("  example {}  source     {}", i, data_.dev.sources[i]));
      log_.line(fmt::format("  example {}  reference  {}", i, data_.dev.references[i]));
      log_.line(fmt::format("  example {}  hypothesis {}", i, e.hypotheses[i]));
    }
    if (!improved) schedule_.after_no_improvement(state_);
    return improved;
  }

  void save(bool best) {
    state_.train_seconds = pace_.elapsed();
    state_.dropout_rng = dropout_.state();
    state_.metrics_bytes = metrics_->sync();
    save_checkpoint(dir_, ema_ ? ema_->values() : params_, *optimizer_, state_, run_files_, best,
                    faults_.in_checkpoint(state_.step), ema_ ? &params_ : nullptr);
    latest_ = (fs::path(dir_) / "checkpoints" / checkpoint_name(state_.step)).string();
    saved_step_ = state_.step;
    prune_checkpoints(dir_, static_cast<std::size_t>(config_.checkpoint.keep_last), {state_.best_checkpoint});
  }

  // The chosen parameters on dev and test, and summary.json.
  void finish(const json& ranks) {
    RunSummary summary = evaluate_finished_run(
        {dir_, config_, data_, model_, params_, ema_ ? &ema_->values() : nullptr, state_}, evaluation_, log_);
    if (sharded_) summary.data_parallel = ranks;
    if (times_.steps_taken > 0) summary.session = times_.to_json();
    write_file_atomically((fs::path(dir_) / "summary.json").string(), summary_text(summary));
    log_.line("wrote " + (fs::path(dir_) / "summary.json").string());
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
  LearningRateSchedule schedule_;
  FaultInjection faults_;
  Rng dropout_;
  TranslateSettings evaluation_;  // how validation and the final evaluation decode
  std::unique_ptr<MetricsLog> metrics_;
  BatchingOptions batching_;
  StepOptions step_;
  std::optional<ShardedStep> sharded_;        // training.shards > 1 or several processes
  std::optional<MovingAverage> ema_;          // training.ema_decay > 0
  std::string latest_;                        // the latest checkpoint, for StopNotice
  std::int64_t saved_step_ = -1;              // the step of the latest checkpoint written or resumed from
  std::int64_t total_steps_ = 0;              // the steps the run will reach (0: unknown), for log lines
  std::vector<std::string> run_files_;
  TrainingState state_;
  Graph g_;             // the training steps' tape, reused
  SessionTimes times_;  // this session's, for train.log and summary.json
  Pace pace_;
  IntervalLog intervals_{log_, config_.training, pace_};
};

}  // namespace

std::string train_new_run(Config config, bool overwrite, const TrainHooks& hooks) {
  check_config(config);  // a Config built in code (nmtx compare's variants) as a recipe's
  dist::Communicator& comm = dist::Communicator::world();
  check_job(comm, config, overwrite ? "train --overwrite" : "train");
  OpenedRun run = on_leader_then_all<OpenedRun>(
      comm, [&] { return create_run_directory(config, overwrite); }, [&] { return join_run_directory(config); });
  const std::string dir = run.dir;
  Trainer(std::move(run), hooks, comm).run();
  return dir;
}

std::string resume_run(const std::string& dir, const TrainHooks& hooks, const std::vector<std::string>& overrides) {
  dist::Communicator& comm = dist::Communicator::world();
  OpenedRun run = on_leader_then_all<OpenedRun>(
      comm, [&] { return open_run_directory(dir, overrides, /*write=*/true); },
      [&] { return open_run_directory(dir, overrides, /*write=*/false); });
  check_job(comm, run.config, "train --resume " + dir);
  Trainer(std::move(run), hooks, comm).run();
  return dir;
}

}  // namespace nmtx
