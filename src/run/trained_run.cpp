#include "nmtx/run/trained_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>

#include "nmtx/config/engine_options.h"
#include "nmtx/core/digest.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_data.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

std::vector<int> ids(const Segmenter& segmenter, const Vocab& vocab, const std::string& line,
                     std::vector<std::string>& tokens) {
  tokens.clear();  // segment() appends
  segmenter.segment(line, tokens);
  std::vector<int> out;
  out.reserve(tokens.size());
  for (const std::string& t : tokens) out.push_back(vocab.id(t));
  return out;
}

// The checkpoint directory `which` names in run `dir`.
std::string checkpoint_dir(const std::string& run_dir, const std::string& which) {
  const fs::path dir(run_dir);
  if (which == "best" || which == "latest") {
    const auto pointer = checkpoint_pointer(run_dir, which);
    if (!pointer) throw std::runtime_error(run_dir + " has no " + which + " checkpoint (is the run trained?)");
    return *pointer;
  }
  if (fs::is_directory(dir / "checkpoints" / which)) return (dir / "checkpoints" / which).string();
  // step-3000 as people type it, for the zero-padded step-00003000.
  const std::string digits = which.rfind("step-", 0) == 0 ? which.substr(5) : std::string();
  if (!digits.empty() && digits.size() <= 12 && digits.find_first_not_of("0123456789") == std::string::npos) {
    const fs::path padded = dir / "checkpoints" / checkpoint_name(std::stoll(digits));
    if (fs::is_directory(padded)) return padded.string();
  }
  if (fs::is_directory(which) && fs::is_directory(fs::path(which) / "params")) return which;
  std::vector<std::string> names;
  std::error_code missing;
  for (const auto& entry : fs::directory_iterator(dir / "checkpoints", missing)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.front() != '.') names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  throw std::runtime_error("no checkpoint " + which + " in " + run_dir + ": " +
                           (names.empty() ? std::string("it has none yet") : "it has " + list + " (and best, latest)"));
}

}  // namespace

std::vector<int> TrainedRun::source_ids(const std::string& line, std::vector<std::string>& tokens) const {
  return ids(*src_segmenter, src_vocab, line, tokens);
}

std::vector<int> TrainedRun::target_ids(const std::string& line, std::vector<std::string>& tokens) const {
  return ids(*tgt_segmenter, tgt_vocab, line, tokens);
}

std::string reading(const TrainedRun& run, bool source) {
  const DataConfig& d = run.config.data;
  const std::string cased = d.lowercase ? "lowercased" : "cased";
  if (d.subword == SubwordType::sentencepiece) {
    const fs::path model = fs::path(run.dir) / (source ? run_files::src_spm : run_files::tgt_spm);
    return fmt::format("SentencePiece model {}, {}", file_digest(model.string()), cased);
  }
  return fmt::format("{}, {}", d.level == TokenLevel::character ? "characters" : "words", cased);
}

namespace {

// The first id where two vocabularies differ, as "id 57: 'house' against 'home'".
std::string vocab_difference(const Vocab& a, const Vocab& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a.token(static_cast<int>(i)) != b.token(static_cast<int>(i))) {
      return fmt::format("id {}: '{}' against '{}'", i, a.token(static_cast<int>(i)), b.token(static_cast<int>(i)));
    }
  }
  return a.size() == b.size() ? "" : fmt::format("{} tokens against {}", a.size(), b.size());
}

}  // namespace

void check_ensemble(const std::vector<const TrainedRun*>& runs) {
  for (std::size_t m = 1; m < runs.size(); ++m) {
    const TrainedRun &first = *runs[0], &run = *runs[m];
    const std::string diff = vocab_difference(run.tgt_vocab, first.tgt_vocab);
    if (!diff.empty()) {
      throw std::invalid_argument(fmt::format(
          "ensemble: {} and {} have different target vocabularies ({}): members must share tgt.vocab (train them "
          "on the same data, with data.subword.seed fixed for SentencePiece)",
          run.dir, first.dir, diff));
    }
    if (reading(run, false) != reading(first, false)) {
      throw std::invalid_argument(fmt::format("ensemble: {} reads the target as {} but {} as {}: members must share "
                                              "the target segmenter",
                                              run.dir, reading(run, false), first.dir, reading(first, false)));
    }
  }
}

bool same_source_reading(const std::vector<const TrainedRun*>& runs) {
  for (const TrainedRun* run : runs) {
    if (reading(*run, true) != reading(*runs[0], true) ||
        !vocab_difference(run->src_vocab, runs[0]->src_vocab).empty()) {
      return false;
    }
  }
  return true;
}

std::optional<RunCheckpoint> run_checkpoint_of(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  const fs::path dir = p.has_filename() ? p : p.parent_path();
  const fs::path parent = dir.parent_path();
  if (!fs::is_directory(dir / "params") || parent.filename() != "checkpoints") return std::nullopt;
  const fs::path run = parent.parent_path();
  if (!fs::exists(run / run_files::config)) return std::nullopt;
  return RunCheckpoint{run.empty() ? "." : run.string(), dir.filename().string()};
}

std::unique_ptr<TrainedRun> load_trained_run(const std::string& run_dir, const std::string& which) {
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error(run_dir + ": no such run directory");
  if (const auto c = run_checkpoint_of(run_dir)) {
    throw std::runtime_error(run_dir + " is checkpoint " + c->name + " of the run " + c->run + ", not a run directory: load " +
                             c->run + " with the checkpoint " + c->name);
  }
  const fs::path config = dir / run_files::config;
  if (!fs::exists(config)) throw std::runtime_error(run_dir + ": " + config.string() + " is missing: not a run directory");
  auto run = std::make_unique<TrainedRun>();
  run->config = load_config(config.string());
  run->src_segmenter = run_segmenter(run->config.data, run_dir, true);
  run->tgt_segmenter = run_segmenter(run->config.data, run_dir, false);
  run->src_vocab = Vocab::load((dir / run_files::src_vocab).string());
  run->tgt_vocab = Vocab::load((dir / run_files::tgt_vocab).string());
  run->checkpoint = checkpoint_dir(run_dir, which);
  run->dir = run_dir;
  run->params = std::make_unique<ParameterSet>(static_cast<std::uint64_t>(run->config.training.seed));
  run->params->skip_initialisation();  // load_checkpoint sets every value
  run->params->without_gradients();    // nothing differentiates a loaded run
  run->model = std::make_unique<Seq2Seq>(model_config(run->config.model, run->src_vocab.size(), run->tgt_vocab.size()),
                                         *run->params);
  load_checkpoint(run->checkpoint, *run->params, nullptr);
  return run;
}

}  // namespace nmtx
