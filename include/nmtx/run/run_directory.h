// The run directory of `nmtx train`: a new one is prepared under RUN.partial-PID (its
// config.yaml, a toy task's data, SentencePiece models, vocabularies) and renamed to RUN
// only when everything is in place, so bad input leaves no half-made run behind; an
// existing one is reopened from its config.yaml to resume.
#pragma once

#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/run/run_data.h"

namespace nmtx {

struct OpenedRun {
  std::string dir;
  Config config;  // with run.dir set to `dir`
  RunData data;
  bool resumed = false;  // reopened by open_run_directory (nmtx train --resume)
  std::vector<KeyDifference> changed;  // keys --resume --set changed (resume_keys() only)
};

// A new run's directory exists and holds something (and was not to be replaced): the
// command says how to continue, rename or replace it.
class RunDirectoryExists : public RecipeError {
 public:
  explicit RunDirectoryExists(const std::string& dir) : RecipeError("run directory " + dir + " already exists"), dir_(dir) {}
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Creates the directory of a new run of `config` (run.dir, or runs/NAME); an existing
// non-empty one is replaced only with `overwrite` (RunDirectoryExists otherwise). Prints
// what it prepares.
OpenedRun create_run_directory(Config config, bool overwrite);

// The run directory another process (rank 0) has just created for `config`, opened
// without writing anything: the data-parallel ranks other than 0.
OpenedRun join_run_directory(Config config);

// Reopens the run in `dir` (its config.yaml, data, segmenters and vocabularies). With
// `overrides` ("KEY=VALUE", as --set gives them), only resume_keys() may change (RecipeError
// naming the key and both values otherwise); the changed configuration is written to the
// run's config.yaml when `write` (rank 0), so that later resumes continue with it.
OpenedRun open_run_directory(const std::string& dir, const std::vector<std::string>& overrides = {}, bool write = true);

}  // namespace nmtx
