// nmtx translate --model RUN_DIR [--model RUN_DIR ...] [--input F] [--output F]: greedy or
// beam search over lines of text, by one model or an ensemble (decode/ensemble.h); n-best
// lists in Moses form; Luong et al.'s unknown-word replacement; the inference-time
// attention constraints; attention export (--attention DIR; per member for ensembles).
#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "nmtx/core/blas.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/decode/ensemble.h"
#include "nmtx/io/files.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/translation/translator.h"

namespace nmtx::cli {

namespace {

struct Settings {
  TranslateSettings translate;
  bool replace_unk = false;
};

Settings settings_from(const cxxopts::ParseResult& args) {
  Settings s;
  TranslateSettings& t = s.translate;
  t.max_length_ratio = args["max-length-ratio"].as<float>();
  t.batch = args["batch"].as<std::size_t>();
  t.threads = args["threads"].as<std::size_t>();
  t.constraints.hard = args.count("hard-attention") > 0;
  t.constraints.monotonic = args.count("monotonic") > 0;
  t.constraints.window = args["window"].as<std::size_t>();
  t.beam = args["beam"].as<std::size_t>();
  t.alpha = args["alpha"].as<float>();
  t.n_best = args["n-best"].as<std::size_t>();
  s.replace_unk = args.count("replace-unk") > 0;
  t.keep_attention = s.replace_unk || args.count("attention") > 0;  // nothing else reads it
  if (t.max_length_ratio <= 0.0f) throw cxxopts::exceptions::exception("--max-length-ratio must be positive");
  if (t.beam == 0) throw cxxopts::exceptions::exception("--beam must be at least 1");
  if (t.n_best == 0 || t.n_best > t.beam) throw cxxopts::exceptions::exception("--n-best must be between 1 and --beam");
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
// batches of similar length; several runs decode as an ensemble.
std::vector<std::vector<Hypothesis>> translate_lines(const std::vector<const TrainedRun*>& runs,
                                                     const MemberSources& sources, const Settings& s,
                                                     bool average_attention) {
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
  std::vector<std::vector<Hypothesis>> out = translate(members, s.translate, average_attention);
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

// The text printed for line i: its best translation, or its n best as `i ||| hyp ||| score`.
std::string output_text(const TrainedRun& run, std::size_t i, const std::vector<Hypothesis>& hypotheses,
                        const std::vector<std::string>& source, const Settings& s) {
  std::string text;
  if (s.translate.n_best > 1) {
    for (const Hypothesis& h : hypotheses) {
      // The score in the shortest form that reads back as the same number.
      text += fmt::format("{} ||| {} ||| {}\n", i, run.tgt_segmenter->join(output_tokens(run, h, source, s.replace_unk)), h.score);
    }
  } else if (!hypotheses.empty()) {
    text += run.tgt_segmenter->join(output_tokens(run, hypotheses[0], source, s.replace_unk)) + "\n";
  } else {
    text += "\n";
  }
  return text;
}

// The source tokens the first model does not know (read as <unk>), in order.
std::vector<std::string> unknown_tokens(const std::vector<int>& ids, const std::vector<std::string>& tokens) {
  std::vector<std::string> unknown;
  for (std::size_t k = 0; k < ids.size() && k < tokens.size(); ++k) {
    if (ids[k] == Vocab::kUnk && tokens[k] != "<unk>") unknown.push_back(tokens[k]);
  }
  return unknown;
}

// Line i's attention as the export shows it: source tokens as the model read them (an
// unknown word is <unk>), output tokens with </s> when it was produced.
SentenceAttention exported(const TrainedRun& run, std::size_t i, const MemberSources& sources,
                           const std::vector<Hypothesis>& hypotheses, const Settings& s) {
  SentenceAttention a;
  a.index = i;
  a.source = sources.tokens[0][i];
  for (std::size_t k = 0; k < a.source.size() && k < sources.ids[0][i].size(); ++k) {
    if (sources.ids[0][i][k] == Vocab::kUnk) a.source[k] = "<unk>";
  }
  if (hypotheses.empty()) return a;
  const Hypothesis& h = hypotheses[0];
  a.output = output_tokens(run, h, sources.tokens[0][i], s.replace_unk);
  if (h.finished) a.output.push_back("</s>");
  a.eos = h.finished;
  a.attention = h.attention;
  a.token_log_probs = h.token_log_probs;
  a.log_prob = h.log_prob;
  return a;
}

}  // namespace

int run_translate(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Translate lines of text with a trained model (greedy, or beam search with --beam). "
                                    "On a terminal it answers each line as it is typed.");
  add_model_options(options);
  const TranslateSettings defaults;
  options.add_options()
      ("i,input", "input file (default: standard input)", cxxopts::value<std::string>())
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>())
      ("beam", "beam size (1: greedy)", cxxopts::value<std::size_t>()->default_value(std::to_string(defaults.beam)))
      ("alpha", "length normalisation ((5 + |y|) / 6)^alpha", cxxopts::value<float>()->default_value(fmt::format("{}", defaults.alpha)))
      ("n-best", "print the n best hypotheses per sentence as `i ||| hyp ||| score`",
       cxxopts::value<std::size_t>()->default_value(std::to_string(defaults.n_best)))
      ("max-length-ratio", "stop after ratio × source length + 10 tokens",
       cxxopts::value<float>()->default_value(fmt::format("{}", defaults.max_length_ratio)))
      ("replace-unk", "replace each <unk> by the most attended source token")
      ("hard-attention", "attend to the single most probable position")
      ("monotonic", "never attend before the previous step's focus")
      ("window", "attend only within this distance of the previous focus (0: off)",
       cxxopts::value<std::size_t>()->default_value(std::to_string(defaults.constraints.window)))
      ("attention", "export attention (JSON, .npy, SVG heatmaps, index.html) into this directory", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (print_help(args, options)) return 0;
  use_one_blas_thread();  // decoding multiplies on its own threads
  const auto owned = load_models(args);
  const std::vector<const TrainedRun*> runs = pointers(owned);
  const TrainedRun* run = runs[0];  // the ensemble's target side, and the source its output refers to
  const bool average_attention = same_source_reading(runs);
  const Settings s = settings_from(args);
  const std::size_t batch = s.translate.batch;
  std::vector<SentenceAttention> sentences;  // --attention: every line's
  std::size_t source_count = 0, unknown_count = 0;

  // On a terminal, as fairseq-interactive and Joey NMT's translate: a prompt, and each line
  // translated and printed as soon as it is typed. Otherwise every line at once, in batches
  // of similar length (the same translations, faster).
  if (!args.count("input") && !args.count("output") && ::isatty(STDIN_FILENO)) {
    LineReader reader(std::cin, "standard input");
    MemberSources all;  // every line so far, for the ensemble's export
    std::vector<std::vector<Hypothesis>> all_results;
    for (std::size_t i = 0;; ++i) {
      fmt::print(stderr, "> ");
      std::fflush(stderr);
      std::string line;
      try {
        if (!reader.next(line)) break;
      } catch (const InputError& e) {
        fmt::print(stderr, "{} (line skipped)\n", e.what());
        line.clear();
      }
      const MemberSources one = read_sources(runs, {line});
      const auto results = translate_lines(runs, one, s, average_attention);
      const std::vector<std::string> unknown = unknown_tokens(one.ids[0][0], one.tokens[0][0]);
      const std::string text = output_text(*run, i, results[0], one.tokens[0][0], s);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      if (!unknown.empty()) {
        std::string words;
        for (const std::string& w : unknown) words += (words.empty() ? "" : " ") + w;
        fmt::print(stderr, "({} unknown to the model, read as <unk>: {})\n", unknown.size(), words);
      }
      source_count += one.ids[0][0].size();
      unknown_count += unknown.size();
      if (args.count("attention")) {
        if (all.ids.empty()) all.ids.resize(runs.size()), all.tokens.resize(runs.size());
        for (std::size_t m = 0; m < runs.size(); ++m) {
          all.ids[m].push_back(one.ids[m][0]);
          all.tokens[m].push_back(one.tokens[m][0]);
        }
        all_results.push_back(results[0]);
        sentences.push_back(exported(*run, i, all, all_results.back(), s));
      }
    }
    fmt::print(stderr, "\n");
    if (args.count("attention") && runs.size() > 1) add_member_attention(runs, all, all_results, batch, sentences);
  } else {
    const std::vector<std::string> lines = read_input(args, "input");
    const MemberSources sources = read_sources(runs, lines);
    const auto results = translate_lines(runs, sources, s, average_attention);
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      text += output_text(*run, i, results[i], sources.tokens[0][i], s);
      source_count += sources.ids[0][i].size();
      unknown_count += unknown_tokens(sources.ids[0][i], sources.tokens[0][i]).size();
    }
    write_output(args, text);
    if (args.count("attention")) {
      for (std::size_t i = 0; i < lines.size(); ++i) sentences.push_back(exported(*run, i, sources, results[i], s));
      if (runs.size() > 1) add_member_attention(runs, sources, results, batch, sentences);
    }
  }
  if (unknown_count > 0) {
    fmt::print(stderr, "{} of {} source tokens are not in the model's source vocabulary and were read as <unk>{}\n",
               unknown_count, source_count, args.count("attention") ? " (so labelled in the attention export)" : "");
  }
  if (args.count("attention")) {
    const std::string dir = args["attention"].as<std::string>();
    export_attention(sentences, dir);
    fmt::print(stderr, "attention of {} sentences written to {} (open {})\n", sentences.size(), dir,
               (std::filesystem::path(directory_path(dir)) / "index.html").string());
  }
  return 0;
}

}  // namespace nmtx::cli
