// The training loop: batches of an epoch in a seeded order, one train_step each, a log
// line every training.log_every steps, validation and checkpoints when due, Ctrl-C; at the
// end the chosen parameters evaluated on dev and test. What it calls lives beside it:
// validation and the learning-rate schedule (validation.h), the moving average
// (moving_average.h), checkpoints (checkpoint_writer.h), the ranks of a data-parallel run
// (ranks.h), the limits and the session's decision (limits.h), the tests' faults
// (fault_injection.h), the final evaluation (final_evaluation.h), the session's times
// (session_times.h).
#include "nmtx/train/trainer.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "checkpoint_writer.h"
#include "fault_injection.h"
#include "final_evaluation.h"
#include "interval_log.h"
#include "limits.h"
#include "memory.h"
#include "metrics_log.h"
#include "moving_average.h"
#include "nmtx/config/engine_options.h"
#include "nmtx/core/blas.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batching.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_directory.h"
#include "nmtx/train/train_step.h"
#include "progress.h"
#include "ranks.h"
#include "session_times.h"
#include "stop_notice.h"
#include "stop_request.h"
#include "validation.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

// Every rank of a data-parallel run runs the same Trainer on the same numbers; rank 0
// (the leader) alone validates, writes the run directory and logs (ranks.h).
class Trainer {
 public:
  Trainer(OpenedRun run, const TrainHooks& hooks, dist::Communicator& comm)
      : comm_(comm),
        leader_(comm.rank() == 0),
        config_(std::move(run.config)),
        dir_(run.dir),
        data_(std::move(run.data)),
        params_(static_cast<std::uint64_t>(config_.training.seed)),
        model_(model_config(config_.model, data_.src_vocab.size(), data_.tgt_vocab.size()), params_),
        optimizer_(make_optimizer(config_.training)),
        log_(leader_ ? (fs::path(dir_) / "train.log").string() : std::string()),
        schedule_(config_, *optimizer_, log_),
        validate_(config_, data_, dir_, log_, schedule_),
        faults_(hooks, comm.rank()),
        checkpoints_(dir_, config_.checkpoint, faults_),
        dropout_(derive_seed(seed(), "dropout")),
        step_(step_options(config_.training, &dropout_)) {
    const TrainingConfig& t = config_.training;
    if (t.ema_decay > 0) ema_.emplace(model_.config(), params_);
    if (t.shard_count() > 1 || comm_.distributed()) {
      sharded_.emplace(comm_, params_, static_cast<std::size_t>(t.shard_count()), seed(),
                       static_cast<std::size_t>(t.threads));
    }
    step_.after_backward = faults_.nan_gradient(&state_.step);
    start(run.resumed, run.changed);
  }

  void run() {
    const SessionWork work = session_work(config_, state_, dir_, log_);
    if (work == SessionWork::nothing) return;
    if (work == SessionWork::train) train();
    std::optional<nlohmann::json> ranks;
    if (sharded_) {
      const double peak = std::max({times_.peak_rss_mib, times_.validation_peak_rss_mib, peak_rss_mib()});
      ranks = report_ranks(comm_, sharded_->reduction().stats(), config_.training, peak, log_);
    }
    // The chosen parameters on dev and test, and summary.json.
    const FinishedRun finished{dir_, config_, data_, model_, params_, ema_ ? &ema_->values() : nullptr, state_};
    if (leader_) write_summary(finished, validate_.settings(), times_, ranks ? &*ranks : nullptr, log_);
  }

 private:
  std::uint64_t seed() const { return static_cast<std::uint64_t>(config_.training.seed); }

  // The state to go on from (the latest checkpoint's, or step 0's), and the session's
  // first log lines.
  void start(bool resumed, const std::vector<KeyDifference>& changed) {
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
      checkpoints_.set_latest(*latest, state_.step);
    } else if (resumed) {
      // Stopped (or killed) before its first checkpoint: nothing to continue from.
      log_.line(fmt::format("{} has no checkpoint yet: training starts over from step 0", dir_));
    }
    const ModelConfig& m = model_.config();
    log_.line(fmt::format("model: {} {}, {} parameters; {} thread{}", Variant{m.attention.type, m.attention.score}.name(),
                          cell_name(m.cell), params_.numel(), config_.training.threads,
                          config_.training.threads == 1 ? "" : "s"));
    start_ranks(comm_, config_.training, params_, state_.step, dir_, checkpoints_.latest(), log_);
    if (leader_) {
      metrics_.emplace((fs::path(dir_) / "metrics.jsonl").string(), state_.metrics_bytes);
      validate_.start(state_.step);
    }
    for (const KeyDifference& d : changed) log_.line(fmt::format("--set {}: {} -> {}", d.key, d.before, d.after));
  }

  void train() {
    dropout_.restore(state_.dropout_rng);
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    pace_.start(state_.train_seconds, state_.step);
    const std::int64_t first_tokens = state_.target_tokens;
    times_.rss_at_start_mib = rss_mib();
    {
      SessionTimes::Timed session(times_.session);
      const StopRequest::Armed armed(/*sigint_only=*/comm_.distributed());
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
      batches = epoch_batches(data_.train, batching_, derive_seed(seed(), "epoch " + std::to_string(state_.epoch)));
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
      intervals_.add(state_, r, total_steps_, metrics_ ? &*metrics_ : nullptr);
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
      const SessionTimes::Validating timed(times_);
      if (leader_) best = validate_(model_, params_, ema_ ? &*ema_ : nullptr, state_, *metrics_);
      if (comm_.distributed()) {  // rank 0's verdict on every rank
        share_validation(comm_, state_);
        optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
      }
    }
    const bool stop = limit || !state_.stop_reason.empty();
    if (validate_now || stop || (checkpoint_every > 0 && state_.step % checkpoint_every == 0)) {
      state_.finished = stop;
      save(best);
    }
    if (comm_.distributed()) StopNotice::update(state_.step, checkpoints_.latest());
    return stop;
  }

  void save(bool best) {
    if (!leader_) return;
    SessionTimes::Timed timed(times_.checkpoints);
    state_.train_seconds = pace_.elapsed();
    state_.dropout_rng = dropout_.state();
    state_.metrics_bytes = metrics_->sync();
    checkpoints_.save(params_, ema_ ? &*ema_ : nullptr, *optimizer_, state_, best);
  }

  // Stops between two steps: the last step's checkpoint (unless written already), then
  // TrainingStopped, which `nmtx train` turns into a non-zero exit.
  [[noreturn]] void stop_now(int sig) {
    log_.clear_progress();
    std::string what;
    if (state_.step == 0) {
      what = fmt::format("stopped before the first step (no checkpoint); `nmtx train --resume {}` starts over", dir_);
    } else {
      if (checkpoints_.saved_step() != state_.step) {
        state_.finished = false;
        save(false);
      }
      what = fmt::format("stopped after step {}; `nmtx train --resume {}` continues exactly", state_.step, dir_);
    }
    log_.line(what);
    throw TrainingStopped(what, sig);
  }

  [[noreturn]] void diverged(double loss, double grad_norm) {
    log_.clear_progress();
    if (!leader_) throw dist::SameOnEveryRank("training diverged (rank 0 reports it)");
    throw TrainingDiverged(divergence_message(state_, loss, grad_norm, checkpoint_pointer(dir_, "latest")));
  }

  dist::Communicator& comm_;
  bool leader_;
  Config config_;
  std::string dir_;
  RunData data_;
  ParameterSet params_;
  Seq2Seq model_;
  std::unique_ptr<Optimizer> optimizer_;
  RunLog log_;
  LearningRateSchedule schedule_;
  Validator validate_;
  FaultInjection faults_;
  CheckpointWriter checkpoints_;
  Rng dropout_;
  StepOptions step_;
  BatchingOptions batching_ = batching_options(config_.training);
  std::optional<MetricsLog> metrics_;         // rank 0's
  std::optional<ShardedStep> sharded_;        // training.shards > 1 or several processes
  std::optional<MovingAverage> ema_;          // training.ema_decay > 0
  std::int64_t total_steps_ = 0;              // the steps the run will reach (0: unknown), for log lines
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
