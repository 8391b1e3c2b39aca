// nmtx score --model RUN_DIR [--model RUN_DIR ...] --src F --tgt F: log p(target | source)
// of each pair (an ensemble's averaged log p̄, decode/ensemble.h) by forced decoding (natural log, </s> included), one per line in the shortest form that
// reads back as the same number, and the corpus perplexity on standard error. With
// --per-token, each line holds the pair's target tokens' log-probabilities and then
// </s>'s, separated by spaces (they sum, in order, to the pair's log-probability).
#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/decode/ensemble.h"

namespace nmtx::cli {

int run_score(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Log-probability of each given translation under a model (forced decoding).");
  add_model_options(options);
  options.add_options()
      ("src", "source file", cxxopts::value<std::string>())
      ("tgt", "target file (one translation per source line)", cxxopts::value<std::string>())
      ("per-token", "print each target token's log-probability (and </s>'s) instead of the sum")
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (print_help(args, options)) return 0;
  const LinePairs pairs = read_line_pairs(args);
  const auto owned = load_models(args);
  const std::vector<const TrainedRun*> runs = pointers(owned);
  // Each member reads the source its own way; the target ids are the same for all
  // (check_ensemble), read with member 0's segmenter and vocabulary.
  std::vector<ParallelCorpus> corpora(runs.size());
  std::vector<const Seq2Seq*> models;
  std::vector<std::string> tokens;
  for (std::size_t m = 0; m < runs.size(); ++m) {
    models.push_back(runs[m]->model.get());
    for (std::size_t i = 0; i < pairs.src.size(); ++i) {
      const std::vector<int> src = runs[m]->source_ids(pairs.src[i], tokens);
      if (src.empty()) throw InputError(pairs.src_path, i + 1, "an empty source cannot be scored");
      const std::vector<int> tgt = runs[0]->target_ids(pairs.tgt[i], tokens);
      corpora[m].src.push_back(src.data(), src.size());
      corpora[m].tgt.push_back(tgt.data(), tgt.size());
    }
  }
  const ParallelCorpus& corpus = corpora[0];
  const auto per_token = ensemble_forced_token_log_probs(models, corpora, args["batch"].as<std::size_t>());
  double total = 0;
  std::string text;
  for (const std::vector<double>& tokens : per_token) {
    const double lp = sequence_log_prob(tokens);
    total += lp;
    // The shortest form that reads back as the same number.
    text += args.count("per-token") ? fmt::format("{}\n", fmt::join(tokens, " ")) : fmt::format("{}\n", lp);
  }
  write_output(args, text);
  const std::size_t tokens_scored = corpus.tgt.tokens() + corpus.size();  // </s> of every pair included
  fmt::print(stderr, "{} pairs, {} target tokens (</s> included): log-probability {:.4f}, perplexity {:.4f}\n",
             corpus.size(), tokens_scored, total, std::exp(-total / static_cast<double>(tokens_scored)));
  return 0;
}

}  // namespace nmtx::cli
