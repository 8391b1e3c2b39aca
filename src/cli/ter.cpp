// nmtx ter REF [REF...] < HYP: TER as sacreBLEU computes it; its line, then its signature.
// Several systems (-i A B ...) with --paired-bs / --paired-ar: as nmtx bleu's.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/eval/ter.h"

namespace nmtx::cli {

int run_ter(int argc, char** argv) {
  cxxopts::Options options(argv[0], "TER (translation edit rate) as sacreBLEU computes it.");
  add_reference_options(options);
  options.add_options()
      ("ter-case-sensitive", "compare with case (sacreBLEU's --ter-case-sensitive)")
      ("ter-normalized", "tercom's punctuation normalisation (sacreBLEU's --ter-normalized)")
      ("ter-no-punct", "remove punctuation (sacreBLEU's --ter-no-punct)")
      ("sentence", "one TER per line (edits / reference length), then the corpus line")
      ("score-only", "print the score alone");
  const auto args = parse_scoring_command_line(options, argc, argv);  // -i A B C, -m bleu chrf ter
  if (print_help(args, options)) return 0;
  TerOptions o;
  o.case_sensitive = args.count("ter-case-sensitive") > 0;
  o.normalized = args.count("ter-normalized") > 0;
  o.no_punct = args.count("ter-no-punct") > 0;
  const ScoredText in = read_scored_text(args);
  if (compares_systems(args, in)) {
    return print_system_comparison(args, in, "ter", {}, {}, o);
  }
  if (args.count("sentence")) {
    std::vector<std::string> refs(in.references.size());
    for (std::size_t i = 0; i < in.hypotheses().size(); ++i) {
      for (std::size_t k = 0; k < refs.size(); ++k) refs[k] = in.references[k][i];
      const std::vector<double> s = ter_sentence_stats(in.hypotheses()[i], refs, o);
      fmt::print("{} (edits = {}, ref_len = {})\n", Ter{ter_from_stats(s), s[0], s[1]}.str(), s[0], s[1]);
    }
  }
  const Ter ter = corpus_ter(in.hypotheses(), in.references, o);
  const int width = args.count("width") ? args["width"].as<int>() : 2;  // -w: decimals, as sacreBLEU's
  if (args.count("score-only")) {
    fmt::print("{:.{}f}\n", ter.score, width);
    return 0;
  }
  fmt::print("{}\n{}\n", ter.str(width), ter_signature(o, in.references.size()));
  return 0;
}

}  // namespace nmtx::cli
