// nmtx score --model RUN_DIR [--model RUN_DIR ...] --src F --tgt F: log p(target | source)
// of each pair (an ensemble's averaged log p̄) by forced decoding (translation/
// given_translations.h; natural log, </s> included), one per line in the shortest form that
// reads back as the same number, and the corpus perplexity on standard error. With
// --per-token, each line holds the pair's target tokens' log-probabilities and then
// </s>'s, separated by spaces (they sum, in order, to the pair's log-probability).
#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/translation/given_translations.h"

namespace nmtx::cli {

int run_score(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Log-probability of each given translation under a model (forced decoding).");
  add_model_options(options);
  options.add_options()
      ("src", "source file", cxxopts::value<std::string>())
      ("tgt", "target file (one translation per source line)", cxxopts::value<std::string>())
      ("per-token", "print each target token's log-probability (and </s>'s) instead of the sum")
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>());
  const auto args = parse_command_line(options, argc, argv, StrayHint::model);
  if (print_help(args, options)) return 0;
  const LinePairs pairs = read_line_pairs(args);
  const auto owned = load_models(args);
  const GivenPairs given = read_given_pairs(pointers(owned), pairs.src, pairs.tgt, pairs.src_path);
  double total = 0;
  std::string text;
  for (const ScoredPair& p : score_given(pointers(owned), given, args["batch"].as<std::size_t>())) {
    total += p.log_prob;
    // The shortest form that reads back as the same number.
    text += args.count("per-token") ? fmt::format("{}\n", fmt::join(p.token_log_probs, " "))
                                    : fmt::format("{}\n", p.log_prob);
  }
  write_output(args, text);
  const ParallelCorpus& corpus = given.corpora[0];
  const std::size_t tokens_scored = corpus.tgt.tokens() + corpus.size();  // </s> of every pair included
  fmt::print(stderr, "{} pairs, {} target tokens (</s> included): log-probability {:.4f}, perplexity {:.4f}\n",
             corpus.size(), tokens_scored, total, std::exp(-total / static_cast<double>(tokens_scored)));
  return 0;
}

}  // namespace nmtx::cli
