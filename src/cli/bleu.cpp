// nmtx bleu REF [REF...] < HYP: corpus (or --sentence) BLEU as sacreBLEU computes it; its
// line, then its signature on a line of its own.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/eval/bleu.h"

namespace nmtx::cli {

int run_bleu(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Corpus BLEU as sacreBLEU computes it (13a tokenisation, exp smoothing by default).");
  add_reference_options(options);
  options.add_options()
      ("tokenize", "13a, intl or none", cxxopts::value<std::string>()->default_value("13a"))
      ("smooth", "exp, floor, add-k or none", cxxopts::value<std::string>()->default_value("exp"))
      ("smooth-value", "the value of floor (default 0.1) or add-k (default 1)", cxxopts::value<double>())
      ("sentence", "one sentence BLEU per line (effective order), then the corpus line")
      ("score-only", "print the score alone");
  const auto args = parse_scoring_command_line(options, argc, argv);  // -i A B C, -m bleu chrf ter
  if (print_help(args, options)) return 0;
  BleuOptions o;
  o.tokenize = parse_bleu_tokenizer(args["tokenize"].as<std::string>());
  o.smooth = parse_bleu_smoothing(args["smooth"].as<std::string>());
  if (args.count("smooth-value")) o.smooth_value = args["smooth-value"].as<double>();
  o.lowercase = args.count("lowercase") > 0;
  const ScoredText in = read_scored_text(args);
  if (compares_systems(args, in)) {
    return print_system_comparison(args, in, "bleu", o, ChrfOptions{});
  }
  if (args.count("sentence")) {
    std::vector<std::string> refs(in.references.size());
    for (std::size_t i = 0; i < in.hypotheses().size(); ++i) {
      for (std::size_t k = 0; k < refs.size(); ++k) refs[k] = in.references[k][i];
      fmt::print("{}\n", sentence_bleu(in.hypotheses()[i], refs, o).str());
    }
  }
  const Bleu bleu = corpus_bleu(in.hypotheses(), in.references, o);
  if (args.count("score-only")) {
    fmt::print("{:.2f}\n", bleu.score);
    return 0;
  }
  fmt::print("{}\n{}\n", bleu.str(), bleu_signature(o, in.references.size()));
  return 0;
}

}  // namespace nmtx::cli
