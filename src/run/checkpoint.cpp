#include "nmtx/run/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "nmtx/core/threads.h"
#include "nmtx/io/files.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/io/npy.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kState = "state.json";
constexpr const char* kTrainingParams = "training-params";  // training.ema_decay: θ, beside θ̄ in params/
constexpr int kFormat = 1;
constexpr std::size_t kMaxStateBytes = 1 << 20;  // state.json is about 9 KB

json to_json(const TrainingState& s, std::int64_t optimizer_steps) {
  return json{{"format", kFormat},
              {"step", s.step},
              {"epoch", s.epoch},
              {"batch_in_epoch", s.batch_in_epoch},
              {"learning_rate", s.learning_rate},
              {"dropout_rng", s.dropout_rng},
              {"last_validation_step", s.last_validation_step},
              {"best_metric", s.best_metric},
              {"best_step", s.best_step},
              {"best_checkpoint", s.best_checkpoint},
              {"validations_without_improvement", s.validations_without_improvement},
              {"plateau_count", s.plateau_count},
              {"metrics_bytes", s.metrics_bytes},
              {"train_seconds", s.train_seconds},
              {"target_tokens", s.target_tokens},
              {"interval_loss", s.interval_loss},
              {"interval_grad_norm", s.interval_grad_norm},
              {"interval_tokens", s.interval_tokens},
              {"interval_steps", s.interval_steps},
              {"finished", s.finished},
              {"stop_reason", s.stop_reason},
              {"optimizer_steps", optimizer_steps}};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(path.string() + ": cannot open (missing file?)");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Copies `from` to `to` through write_file_atomically (fsynced).
void copy_durably(const fs::path& from, const fs::path& to) { write_file_atomically(to.string(), read_file(from)); }

struct NpyFile {
  std::string path;
  Tensor values;
};

// Writes the files on two threads at once, the largest first, each to the thread with
// less to write so far: most of a checkpoint's time is the kernel taking in new pages,
// which two threads do side by side.
void write_npy_files(std::vector<NpyFile> files) {
  std::stable_sort(files.begin(), files.end(),
                   [](const NpyFile& a, const NpyFile& b) { return a.values.size() > b.values.size(); });
  const std::size_t threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::vector<const NpyFile*>> share(threads);
  std::vector<std::size_t> load(threads, 0);
  for (const NpyFile& f : files) {
    const std::size_t k = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    share[k].push_back(&f);
    load[k] += f.values.size();
  }
  run_on_threads(threads, [&](std::size_t k) {
    for (const NpyFile* f : share[k]) save_npy(f->path, f->values);
  });
}

void add_parameters(const ParameterSet& params, const fs::path& dir, std::vector<NpyFile>& files) {
  fs::create_directories(dir);
  for (const Parameter& p : params.all()) files.push_back({parameter_file(dir.string(), p), p.value()});
}

}  // namespace

std::string training_state_text(const TrainingState& state, std::int64_t optimizer_steps) {
  return to_json(state, optimizer_steps).dump(2) + "\n";
}

std::string checkpoint_name(std::int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
  return buf;
}

void save_checkpoint(const std::string& run_dir, const ParameterSet& params, const Optimizer& optimizer,
                     const TrainingState& state, const std::vector<std::string>& run_files, bool best,
                     const std::function<void(const char* stage)>& stage_hook, const ParameterSet* training_params) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  fs::create_directories(root);
  const std::string name = checkpoint_name(state.step);
  const fs::path partial = root / (".partial-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(partial);
  fs::create_directories(partial / "optimizer");
  std::vector<NpyFile> files;
  add_parameters(params, partial / "params", files);
  if (training_params != nullptr) add_parameters(*training_params, partial / kTrainingParams, files);
  const OptimizerStateView opt = optimizer.state();
  for (const auto& [buffer, values] : opt.buffers) {
    // save_npy reads the buffer in place (Tensor's view is of mutable floats; nothing writes)
    files.push_back({(partial / "optimizer" / (buffer + ".npy")).string(),
                     Tensor(const_cast<float*>(values->data()), Shape{values->size()})});
  }
  write_npy_files(std::move(files));
  for (const std::string& file : run_files) copy_durably(fs::path(run_dir) / file, partial / file);
  write_file_atomically((partial / kState).string(), training_state_text(state, opt.steps));
  sync_directory((partial / "params").string());
  if (training_params != nullptr) sync_directory((partial / kTrainingParams).string());
  sync_directory((partial / "optimizer").string());
  sync_directory(partial.string());
  if (stage_hook) stage_hook("written");
  // An older checkpoint of the same step (left by a run that was killed after writing it
  // but before moving `latest`) is replaced.
  replace_directory(partial.string(), (root / name).string());
  if (stage_hook) stage_hook("renamed");
  write_file_atomically((root / "latest").string(), name + "\n");
  if (best) write_file_atomically((root / "best").string(), name + "\n");
}

std::optional<std::string> checkpoint_pointer(const std::string& run_dir, const std::string& pointer) {
  const fs::path file = fs::path(run_dir) / "checkpoints" / pointer;
  if (!fs::exists(file)) return std::nullopt;
  std::string name;
  try {
    name = read_file_limited(file.string(), 4096);  // a pointer holds one checkpoint's name
  } catch (const std::runtime_error& e) {
    throw CheckpointError(e.what());
  }
  while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
  const fs::path dir = fs::path(run_dir) / "checkpoints" / name;
  if (name.empty() || name.find('/') != std::string::npos || !fs::is_directory(dir)) {
    throw CheckpointError(file.string() + ": names checkpoint \"" + name + "\", which does not exist");
  }
  return dir.string();
}

TrainingState parse_training_state(std::string_view text, const std::string& file, std::int64_t* optimizer_steps) {
  const JsonFields f(parse_json_object(text, file), file);
  const std::int64_t format = f.integer("format", 0, 1000);
  if (format != kFormat) {
    f.fail("format", "checkpoint format " + std::to_string(format) + ", this nmtx reads " + std::to_string(kFormat));
  }
  TrainingState s;
  s.step = f.integer("step");
  s.epoch = f.integer("epoch", 1);
  s.batch_in_epoch = f.integer("batch_in_epoch");
  s.learning_rate = f.number("learning_rate", 0.0);
  s.dropout_rng = f.string("dropout_rng", 16384);  // an mt19937_64 state: 312 numbers of up to 20 digits
  s.last_validation_step = f.integer("last_validation_step", -1);
  s.best_metric = f.number("best_metric");
  s.best_step = f.integer("best_step", -1);
  s.best_checkpoint = f.string("best_checkpoint", 64);
  if (!s.best_checkpoint.empty() && s.best_checkpoint.find_first_of("/\\") != std::string::npos) {
    f.fail("best_checkpoint", "expected a checkpoint's name (step-NNNNNNNN), got a path");
  }
  s.validations_without_improvement = f.integer("validations_without_improvement");
  s.plateau_count = f.integer("plateau_count");
  s.metrics_bytes = static_cast<std::uint64_t>(f.integer("metrics_bytes"));
  s.train_seconds = f.number("train_seconds", 0.0);
  s.target_tokens = f.integer("target_tokens");
  s.interval_loss = f.number("interval_loss");
  s.interval_grad_norm = f.number("interval_grad_norm", 0.0);
  s.interval_tokens = f.integer("interval_tokens");
  s.interval_steps = f.integer("interval_steps");
  s.finished = f.boolean("finished");
  s.stop_reason = f.string("stop_reason");
  const std::int64_t steps = f.integer("optimizer_steps");
  if (optimizer_steps != nullptr) *optimizer_steps = steps;
  return s;
}

bool load_training_parameters(const std::string& checkpoint_dir, ParameterSet& params) {
  const fs::path dir = fs::path(checkpoint_dir) / kTrainingParams;
  if (!fs::is_directory(dir)) return false;
  try {
    load_parameters(params, dir.string());
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("checkpoint ") + checkpoint_dir + ": " + e.what());
  }
  return true;
}

TrainingState load_checkpoint(const std::string& checkpoint_dir, ParameterSet& params, Optimizer* optimizer) {
  const fs::path dir(checkpoint_dir);
  const fs::path state_file = dir / kState;
  TrainingState s;
  std::int64_t optimizer_steps = 0;
  std::string text;
  try {
    text = read_file_limited(state_file.string(), kMaxStateBytes);
  } catch (const std::runtime_error& e) {
    throw CheckpointError(e.what());
  }
  try {
    s = parse_training_state(text, state_file.string(), &optimizer_steps);
  } catch (const JsonFileError& e) {
    // "FILE: corrupt checkpoint state: field ...": the file first, as every input error.
    std::string what = e.what();
    const std::string file = state_file.string() + ": ";
    if (what.rfind(file, 0) == 0) what.insert(file.size(), "corrupt checkpoint state: ");
    throw CheckpointError(what);
  }
  try {
    load_parameters(params, (dir / "params").string());
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("checkpoint ") + checkpoint_dir + ": " + e.what());
  }
  if (optimizer != nullptr) {
    OptimizerState opt;
    opt.steps = optimizer_steps;
    if (fs::is_directory(dir / "optimizer")) {
      for (const auto& entry : fs::directory_iterator(dir / "optimizer")) {
        if (entry.path().extension() != ".npy") continue;
        try {
          const TensorData t = load_npy(entry.path().string());
          opt.buffers[entry.path().stem().string()] = t.values;
        } catch (const std::exception& e) {
          throw CheckpointError(std::string("checkpoint ") + checkpoint_dir + ": " + e.what());
        }
      }
    }
    try {
      optimizer->restore(opt, params.numel());
    } catch (const std::exception& e) {
      throw CheckpointError(std::string("checkpoint ") + checkpoint_dir + ": " + e.what());
    }
  }
  return s;
}

std::vector<std::string> step_checkpoints(const std::string& run_dir) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  std::vector<std::string> steps;
  if (!fs::is_directory(root)) return steps;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && entry.is_directory()) steps.push_back(name);
  }
  std::sort(steps.begin(), steps.end());  // zero-padded: by step
  return steps;
}

void prune_checkpoints(const std::string& run_dir, std::size_t keep, const std::vector<std::string>& protect) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  if (!fs::is_directory(root)) return;
  for (const auto& entry : fs::directory_iterator(root)) {  // leftovers of interrupted writes
    const std::string name = entry.path().filename().string();
    if (name.rfind(".partial-", 0) == 0 || name.rfind(".stale-", 0) == 0 || name.rfind(".old-", 0) == 0) fs::remove_all(entry.path());
  }
  const std::vector<std::string> steps = step_checkpoints(run_dir);
  for (std::size_t i = 0; i + keep < steps.size(); ++i) {
    if (std::find(protect.begin(), protect.end(), steps[i]) == protect.end()) fs::remove_all(root / steps[i]);
  }
}

}  // namespace nmtx
