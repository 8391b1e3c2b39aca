// nmtx translate --model RUN_DIR [--model RUN_DIR ...] [--input F] [--output F]: greedy or
// beam search over lines of text, by one model or an ensemble (decode/ensemble.h); n-best
// lists in Moses form; Luong et al.'s unknown-word replacement; the inference-time
// attention constraints; attention export (--attention DIR; per member for ensembles).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>

#include "commands.h"
#include "common.h"
#include "nmtx/core/blas.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/decode/ensemble.h"
#include "nmtx/io/files.h"
#include "nmtx/report/attention_export.h"

namespace nmtx::cli {

namespace {

struct TranslateSettings {
  DecodeOptions decode;
  BeamOptions beam;
  bool replace_unk = false;
};

TranslateSettings settings_from(const cxxopts::ParseResult& args) {
  TranslateSettings s;
  DecodeOptions& decode = s.decode;
  decode.bos = Vocab::kBos;
  decode.eos = Vocab::kEos;
  decode.max_length = 1000;
  decode.max_length_ratio = args["max-length-ratio"].as<float>();
  decode.threads = args["threads"].as<std::size_t>();
  decode.constraints.hard = args.count("hard-attention") > 0;
  decode.constraints.monotonic = args.count("monotonic") > 0;
  decode.constraints.window = args["window"].as<std::size_t>();
  s.beam.beam_size = args["beam"].as<std::size_t>();
  s.beam.alpha = args["alpha"].as<float>();
  s.beam.n_best = args["n-best"].as<std::size_t>();
  s.replace_unk = args.count("replace-unk") > 0;
  decode.keep_attention = s.replace_unk || args.count("attention") > 0;  // nothing else reads it
  if (decode.max_length_ratio <= 0.0f) throw cxxopts::exceptions::exception("--max-length-ratio must be positive");
  if (s.beam.beam_size == 0) throw cxxopts::exceptions::exception("--beam must be at least 1");
  if (s.beam.n_best == 0 || s.beam.n_best > s.beam.beam_size) {
    throw cxxopts::exceptions::exception("--n-best must be between 1 and --beam");
  }
  return s;
}

// The input lines as each member reads them: [member][line].
struct MemberSources {
  std::vector<std::vector<std::vector<int>>> ids;
  std::vector<std::vector<std::vector<std::string>>> tokens;
};

MemberSources read_sources(const std::vector<const TrainedRun*>& runs, const std::vector<std::string>& lines) {
  MemberSources m;
  for (const TrainedRun* run : runs) {
    m.ids.emplace_back(lines.size());
    m.tokens.emplace_back(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) m.ids.back()[i] = run->source_ids(lines[i], m.tokens.back()[i]);
  }
  return m;
}

// Every line's n-best hypotheses (none for an empty line, which is not decoded), decoded in
// batches of similar length (ensemble_decode_batched); several runs decode as an ensemble.
std::vector<std::vector<Hypothesis>> translate_lines(const std::vector<const TrainedRun*>& runs,
                                                     const MemberSources& sources, const TranslateSettings& s,
                                                     std::size_t batch, bool average_attention) {
  const std::size_t lines = sources.ids[0].size();
  std::vector<std::size_t> decoded;  // the line of each non-empty source
  for (std::size_t i = 0; i < lines; ++i) {
    bool empty = false;
    for (const auto& member : sources.ids) empty = empty || member[i].empty();
    if (!empty) decoded.push_back(i);
  }
  std::vector<EnsembleMember> members(runs.size());
  for (std::size_t m = 0; m < runs.size(); ++m) {
    members[m].model = runs[m]->model.get();
    for (std::size_t i : decoded) members[m].sources.push_back(sources.ids[m][i]);
  }
  std::vector<std::vector<Hypothesis>> out = ensemble_decode_batched(members, batch, s.decode, s.beam, average_attention);
  std::vector<std::vector<Hypothesis>> results(lines);
  for (std::size_t j = 0; j < out.size(); ++j) results[decoded[j]] = std::move(out[j]);
  return results;
}

// An ensemble's members' own attention over each exported translation (forced decoding).
void add_member_attention(const std::vector<const TrainedRun*>& runs, const MemberSources& sources,
                          const std::vector<std::vector<Hypothesis>>& results, std::size_t batch,
                          std::vector<SentenceAttention>& sentences) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].empty()) rows.push_back(i);
  }
  for (std::size_t m = 0; m < runs.size(); ++m) {
    ParallelCorpus corpus;
    for (std::size_t i : rows) {
      corpus.src.push_back(sources.ids[m][i].data(), sources.ids[m][i].size());
      corpus.tgt.push_back(results[i][0].tokens.data(), results[i][0].tokens.size());
    }
    const std::vector<AttentionRecord> forced = forced_attention(*runs[m]->model, corpus, batch);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      AttentionRecord a = forced[k];
      // Forced decoding always ends with </s>; a translation cut at the length limit did not.
      const std::size_t steps = results[rows[k]][0].attention.steps();
      if (a.weights.size() > steps) a.weights.resize(steps);
      if (a.positions.size() > steps) a.positions.resize(steps);
      sentences[rows[k]].members.push_back({runs[m]->dir, sources.tokens[m][rows[k]], std::move(a)});
    }
  }
}

// A hypothesis's tokens; with --replace-unk each <unk> becomes its most attended source token.
std::vector<std::string> output_tokens(const TrainedRun& run, const Hypothesis& h, const std::vector<std::string>& source,
                                       bool replace_unk) {
  std::vector<std::string> tokens;
  for (std::size_t t = 0; t < h.tokens.size(); ++t) {
    if (h.tokens[t] == Vocab::kUnk && replace_unk && t < h.attention.steps()) {
      tokens.push_back(source[h.attention.argmax(t)]);
    } else {
      tokens.push_back(run.tgt_vocab.token(h.tokens[t]));
    }
  }
  return tokens;
}

}  // namespace

int run_translate(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Translate lines of text with a trained model (greedy, or beam search with --beam).");
  add_model_options(options);
  options.add_options()
      ("i,input", "input file (default: standard input)", cxxopts::value<std::string>())
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>())
      ("beam", "beam size (1: greedy)", cxxopts::value<std::size_t>()->default_value("1"))
      ("alpha", "length normalisation ((5 + |y|) / 6)^alpha", cxxopts::value<float>()->default_value("0"))
      ("n-best", "print the n best hypotheses per sentence as `i ||| hyp ||| score`", cxxopts::value<std::size_t>()->default_value("1"))
      ("max-length-ratio", "stop after ratio × source length + 10 tokens", cxxopts::value<float>()->default_value("2"))
      ("replace-unk", "replace each <unk> by the most attended source token")
      ("hard-attention", "attend to the single most probable position")
      ("monotonic", "never attend before the previous step's focus")
      ("window", "attend only within this distance of the previous focus (0: off)", cxxopts::value<std::size_t>()->default_value("0"))
      ("attention", "export attention (JSON, .npy, SVG heatmaps, index.html) into this directory", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (print_help(args, options)) return 0;
  use_one_blas_thread();  // decoding multiplies on its own threads
  const auto owned = load_models(args);
  const std::vector<const TrainedRun*> runs = pointers(owned);
  const TrainedRun* run = runs[0];  // the ensemble's target side, and the source its output refers to
  const bool average_attention = same_source_reading(runs);
  const TranslateSettings s = settings_from(args);
  const std::vector<std::string> lines = read_input(args, "input");
  const MemberSources sources = read_sources(runs, lines);
  const std::vector<std::vector<std::string>>& source_tokens = sources.tokens[0];
  const auto results = translate_lines(runs, sources, s, args["batch"].as<std::size_t>(), average_attention);

  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (s.beam.n_best > 1) {
      for (const Hypothesis& h : results[i]) {
        // The score in the shortest form that reads back as the same number.
        text += fmt::format("{} ||| {} ||| {}\n", i, run->tgt_segmenter->join(output_tokens(*run, h, source_tokens[i], s.replace_unk)), h.score);
      }
    } else if (!results[i].empty()) {
      text += run->tgt_segmenter->join(output_tokens(*run, results[i][0], source_tokens[i], s.replace_unk)) + "\n";
    } else {
      text += "\n";
    }
  }
  write_output(args, text);
  if (args.count("attention")) {
    std::vector<SentenceAttention> sentences(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      sentences[i].index = i;
      sentences[i].source = source_tokens[i];
      if (results[i].empty()) continue;
      const Hypothesis& h = results[i][0];
      sentences[i].output = output_tokens(*run, h, source_tokens[i], s.replace_unk);
      if (h.finished) sentences[i].output.push_back("</s>");
      sentences[i].attention = h.attention;
      sentences[i].token_log_probs = h.token_log_probs;
      sentences[i].log_prob = h.log_prob;
    }
    if (runs.size() > 1) add_member_attention(runs, sources, results, args["batch"].as<std::size_t>(), sentences);
    const std::string dir = args["attention"].as<std::string>();
    export_attention(sentences, dir);
    fmt::print(stderr, "attention of {} sentences written to {} (open {})\n", sentences.size(), dir,
               (std::filesystem::path(directory_path(dir)) / "index.html").string());
  }
  return 0;
}

}  // namespace nmtx::cli
