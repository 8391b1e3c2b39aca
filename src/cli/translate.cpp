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
#include "nmtx/io/files.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/translation/translate_lines.h"

namespace nmtx::cli {

namespace {

TranslateSettings settings_from(const cxxopts::ParseResult& args) {
  TranslateSettings t;
  t.max_length_ratio = args["max-length-ratio"].as<float>();
  t.batch = args["batch"].as<std::size_t>();
  t.threads = args["threads"].as<std::size_t>();
  t.constraints.hard = args.count("hard-attention") > 0;
  t.constraints.monotonic = args.count("monotonic") > 0;
  t.constraints.window = args["window"].as<std::size_t>();
  t.beam = args["beam"].as<std::size_t>();
  t.alpha = args["alpha"].as<float>();
  t.n_best = args["n-best"].as<std::size_t>();
  t.replace_unk = args.count("replace-unk") > 0;
  t.keep_attention = t.replace_unk || args.count("attention") > 0;  // nothing else reads it
  if (t.max_length_ratio <= 0.0f) throw cxxopts::exceptions::exception("--max-length-ratio must be positive");
  if (t.beam == 0) throw cxxopts::exceptions::exception("--beam must be at least 1");
  if (t.n_best == 0 || t.n_best > t.beam) throw cxxopts::exceptions::exception("--n-best must be between 1 and --beam");
  return t;
}

// The text printed for line i: its best translation, or its n best as `i ||| hyp ||| score`.
std::string output_text(const TrainedRun& run, std::size_t i, const std::vector<Hypothesis>& hypotheses,
                        const std::vector<std::string>& source, const TranslateSettings& s) {
  std::string text;
  if (s.n_best > 1) {
    for (const Hypothesis& h : hypotheses) {
      // The score in the shortest form that reads back as the same number.
      text += fmt::format("{} ||| {} ||| {}\n", i, run.tgt_segmenter->join(output_tokens(run, h, source, s)), h.score);
    }
  } else if (!hypotheses.empty()) {
    text += run.tgt_segmenter->join(output_tokens(run, hypotheses[0], source, s)) + "\n";
  } else {
    text += "\n";
  }
  return text;
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
  const auto args = parse_command_line(options, argc, argv, StrayHint::model);
  if (print_help(args, options)) return 0;
  use_one_blas_thread();  // decoding multiplies on its own threads
  const auto owned = load_models(args);
  const std::vector<const TrainedRun*> runs = pointers(owned);
  const TrainedRun* run = runs[0];  // the ensemble's target side, and the source its output refers to
  const TranslateSettings s = settings_from(args);
  SourceLines sources;  // every line's
  std::vector<std::vector<Hypothesis>> results;
  std::size_t source_count = 0, unknown_count = 0;

  // On a terminal, as fairseq-interactive and Joey NMT's translate: a prompt, and each line
  // translated and printed as soon as it is typed. Otherwise every line at once, in batches
  // of similar length (the same translations, faster).
  if (!args.count("input") && !args.count("output") && ::isatty(STDIN_FILENO)) {
    LineReader reader(std::cin, "standard input");
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
      const SourceLines one = read_source_lines(runs, {line});
      std::vector<std::vector<Hypothesis>> result = translate_lines(runs, one, s);
      const std::vector<std::string> unknown = unknown_tokens(one.ids[0][0], one.tokens[0][0]);
      const std::string text = output_text(*run, i, result[0], one.tokens[0][0], s);
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      if (!unknown.empty()) {
        std::string words;
        for (const std::string& w : unknown) words += (words.empty() ? "" : " ") + w;
        fmt::print(stderr, "({} unknown to the model, read as <unk>: {})\n", unknown.size(), words);
      }
      source_count += one.ids[0][0].size();
      unknown_count += unknown.size();
      if (args.count("attention")) {  // kept for the export at the end
        sources.append(one);
        results.push_back(std::move(result[0]));
      }
    }
    fmt::print(stderr, "\n");
  } else {
    const std::vector<std::string> lines = read_input(args, "input");
    sources = read_source_lines(runs, lines);
    results = translate_lines(runs, sources, s);
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      text += output_text(*run, i, results[i], sources.tokens[0][i], s);
      source_count += sources.ids[0][i].size();
      unknown_count += unknown_tokens(sources.ids[0][i], sources.tokens[0][i]).size();
    }
    write_output(args, text);
  }
  if (unknown_count > 0) {
    fmt::print(stderr, "{} of {} source tokens are not in the model's source vocabulary and were read as <unk>{}\n",
               unknown_count, source_count, args.count("attention") ? " (so labelled in the attention export)" : "");
  }
  if (args.count("attention")) {
    const std::string dir = args["attention"].as<std::string>();
    export_attention(translation_attention(runs, sources, results, s), dir);
    fmt::print(stderr, "attention of {} sentences written to {} (open {})\n", results.size(), dir,
               (std::filesystem::path(directory_path(dir)) / "index.html").string());
  }
  return 0;
}

}  // namespace nmtx::cli
