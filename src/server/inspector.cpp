#include "nmtx/server/inspector.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "nmtx/decode/corpus.h"
#include "nmtx/eval/aer.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/io/files.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/report/length_buckets.h"
#include "nmtx/report/run_colours.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/gold_alignments.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/run_files.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/translation/given_translations.h"
#include "nmtx/translation/translator.h"
#include "requests.h"
#include "training_view.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace nmtx {

struct Inspector::Run {
  std::string name, dir;
  std::unique_ptr<TrainedRun> trained;
  json summary = json::object();  // the numbers of summary.json that are there
  std::map<std::string, EvalSet> sets;
  std::map<std::string, std::vector<AlignmentLine>> gold;
  mutable std::mutex triage_mutex;
  mutable std::map<std::string, json> triage;  // per set, computed on first request
};

namespace {

// The numbers of summary.json the page shows (none before the run has finished).
json summary_numbers(const fs::path& dir) {
  const fs::path path = dir / "summary.json";
  if (!fs::exists(path)) return json::object();
  const RunSummary s = read_summary(path.string());
  json out{{"steps", s.steps}, {"best_step", s.best_step}, {"params", s.params},
           {"dev_bleu", s.dev.bleu}, {"dev_ppl", s.dev.ppl}, {"train_seconds", s.train_seconds}};
  if (s.test) out["test_bleu"] = s.test->bleu;
  return out;
}

std::string variant_name(const Config& config) {
  return Variant{config.model.attention.type, config.model.attention.resolved_score()}.name();
}

std::vector<std::string> vocab_tokens(const Vocab& vocab, const int* ids, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(vocab.token(ids[k]));
  return out;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

json attention_json(const AttentionRecord& a) {
  json j{{"attention", a.weights}};
  if (!a.positions.empty()) j["positions"] = a.positions;
  if (!a.heads.empty()) j["heads"] = a.heads;  // (k, T, S) multi-head's heads; "attention" is their mean
  return j;
}

// Sentence i's gold links as [source, target] pairs, or null where the set has no gold.
json gold_json(const std::vector<AlignmentLine>& gold, std::size_t i) {
  if (gold.empty()) return nullptr;
  return {{"sure", gold.at(i).sure}, {"possible", gold.at(i).possible}};  // [[source, target], ...]
}

const char* fate_name(BeamNode::Fate fate) {
  switch (fate) {
    case BeamNode::Fate::pruned: return "pruned";
    case BeamNode::Fate::kept: return "kept";
    case BeamNode::Fate::finished: return "finished";
  }
  return "";
}

}  // namespace

std::vector<InspectPath> Inspector::expand_paths(const std::vector<std::string>& paths) {
  std::vector<InspectPath> out;
  for (const std::string& given : paths) {
    std::string p = given, checkpoint;
    if (const auto at = given.rfind('@'); at != std::string::npos && at > 0 && !fs::exists(given)) {
      p = given.substr(0, at);
      checkpoint = given.substr(at + 1);
      if (checkpoint.empty()) throw std::runtime_error(given + ": name a checkpoint after @ (best, latest, step-N)");
    }
    const fs::path dir(p);
    if (fs::exists(dir / "compare.yaml") && fs::is_directory(dir / "runs")) {
      std::vector<std::string> runs;
      for (const auto& entry : fs::directory_iterator(dir / "runs")) {
        const std::string name = entry.path().filename().string();
        // A run being prepared is RUN.partial-PID: it becomes RUN when its data is in place.
        if (entry.is_directory() && name.find(".partial-") == std::string::npos) runs.push_back(entry.path().string());
      }
      if (runs.empty()) throw std::runtime_error(p + ": a comparison with no run started yet (nothing under runs/)");
      std::sort(runs.begin(), runs.end());
      for (const std::string& r : runs) out.push_back({r, true, checkpoint});
    } else {
      out.push_back({p, false, checkpoint});
    }
  }
  return out;
}

Inspector::Inspector(const std::vector<InspectPath>& paths, const std::string& default_checkpoint,
                     const std::function<void(const std::string&)>& log, InspectLimits limits)
    : limits_(limits) {
  if (paths.empty()) throw std::invalid_argument("nmtx inspect: no run to inspect");
  for (const auto& [dir, in_comparison, named] : paths) {
    const std::string checkpoint = named.empty() ? default_checkpoint : named;
    if (in_comparison) {  // still training: no config yet, or not the checkpoint asked for
      const std::string name = fs::path(dir).filename().string();
      std::string why;
      if (!fs::exists(fs::path(dir) / run_files::config)) {
        why = "being prepared";
      } else if ((checkpoint == "best" || checkpoint == "latest") && !checkpoint_pointer(dir, checkpoint)) {
        why = "no " + checkpoint + " checkpoint yet";
      }
      if (!why.empty()) {
        unfinished_.push_back({{"name", name}, {"dir", dir}, {"why", why}});
        if (log) log(dir + ": not finished (" + why + "): listed, not loaded; start nmtx inspect again to load it");
        continue;
      }
    }
    auto run = std::make_unique<Run>();
    run->dir = dir;
    run->name = fs::path(dir).lexically_normal().filename().string();
    if (run->name.empty()) run->name = fs::path(dir).lexically_normal().parent_path().filename().string();
    if (!named.empty()) run->name += "@" + named;
    run->trained = load_trained_run(dir, checkpoint);
    try {
      run->summary = summary_numbers(dir);
    } catch (const JsonFileError& e) {  // the run itself loaded: inspect it without its summary
      if (log) log(std::string(e.what()) + " (its summary is not shown)");
    }
    const Config& config = run->trained->config;
    RunData data = load_run_data(config, dir);
    run->gold["dev"] = gold_alignments(config, dir, data.dev);
    run->sets.emplace("dev", std::move(data.dev));
    if (data.test) {
      run->gold["test"] = gold_alignments(config, dir, *data.test, config.compare.gold, config.compare.gold_one_based);
      run->sets.emplace("test", std::move(*data.test));
    }
    if (log) {
      log(dir + ": " + variant_name(config) + ", " + cell_name(config.model.cell) + ", checkpoint " +
          fs::path(run->trained->checkpoint).filename().string());
    }
    runs_.push_back(std::move(run));
  }
  if (runs_.empty()) {
    throw std::runtime_error("no run to load yet: every run of the comparison is still without a " + default_checkpoint +
                             " checkpoint (start nmtx inspect again once one has validated)");
  }
}

Inspector::~Inspector() = default;

std::size_t Inspector::size() const { return runs_.size(); }

namespace {

// A request's fields are read through JsonFields, whose errors name the field: the request's
// fault (400).
template <class Compute>
json refusing_bad_fields(Compute compute) {
  try {
    return compute();
  } catch (const JsonFileError& e) {
    throw RequestError(400, e.what());
  }
}

}  // namespace

json Inspector::sentences(const json& request) const {
  return refusing_bad_fields([&] { return answer_sentences(request); });
}
json Inspector::translate(const json& request) const {
  return refusing_bad_fields([&] { return answer_translate(request); });
}
json Inspector::score(const json& request) const {
  return refusing_bad_fields([&] { return answer_score(request); });
}
json Inspector::triage(const json& request) const {
  return refusing_bad_fields([&] { return answer_triage(request); });
}
// A damaged metrics.jsonl or snapshot is the run directory's fault, not the request's: a 500
// naming the file.
json Inspector::training(const json& request) const {
  const Run& r = run_of(request);
  json out = training_view(r.dir);
  out["run"] = request.at("run");
  return out;
}
json Inspector::snapshot(const json& request) const {
  const Run& r = run_of(request);
  const std::int64_t step = refusing_bad_fields([&] {
    const JsonFields f = fields_of(request);
    if (!f.has("step")) throw RequestError(400, "request: field \"step\": missing (a validation's step)");
    return json(f.integer("step", 0, kMaxJsonCount));
  }).get<std::int64_t>();
  json out = snapshot_view(r.dir, step);
  out["run"] = request.at("run");
  return out;
}

const Inspector::Run& Inspector::run_of(const json& request) const {
  const JsonFields f = fields_of(request);
  if (!f.has("run")) throw RequestError(400, "request: field \"run\": missing (the index of a loaded run)");
  const std::int64_t i = f.integer("run", 0, kMaxJsonCount);
  if (static_cast<std::size_t>(i) >= runs_.size()) {
    throw RequestError(404, "request: field \"run\": no run " + std::to_string(i) + " (" + std::to_string(runs_.size()) +
                                " loaded)");
  }
  return *runs_[static_cast<std::size_t>(i)];
}

json Inspector::runs() const {
  json out = json::array();
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    const Run& r = *runs_[i];
    const Config& c = r.trained->config;
    json sets = json::array();
    for (const auto& [name, set] : r.sets) {
      sets.push_back({{"name", name}, {"sentences", set.corpus.size()}, {"gold", !r.gold.at(name).empty()}});
    }
    out.push_back({{"run", i},
                   {"name", r.name},
                   {"dir", r.dir},
                   {"variant", variant_name(c)},
                   {"colour", run_colour(variant_name(c))},
                   {"cell", cell_name(c.model.cell)},
                   {"normalize", normalization_names().name(c.model.attention.normalize)},
                   {"local", is_local(c.model.attention.type)},
                   {"window", c.model.attention.window},
                   {"parameters", r.trained->params->numel()},
                   {"checkpoint", fs::path(r.trained->checkpoint).filename().string()},
                   {"src_vocab", r.trained->src_vocab.size()},
                   {"tgt_vocab", r.trained->tgt_vocab.size()},
                   {"summary", r.summary},
                   {"sets", sets}});
  }
  return {{"runs", out}, {"unfinished", unfinished_}, {"limits", {{"text_bytes", limits_.text_bytes}, {"source_tokens", limits_.source_tokens},
                                      {"target_tokens", limits_.target_tokens}, {"beam", limits_.beam},
                                      {"window", limits_.window}, {"alpha", limits_.alpha}, {"factor", limits_.factor}}}};
}

namespace {

const EvalSet& set_of(const std::map<std::string, EvalSet>& sets, const JsonFields& f) {
  const std::string name = f.has("set") ? f.string("set", 16) : "dev";
  const auto it = sets.find(name);
  if (it == sets.end()) throw RequestError(404, "request: field \"set\": the run has no set \"" + name + "\" (dev, test)");
  return it->second;
}

}  // namespace

json Inspector::answer_sentences(const json& request) const {
  const Run& r = run_of(request);
  const JsonFields f = fields_of(request);
  const EvalSet& set = set_of(r.sets, f);
  json out = json::array();
  for (std::size_t i = 0; i < set.corpus.size(); ++i) {
    out.push_back({{"index", i}, {"line", set.lines[i]}, {"source", set.sources[i]}, {"reference", set.references[i]},
                   {"gold", gold_json(r.gold.at(set.name), i)}});
  }
  return {{"run", request.at("run")}, {"set", set.name}, {"sentences", out}};
}

json Inspector::answer_translate(const json& request) const {
  const Run& r = run_of(request);
  const JsonFields f = fields_of(request);
  const TrainedRun& run = *r.trained;
  std::vector<std::string> source_tokens;
  const std::vector<int> source = request_ids(run, f, "source", true, limits_.text_bytes, limits_.source_tokens, source_tokens);
  const TranslateSettings o = request_settings(f, run.tgt_vocab.size(), source.size(), limits_);
  const auto start = std::chrono::steady_clock::now();
  BeamTree tree;
  const std::vector<Hypothesis> results = translate_sentence(translator_of(run), source, o, &tree);
  const double decode_ms = elapsed_ms(start);

  json hypotheses = json::array();
  for (const Hypothesis& h : results) {
    std::vector<std::string> tokens = vocab_tokens(run.tgt_vocab, h.tokens.data(), h.tokens.size());
    if (h.finished) tokens.push_back("</s>");
    json j = attention_json(h.attention);
    j["text"] = hypothesis_text(h, run.tgt_vocab, *run.tgt_segmenter);
    j["tokens"] = tokens;
    j["ids"] = h.tokens;
    j["token_log_probs"] = h.token_log_probs;
    j["log_prob"] = h.log_prob;
    j["score"] = h.score;
    j["finished"] = h.finished;
    hypotheses.push_back(std::move(j));
  }
  json prefix_scores = nullptr;
  if (!o.prefix.empty()) {
    // The prefix as nmtx score scores it (teacher forcing; the decoder's own steps give
    // the same numbers to float rounding): its tokens' log-probabilities, </s> left out.
    std::vector<double> scores = score_pair(translator_of(run), source, o.prefix, false).token_log_probs;
    scores.pop_back();
    prefix_scores = {{"token_log_probs", scores}, {"log_prob", sequence_log_prob(scores)}};
  }
  json nodes = json::array();
  for (const BeamNode& n : tree.nodes) {
    nodes.push_back({{"parent", n.parent},
                     {"id", n.token},
                     {"token", n.parent < 0 ? std::string("<s>") : run.tgt_vocab.token(n.token)},
                     {"depth", n.depth},
                     {"log_prob", n.log_prob},
                     {"token_log_prob", n.token_log_prob},
                     {"fate", fate_name(n.fate)}});
  }
  return {{"run", request.at("run")},
          {"source_tokens", source_tokens},
          {"source_ids", source},
          {"prefix", o.prefix},
          {"prefix_scores", prefix_scores},
          {"hypotheses", hypotheses},
          {"tree", {{"nodes", nodes}, {"results", tree.results}}},
          {"decode_ms", decode_ms}};
}

json Inspector::answer_score(const json& request) const {
  const Run& r = run_of(request);
  const JsonFields f = fields_of(request);
  const TrainedRun& run = *r.trained;
  std::vector<std::string> source_tokens, target_segments;
  const std::vector<int> source = request_ids(run, f, "source", true, limits_.text_bytes, limits_.source_tokens, source_tokens);
  const std::vector<int> target = request_ids(run, f, "target", false, limits_.text_bytes, limits_.target_tokens, target_segments);
  const auto start = std::chrono::steady_clock::now();
  // As nmtx score and nmtx align compute them: forced decoding of the one pair.
  const ScoredPair scored = score_pair(translator_of(run), source, target);
  const double decode_ms = elapsed_ms(start);
  std::vector<std::string> tokens = vocab_tokens(run.tgt_vocab, target.data(), target.size());
  tokens.push_back("</s>");
  json out = attention_json(scored.attention);
  out["run"] = request.at("run");
  out["source_tokens"] = source_tokens;
  out["tokens"] = tokens;
  out["ids"] = target;
  out["token_log_probs"] = scored.token_log_probs;
  out["log_prob"] = scored.log_prob;
  out["decode_ms"] = decode_ms;
  return out;
}

json Inspector::answer_triage(const json& request) const {
  const Run& r = run_of(request);
  const JsonFields f = fields_of(request);
  const EvalSet& set = set_of(r.sets, f);
  std::lock_guard<std::mutex> lock(r.triage_mutex);  // one computation per run; later requests read the cache
  if (auto it = r.triage.find(set.name); it != r.triage.end()) return it->second;

  const TrainedRun& run = *r.trained;
  const Config& config = run.config;
  const auto start = std::chrono::steady_clock::now();
  // Decoded as validation decodes: the corpus BLEU is the run's dev (test) BLEU.
  const TranslateSettings settings = evaluation_settings(config);
  const BleuOptions bleu = config.validation.bleu_options();
  const SetTranslation translated = translate_set(translator_of(run), set, settings, bleu);
  const std::vector<AlignmentLine>& gold = r.gold.at(set.name);
  std::optional<GoldAgreement> agreement;  // of the references' attention, where gold exists
  if (!gold.empty()) agreement = agreement_with_gold(reference_attention(translator_of(run), set, settings.batch), gold);

  json rows = json::array();
  std::vector<std::size_t> lengths;
  for (std::size_t i = 0; i < translated.hypotheses.size(); ++i) {
    const Hypothesis& h = translated.hypotheses[i];
    const std::string& output = translated.texts[i];
    lengths.push_back(set.corpus.src.length(i));
    json row{{"index", i},
             {"source", set.sources[i]},
             {"reference", set.references[i]},
             {"output", output},
             {"bleu", sentence_bleu(output, {set.references[i]}, bleu).score},
             {"log_prob", h.log_prob},
             {"source_length", set.corpus.src.length(i)},
             {"output_length", h.tokens.size()},
             {"entropy", h.attention.mean_entropy(h.tokens.size())},
             {"coverage", h.attention.coverage_deviation(h.tokens.size())},
             {"aer", agreement ? json(agreement->sentence_aer[i]) : json(nullptr)},
             {"argmax_accuracy", agreement ? json(agreement->sentence_accuracy[i]) : json(nullptr)},
             {"gold", gold_json(gold, i)}};
    rows.push_back(std::move(row));
  }
  json out{{"run", request.at("run")},
           {"set", set.name},
           {"rows", rows},
           {"bleu", translated.bleu.score},
           {"bleu_signature", bleu_signature(bleu, 1)},
           {"buckets", length_buckets_json(bleu_by_source_length(translated.texts, set.references, lengths, bleu))},
           {"aer", agreement ? json(agreement->aer) : json(nullptr)},
           {"seconds", elapsed_ms(start) / 1000.0}};
  r.triage[set.name] = out;
  return out;
}

}  // namespace nmtx
