#include "nmtx/run/run_directory.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "nmtx/io/files.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

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

OpenedRun create_run_directory(Config config, bool overwrite) {
  const std::string run_dir = default_run_dir(config);
  config.run.dir = run_dir;
  const fs::path dir(run_dir);
  if (fs::exists(dir) && !fs::is_directory(dir)) throw RecipeError(run_dir + " exists and is not a directory");
  if (non_empty_directory(dir) && !overwrite) {
    throw RunDirectoryExists(run_dir);
  }
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  remove_stale_partials(dir);
  const fs::path partial = dir.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(partial);
  fs::create_directories(partial);
  OpenedRun run{run_dir, config, RunData(), false, {}};
  try {
    write_file_atomically((partial / run_files::config).string(),
                          "# the resolved recipe of this run (nmtx train " + config.source + ")\n" + config_yaml(config));
    // Messages name the directory the user will find, not its temporary name.
    run.data = prepare_run_data(config, partial.string(), [&](std::string line) {
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
  return run;
}

OpenedRun join_run_directory(Config config) {
  config.run.dir = default_run_dir(config);
  OpenedRun run{config.run.dir, config, RunData(), false, {}};
  run.data = load_run_data(run.config, run.dir);
  return run;
}

OpenedRun open_run_directory(const std::string& run_dir, const std::vector<std::string>& overrides, bool write) {
  const fs::path dir(run_dir);
  const fs::path config = dir / run_files::config;
  if (!fs::is_directory(dir)) throw RecipeError(run_dir + ": no such run directory");
  if (!fs::exists(config)) throw RecipeError(run_dir + ": " + config.string() + " is missing: not a run directory");
  OpenedRun run{dir.string(), load_config(config.string()), RunData(), /*resumed=*/true, {}};
  if (!overrides.empty()) {
    Config changed = load_config(config.string(), overrides);
    run.changed = config_differences(run.config, changed);
    for (const KeyDifference& d : run.changed) {
      const auto& allowed = resume_keys();
      if (std::find(allowed.begin(), allowed.end(), d.key) == allowed.end()) {
        std::string list;
        for (const std::string& k : allowed) list += (list.empty() ? "" : ", ") + k;
        throw RecipeError(fmt::format("--set {}={}: {} cannot change when resuming {} (the run has {}, --set gives {}): "
                                      "the rest of the run would be another run's. Keys that only extend or stop a run "
                                      "can change: {}",
                                      d.key, d.after, d.key, run_dir, d.before, d.after, list));
      }
    }
    if (write && !run.changed.empty()) write_file_atomically(config.string(), config_yaml(changed));
    run.config = std::move(changed);
  }
  run.data = load_run_data(run.config, run.dir);
  return run;
}

}  // namespace nmtx
