#include "nmtx/run/average.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "nmtx/io/files.h"
#include "nmtx/io/npy.h"
#include "nmtx/run/checkpoint.h"

namespace fs = std::filesystem;

namespace nmtx {

namespace {

constexpr std::size_t kMaxCopiedFile = std::size_t{1} << 30;  // config, vocabularies, SentencePiece models

// The parameter files of a checkpoint, sorted.
std::vector<std::string> parameter_files(const fs::path& checkpoint) {
  std::vector<std::string> names;
  if (!fs::is_directory(checkpoint / "params")) throw CheckpointError(checkpoint.string() + ": no params/ directory");
  for (const auto& entry : fs::directory_iterator(checkpoint / "params")) {
    if (entry.path().extension() == ".npy") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) throw CheckpointError(checkpoint.string() + ": no parameters in params/");
  return names;
}

// One parameter file: the float32 rounding of the mean in double over the sources.
TensorData mean_of(const std::vector<fs::path>& sources, const std::string& file) {
  std::vector<double> sum;
  Shape shape;
  for (const fs::path& source : sources) {
    const fs::path path = source / "params" / file;
    const TensorData t = load_npy(path.string());
    if (source == sources.front()) {
      shape = t.shape;
      sum.assign(t.values.size(), 0.0);
    } else if (!(t.shape == shape)) {
      throw CheckpointError(path.string() + ": shape " + t.shape.str() + ", but " + shape.str() + " in " +
                            (sources.front() / "params" / file).string());
    }
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += static_cast<double>(t.values[i]);
  }
  TensorData mean(shape);
  const auto n = static_cast<double>(sources.size());
  for (std::size_t i = 0; i < sum.size(); ++i) mean.values[i] = static_cast<float>(sum[i] / n);
  return mean;
}

// Everything of the averaged checkpoint, into `dir`.
void write_average(const std::vector<std::string>& checkpoints, const std::vector<fs::path>& sources,
                   const fs::path& dir) {
  const fs::path& newest = sources.back();
  const std::vector<std::string> files = parameter_files(newest);
  for (const fs::path& source : sources) {
    if (parameter_files(source) != files) {
      throw CheckpointError((source / "params").string() + ": other parameters than " + (newest / "params").string());
    }
  }
  fs::create_directories(dir / "params");
  for (const std::string& file : files) save_npy((dir / "params" / file).string(), mean_of(sources, file).view());
  // The newest source's state, configuration and vocabularies: what loading it needs.
  for (const auto& entry : fs::directory_iterator(newest)) {
    if (entry.is_regular_file()) {
      write_file_atomically((dir / entry.path().filename()).string(),
                            read_file_limited(entry.path().string(), kMaxCopiedFile));
    }
  }
  const nlohmann::json record{{"checkpoints", checkpoints},
                              {"rule", "each parameter: the float32 rounding of the mean, in double, over the checkpoints"}};
  write_file_atomically((dir / "average.json").string(), record.dump(2) + "\n");
  sync_directory((dir / "params").string());
  sync_directory(dir.string());
}

}  // namespace

std::vector<std::string> last_checkpoints(const std::string& run_dir, std::size_t count) {
  if (count == 0) throw std::runtime_error("checkpoint averaging needs at least 1 checkpoint");
  const std::vector<std::string> steps = step_checkpoints(run_dir);
  if (steps.size() < count) {
    throw std::runtime_error(run_dir + " has " + std::to_string(steps.size()) + " step checkpoints, fewer than the " +
                             std::to_string(count) + " to average (checkpoint.keep_last keeps them)");
  }
  return {steps.end() - static_cast<std::ptrdiff_t>(count), steps.end()};
}

std::string average_checkpoints(const std::string& run_dir, const std::vector<std::string>& checkpoints,
                                const std::string& name) {
  if (checkpoints.empty()) throw std::runtime_error("checkpoint averaging: no checkpoint to average");
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' || name.rfind("step-", 0) == 0 ||
      name == "best" || name == "latest") {
    throw std::runtime_error("checkpoint averaging: \"" + name +
                             "\" cannot name an average (no '/', no leading '.', not step-N, best or latest)");
  }
  const fs::path root = fs::path(run_dir) / "checkpoints";
  std::vector<fs::path> sources;
  for (const std::string& c : checkpoints) {
    const fs::path dir = root / c;
    if (c.empty() || c.find('/') != std::string::npos || !fs::is_directory(dir / "params")) {
      throw std::runtime_error(run_dir + ": no checkpoint " + c + " to average");
    }
    sources.push_back(dir);
  }
  const fs::path partial = root / (".partial-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(partial);
  try {
    write_average(checkpoints, sources, partial);
  } catch (...) {
    fs::remove_all(partial);  // nothing half-written stays behind
    throw;
  }
  const fs::path target = root / name;
  replace_directory(partial.string(), target.string());
  return target.string();
}

}  // namespace nmtx
