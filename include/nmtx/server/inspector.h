// What `nmtx inspect` answers, apart from HTTP: trained runs loaded once, and requests
// (JSON objects) turned into responses (JSON objects) with the same decoding, scoring and
// forced attention as `nmtx translate`, `nmtx score` and `nmtx align`. docs/inspect.md
// lists the requests, their fields and limits, and defines the triage table's measures.
//
// Nothing in a request names a file: runs are chosen by their index in the list given at
// start-up, sentences of a run's sets by their index.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace nmtx {

// A request that cannot be answered as asked: the HTTP status (400, or 404 for an unknown
// run or sentence) and a message naming the field.
class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Bounds on what one request may ask for (the server's work per request stays small).
struct InspectLimits {
  std::size_t request_bytes = 64 * 1024;  // a request body
  std::size_t text_bytes = 4000;          // a source or target sentence
  std::size_t source_tokens = 150;        // after segmentation
  std::size_t target_tokens = 200;        // a typed target, a forced prefix
  std::size_t beam = 16;                  // beam size (and n-best)
  std::size_t window = 1000;              // the windowed constraint
  double alpha = 10.0;                    // the length penalty
  double factor = 1000.0;                 // an intervention's scale
};

// Every bound a request is held to, one row per field as docs/inspect.md lists them (a test
// checks the page holds request_limits_markdown()); the checks read the same numbers.
struct RequestLimit {
  std::string field, bound;
};
std::vector<RequestLimit> request_limits(const InspectLimits& limits = {});
std::string request_limits_markdown(const InspectLimits& limits = {});

// A run directory to inspect; one of a comparison's runs may still be training.
struct InspectPath {
  std::string dir;
  bool in_comparison = false;
  std::string checkpoint;  // RUN@CHECKPOINT's; empty: the inspector's default
};

class Inspector {
 public:
  // Run directories from the command line: a comparison directory (it holds compare.yaml
  // and runs/) stands for each of its runs, in the order of its variants' directories.
  // RUN@CHECKPOINT (RUN@step-500, RUN@best, COMPARE_DIR@latest) loads that checkpoint,
  // so one run's checkpoints can be inspected side by side; an existing directory whose
  // name holds "@" is that directory.
  static std::vector<InspectPath> expand_paths(const std::vector<std::string>& paths);

  // Loads every run once (the checkpoint its path names, else `checkpoint`: best, latest,
  // step-N, an average; its dev and test sets; gold alignments where they exist), named
  // RUN@CHECKPOINT when its path named one; `log` receives
  // a line per run. A comparison's run without that checkpoint yet (the comparison is
  // still training it) is listed as not finished instead (runs()["unfinished"]); a run
  // named on its own must load.
  explicit Inspector(const std::vector<InspectPath>& runs, const std::string& checkpoint = "best",
                     const std::function<void(const std::string&)>& log = {}, InspectLimits limits = {});
  ~Inspector();
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  const InspectLimits& limits() const { return limits_; }
  std::size_t size() const;

  // Each request is a JSON object; each throws RequestError for what it cannot answer (a
  // field of the wrong type or range: 400 naming it). Safe to call from several threads at once.
  nlohmann::json runs() const;
  nlohmann::json sentences(const nlohmann::json& request) const;  // {run, set}
  nlohmann::json translate(const nlohmann::json& request) const;  // {run, source, beam, ...}
  nlohmann::json score(const nlohmann::json& request) const;      // {run, source, target}
  nlohmann::json triage(const nlohmann::json& request) const;     // {run, set}: computed once, then cached
  // The training view: the run's curves and attention snapshots (read afresh: a run may
  // still be training), and one validation's snapshot.
  nlohmann::json training(const nlohmann::json& request) const;   // {run}
  nlohmann::json snapshot(const nlohmann::json& request) const;   // {run, step}

 private:
  struct Run;
  const Run& run_of(const nlohmann::json& request) const;
  // The requests' work; the public functions turn a field's JsonFileError into a RequestError.
  nlohmann::json answer_sentences(const nlohmann::json& request) const;
  nlohmann::json answer_translate(const nlohmann::json& request) const;
  nlohmann::json answer_score(const nlohmann::json& request) const;
  nlohmann::json answer_triage(const nlohmann::json& request) const;
  std::vector<std::unique_ptr<Run>> runs_;
  nlohmann::json unfinished_ = nlohmann::json::array();  // a comparison's runs not loaded: {name, dir, why}
  InspectLimits limits_;
};

}  // namespace nmtx
