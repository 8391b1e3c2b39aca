// nmtx chrf REF [REF...] < HYP: chrF (or chrF++ with --word-order 2) as sacreBLEU computes
// it; its line, then its signature on a line of its own.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/eval/chrf.h"

namespace nmtx::cli {

int run_chrf(int argc, char** argv) {
  cxxopts::Options options(argv[0], "chrF (or chrF++ with --word-order 2) as sacreBLEU computes it.");
  add_reference_options(options);
  options.add_options()
      ("char-order", "character n-gram order", cxxopts::value<int>()->default_value("6"))
      ("word-order", "word n-gram order (2: chrF++)", cxxopts::value<int>()->default_value("0"))
      ("beta", "weight of recall", cxxopts::value<int>()->default_value("2"))
      ("whitespace", "keep whitespace in character n-grams")
      ("eps-smoothing", "chrF++.py's epsilon smoothing instead of the effective order")
      ("score-only", "print the score alone");
  const auto args = parse_scoring_command_line(options, argc, argv);  // -i A B C, -m bleu chrf ter
  if (print_help(args, options)) return 0;
  ChrfOptions o;
  o.char_order = args["char-order"].as<int>();
  o.word_order = args["word-order"].as<int>();
  o.beta = args["beta"].as<int>();
  if (o.char_order < 1 || o.word_order < 0 || o.beta < 1) {
    throw cxxopts::exceptions::exception("--char-order and --beta must be positive, --word-order not negative");
  }
  o.lowercase = args.count("lowercase") > 0;
  o.whitespace = args.count("whitespace") > 0;
  o.eps_smoothing = args.count("eps-smoothing") > 0;
  const ScoredText in = read_scored_text(args);
  if (compares_systems(args, in)) {
    return print_system_comparison(args, in, "chrf", BleuOptions{}, o);
  }
  const Chrf chrf = corpus_chrf(in.hypotheses(), in.references, o);
  if (args.count("score-only")) {
    fmt::print("{:.2f}\n", chrf.score);
    return 0;
  }
  fmt::print("{}\n{}\n", chrf.str(), chrf_signature(o, in.references.size()));
  return 0;
}

}  // namespace nmtx::cli
