#include "nmtx/train/trainer.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "nmtx/core/blas.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/batching.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/train/checkpoint.h"
#include "nmtx/train/evaluate.h"
#include "nmtx/train/optim.h"
#include "nmtx/train/run_data.h"
#include "nmtx/train/run_model.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::unique_ptr<Optimizer> make_optimizer(const Recipe& r) {
  const auto lr = static_cast<float>(r.number("training.learning_rate"));
  if (r.string("training.optimizer") == "sgd") return std::make_unique<Sgd>(lr, static_cast<float>(r.number("training.momentum")));
  return std::make_unique<Adam>(lr, static_cast<float>(r.number("training.adam_beta1")),
                                static_cast<float>(r.number("training.adam_beta2")),
                                static_cast<float>(r.number("training.adam_eps")));
}

std::string duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string thousands(double x) { return x >= 1e4 ? fmt::format("{:.1f}k", x / 1e3) : fmt::format("{:.0f}", x); }

// The JSON-lines metrics log. Opened at a checkpoint's recorded length: what a killed run
// wrote after its last checkpoint is cut off, so the log matches an uninterrupted run's.
class MetricsLog {
 public:
  MetricsLog(const std::string& path, std::uint64_t length) : path_(path), bytes_(length) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::ftruncate(fd_, static_cast<off_t>(length)) != 0 || ::lseek(fd_, 0, SEEK_END) < 0) {
      throw std::runtime_error("cannot truncate " + path + ": " + std::strerror(errno));
    }
  }
  ~MetricsLog() { ::close(fd_); }
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  void write(const json& entry) {
    const std::string line = entry.dump() + "\n";
    if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
    }
    bytes_ += line.size();
  }
  // Durable up to here (before a checkpoint records the length).
  std::uint64_t sync() {
    ::fsync(fd_);
    return bytes_;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t bytes_;
};

// Log lines to stdout and RUN/train.log; on a terminal, a live progress line on stderr.
class RunLog {
 public:
  explicit RunLog(const std::string& path) : file_(path, std::ios::app), live_(::isatty(2) != 0) {}
  void line(const std::string& text) {
    clear_progress();
    fmt::print("{}\n", text);
    std::fflush(stdout);
    file_ << text << "\n";
    file_.flush();
  }
  void progress(const std::string& text) {
    if (!live_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    fmt::print(stderr, "\r\033[K{}", text);
    std::fflush(stderr);
    shown_ = true;
  }
  bool live() const { return live_; }
  void clear_progress() {
    if (!shown_) return;
    fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  std::ofstream file_;
  bool live_;
  bool shown_ = false;
  Clock::time_point last_{};
};

class Trainer {
 public:
  Trainer(const Recipe& recipe, const std::string& run_dir, RunData data, const TrainCommand& command)
      : r_(recipe),
        dir_(run_dir),
        data_(std::move(data)),
        params_(static_cast<std::uint64_t>(recipe.integer("training.seed"))),
        model_(model_config(recipe, data_.src_vocab.size(), data_.tgt_vocab.size()), params_),
        optimizer_(make_optimizer(recipe)),
        log_((fs::path(run_dir) / "train.log").string()),
        command_(command) {
    batching_.batch_size = static_cast<std::size_t>(r_.integer("training.batch_size"));
    batching_.by_tokens = r_.string("training.batch_type") == "tokens";
    batching_.shuffle = r_.boolean("training.shuffle");
    batching_.bucket = r_.boolean("training.bucket");
    decode_.bos = Vocab::kBos;
    decode_.eos = Vocab::kEos;
    decode_.max_length = 1000;
    decode_.max_length_ratio = static_cast<float>(r_.number("validation.max_output_ratio"));
    decode_.threads = static_cast<std::size_t>(r_.integer("training.threads"));
    for (const char* f : {run_files::config, run_files::src_vocab, run_files::tgt_vocab, run_files::src_spm,
                          run_files::tgt_spm}) {
      if (fs::exists(fs::path(dir_) / f)) run_files_.emplace_back(f);
    }
  }

  void run() {
    set_blas_threads(static_cast<int>(r_.integer("training.threads")));
    state_.learning_rate = r_.number("training.learning_rate");
    state_.dropout_rng = dropout_.state();
    if (const auto latest = checkpoint_pointer(dir_, "latest")) {
      state_ = load_checkpoint(*latest, params_, optimizer_.get());
      log_.line(fmt::format("resuming from {} (step {}, epoch {})", *latest, state_.step, state_.epoch));
    }
    const Variant variant{model_.config().attention.type, model_.config().attention.score};
    log_.line(fmt::format("model: {} {}, {} parameters; {} threads", variant.name(), model_.config().cell,
                          params_.numel(), r_.integer("training.threads")));
    const fs::path metrics = fs::path(dir_) / "metrics.jsonl";
    std::error_code error;
    const std::uintmax_t metrics_size = fs::exists(metrics) ? fs::file_size(metrics, error) : 0;
    if (state_.metrics_bytes > metrics_size) {  // the log is cut back to this length, never extended
      throw CheckpointError(fmt::format("{}: the checkpoint records {} bytes of metrics.jsonl, but the file holds {}",
                                        checkpoint_pointer(dir_, "latest").value_or(dir_), state_.metrics_bytes,
                                        metrics_size));
    }
    metrics_ = std::make_unique<MetricsLog>(metrics.string(), state_.metrics_bytes);
    if (!state_.finished) train();
    finish();
  }

 private:
  void train() {
    dropout_.restore(state_.dropout_rng);
    optimizer_->set_learning_rate(static_cast<float>(state_.learning_rate));
    const std::int64_t max_steps = r_.integer("training.steps"), max_epochs = r_.integer("training.epochs");
    const std::int64_t valid_every = r_.integer("validation.every"), checkpoint_every = r_.integer("checkpoint.every");
    const std::int64_t log_every = r_.integer("training.log_every");
    const auto clip = static_cast<float>(r_.number("training.clip_norm"));
    const auto smoothing = static_cast<float>(r_.number("training.label_smoothing"));
    const auto seed = static_cast<std::uint64_t>(r_.integer("training.seed"));
    session_start_ = Clock::now();
    base_seconds_ = state_.train_seconds;
    const std::int64_t session_first_step = state_.step;
    Graph g;
    for (bool stop = false; !stop;) {
      const std::vector<BatchIndices> batches =
          epoch_batches(data_.train, batching_, derive_seed(seed, "epoch " + std::to_string(state_.epoch)));
      if (state_.step == session_first_step && state_.batch_in_epoch == 0) {
        log_.line(fmt::format("epoch {}: {} batches", state_.epoch, batches.size()));
      }
      const std::int64_t total_steps = [&] {
        const std::int64_t by_epochs = max_epochs > 0 ? max_epochs * static_cast<std::int64_t>(batches.size()) : 0;
        if (max_steps > 0 && by_epochs > 0) return std::min(max_steps, by_epochs);
        return max_steps > 0 ? max_steps : by_epochs;
      }();
      if (state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size())) {
        throw CheckpointError(fmt::format("the checkpoint's position (batch {} of epoch {}) is past the epoch's {} batches",
                                          state_.batch_in_epoch, state_.epoch, batches.size()));
      }
      for (bool end_of_epoch = false; !stop && !end_of_epoch;) {
        const Batch batch = make_batch(data_.train, batches[static_cast<std::size_t>(state_.batch_in_epoch)]);
        g.clear();
        params_.zero_grad();
        const double tokens = static_cast<double>(batch.target_tokens());
        const Expr loss = model_.loss(g, batch, &dropout_, smoothing);
        g.backward(scale(loss, static_cast<float>(1.0 / tokens)));
        ++state_.step;
        ++state_.batch_in_epoch;
        if (state_.step == command_.inject_nan_at) params_.grads()[0] = std::numeric_limits<float>::quiet_NaN();
        const double norm = clip > 0.0f ? clip_grad_norm(params_, clip) : grad_norm(params_);
        const double loss_value = loss.item();
        if (!std::isfinite(loss_value) || !std::isfinite(norm)) diverged(loss_value, norm);
        optimizer_->step(params_);
        state_.target_tokens += static_cast<std::int64_t>(tokens);
        state_.interval_loss += loss_value;
        state_.interval_tokens += static_cast<std::int64_t>(tokens);
        state_.interval_grad_norm += norm;
        ++state_.interval_steps;
        if (state_.step % log_every == 0) log_interval();
        progress(total_steps, session_first_step);

        end_of_epoch = state_.batch_in_epoch >= static_cast<std::int64_t>(batches.size());
        if (end_of_epoch) {
          if (r_.string("training.schedule") == "halving" && state_.epoch >= r_.integer("training.halving_start")) {
            set_learning_rate(state_.learning_rate * 0.5, "halving after epoch " + std::to_string(state_.epoch));
          }
          ++state_.epoch;
          state_.batch_in_epoch = 0;
        }
        const bool limit = (max_steps > 0 && state_.step >= max_steps) ||
                           (max_epochs > 0 && end_of_epoch && state_.epoch - 1 >= max_epochs);
        if (limit) state_.stop_reason = max_steps > 0 && state_.step >= max_steps ? "steps" : "epochs";
        const bool validate_now = limit || (valid_every > 0 && state_.step % valid_every == 0) ||
                                  (valid_every == 0 && end_of_epoch);
        bool best = false;
        if (validate_now) best = validate();
        stop = limit || !state_.stop_reason.empty();
        if (validate_now || stop || (checkpoint_every > 0 && state_.step % checkpoint_every == 0)) {
          state_.finished = stop;
          save(best);
        }
      }
    }
    log_.clear_progress();
    log_.line(fmt::format("training stopped after step {} ({}): {} target tokens in {}", state_.step,
                          state_.stop_reason, state_.target_tokens, duration(elapsed())));
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
    const double min_lr = r_.number("training.min_learning_rate");
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
                          thousands(rate), duration(seconds)));
    state_.interval_loss = state_.interval_grad_norm = 0.0;
    state_.interval_tokens = state_.interval_steps = 0;
  }

  void progress(std::int64_t total_steps, std::int64_t session_first_step) {
    if (!log_.live()) return;  // no terminal: nothing to draw, nothing to format each step
    const double seconds = std::chrono::duration<double>(Clock::now() - session_start_).count();
    const std::int64_t done = state_.step - session_first_step;
    std::string eta = "?";
    if (total_steps > 0 && done > 0) eta = duration(seconds / done * std::max<std::int64_t>(0, total_steps - state_.step));
    const double per_token = state_.interval_tokens > 0 ? state_.interval_loss / state_.interval_tokens : 0.0;
    log_.progress(fmt::format("epoch {} step {}{}  loss {:.4f}  ppl {:.2f}  {} tok/s  lr {:.3g}  ETA {}", state_.epoch,
                              state_.step, total_steps > 0 ? "/" + std::to_string(total_steps) : std::string(),
                              per_token, std::exp(per_token),
                              thousands(static_cast<double>(state_.target_tokens) / std::max(elapsed(), 1e-9)),
                              state_.learning_rate, eta));
  }

  struct Evaluation {
    CorpusLoss loss;
    Bleu bleu;
    std::vector<std::string> hypotheses;
  };

  Evaluation evaluate(const EvalSet& set) {
    Evaluation e;
    const auto batch_size = static_cast<std::size_t>(r_.integer("validation.batch_size"));
    e.loss = corpus_loss(model_, set.corpus, batch_size);
    for (const Hypothesis& h : translate_corpus(model_, set.corpus.src, batch_size, decode_)) {
      e.hypotheses.push_back(hypothesis_text(h, data_.tgt_vocab, *data_.tgt_segmenter));
    }
    e.bleu = corpus_bleu(e.hypotheses, {set.references}, recipe_bleu_options(r_));
    return e;
  }

  static std::string lines(const std::vector<std::string>& xs) {
    std::string text;
    for (const std::string& x : xs) text += x + "\n";
    return text;
  }

  // Validates on the dev set, updates the best checkpoint, the schedule and early
  // stopping. Returns whether this validation is the best so far.
  bool validate() {
    log_.clear_progress();
    const Evaluation e = evaluate(data_.dev);
    fs::create_directories(fs::path(dir_) / "validations");
    write_file_atomically((fs::path(dir_) / "validations" / ("dev-" + checkpoint_name(state_.step) + ".txt")).string(),
                          lines(e.hypotheses));
    const std::string metric = r_.string("validation.metric");
    const double value = metric == "bleu" ? e.bleu.score : metric == "ppl" ? e.loss.perplexity() : e.loss.per_token();
    const bool higher_is_better = metric == "bleu";
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
    if (!improved && r_.string("training.schedule") == "plateau" &&
        state_.plateau_count > r_.integer("training.plateau_patience")) {
      set_learning_rate(state_.learning_rate * r_.number("training.plateau_factor"),
                        fmt::format("no better {} in {} validation{}", r_.string("validation.metric"), state_.plateau_count,
                                    state_.plateau_count == 1 ? "" : "s"));
      state_.plateau_count = 0;
    }
    const std::int64_t patience = r_.integer("validation.patience");
    if (patience > 0 && state_.validations_without_improvement >= patience) {
      state_.stop_reason = fmt::format("early stopping: {} validations without improvement", patience);
    }
    return improved;
  }

  void save(bool best) {
    state_.train_seconds = elapsed();
    state_.dropout_rng = dropout_.state();
    state_.metrics_bytes = metrics_->sync();
    std::function<void(const char*)> hook;
    if (command_.kill_in_checkpoint_at == state_.step) {
      hook = [this](const char* stage) {
        if (command_.kill_stage == stage) ::raise(SIGKILL);
      };
    }
    save_checkpoint(dir_, params_, *optimizer_, state_, run_files_, best, hook);
    prune_checkpoints(dir_, static_cast<std::size_t>(r_.integer("checkpoint.keep_last")), {state_.best_checkpoint});
  }

  // Evaluates the best checkpoint on dev and test and writes summary.json.
  void finish() {
    const auto best = checkpoint_pointer(dir_, "best");
    if (best) load_checkpoint(*best, params_, nullptr);
    const std::string chosen = best ? fs::path(*best).filename().string() : checkpoint_name(state_.step);
    log_.line(fmt::format("evaluating {}", chosen));
    const Evaluation dev = evaluate(data_.dev);
    json summary{{"recipe", r_.source()},
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
                 {"bleu_signature", bleu_signature(recipe_bleu_options(r_), 1)},
                 {"test_loss", nullptr},
                 {"test_ppl", nullptr},
                 {"test_bleu", nullptr}};
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
    write_file_atomically((fs::path(dir_) / "summary.json").string(), summary.dump(2) + "\n");
    log_.line("wrote " + (fs::path(dir_) / "summary.json").string());
  }

  Recipe r_;
  std::string dir_;
  RunData data_;
  ParameterSet params_;
  Seq2Seq model_;
  std::unique_ptr<Optimizer> optimizer_;
  RunLog log_;
  std::unique_ptr<MetricsLog> metrics_;
  TrainCommand command_;
  BatchingOptions batching_;
  DecodeOptions decode_;
  std::vector<std::string> run_files_;
  TrainingState state_;
  Rng dropout_{derive_seed(static_cast<std::uint64_t>(r_.integer("training.seed")), "dropout")};
  Clock::time_point session_start_;
  double base_seconds_ = 0.0;
};

std::string default_run_dir(const Recipe& recipe) {
  if (!recipe.string("run.dir").empty()) return recipe.string("run.dir");
  return (fs::path("runs") / fs::path(recipe.source()).stem()).string();
}

// RUN.partial-PID directories of runs killed while preparing (their process is gone).
void remove_stale_partials(const fs::path& dir) {
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  const std::string prefix = dir.filename().string() + ".partial-";
  if (!fs::is_directory(parent)) return;
  for (const auto& entry : fs::directory_iterator(parent)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path());
  }
}

bool non_empty_directory(const fs::path& p) { return fs::is_directory(p) && !fs::is_empty(p); }

}  // namespace

std::string run_training(const TrainCommand& command) {
  if (!command.resume.empty()) {
    if (!command.recipe.empty() || !command.overrides.empty() || command.overwrite) {
      throw RecipeError("--resume continues a run with its own config.yaml: give no recipe, --set or --overwrite");
    }
    const fs::path dir(command.resume);
    const fs::path config = dir / run_files::config;
    if (!fs::is_directory(dir)) throw RecipeError("--resume " + command.resume + ": no such run directory");
    if (!fs::exists(config)) {
      throw RecipeError("--resume " + command.resume + ": " + config.string() + " is missing: not a run directory");
    }
    Recipe recipe = Recipe::load(config.string());
    recipe.check();
    Trainer trainer(recipe, dir.string(), load_run_data(recipe, dir.string()), command);
    trainer.run();
    return dir.string();
  }

  Recipe recipe = Recipe::load(command.recipe);
  for (const std::string& o : command.overrides) recipe.set_override(o);
  if (!command.out.empty()) recipe.set("run.dir", command.out, "--out");
  const std::string run_dir = default_run_dir(recipe);
  recipe.set("run.dir", run_dir, "run directory");
  recipe.check();
  const fs::path dir(run_dir);
  if (fs::exists(dir) && !fs::is_directory(dir)) throw RecipeError(run_dir + " exists and is not a directory");
  if (non_empty_directory(dir) && !command.overwrite) {
    throw RecipeError("run directory " + run_dir + " already exists: continue it with --resume " + run_dir +
                      ", choose another with --out DIR, or replace it with --overwrite");
  }
  // Everything a run starts with is prepared under a temporary name and renamed into place,
  // so bad input leaves no half-made run directory behind.
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  remove_stale_partials(dir);
  const fs::path partial = dir.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial);
  fs::create_directories(partial);
  RunData data;
  try {
    write_file_atomically((partial / run_files::config).string(),
                          "# the resolved recipe of this run (nmtx train " + command.recipe + ")\n" + recipe.to_yaml());
    // Messages name the directory the user will find, not its temporary name.
    data = prepare_run_data(recipe, partial.string(), [&](std::string line) {
      for (std::size_t at; (at = line.find(partial.string())) != std::string::npos;) {
        line.replace(at, partial.string().size(), run_dir);
      }
      fmt::print("{}\n", line);
    });
    if (fs::exists(dir)) fs::remove_all(dir);  // --overwrite, or an empty directory
    fs::rename(partial, dir);
    sync_directory(dir.has_parent_path() ? dir.parent_path().string() : ".");
  } catch (...) {
    fs::remove_all(partial);
    throw;
  }
  fmt::print("run directory {}\n", run_dir);
  Trainer trainer(recipe, run_dir, std::move(data), command);
  trainer.run();
  return run_dir;
}

}  // namespace nmtx
