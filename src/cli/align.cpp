// nmtx align --model RUN_DIR [--model RUN_DIR ...] --src F --tgt F: the attention of a
// model (an ensemble's mean, when its members read the source alike) over given
// translations (forced decoding), as hard alignments (Pharaoh) and with --attention DIR
// the exported matrices, heatmaps and index.html.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/eval/aer.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/translation/given_translations.h"

namespace nmtx::cli {

int run_align(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Attention of a model over given translations (forced decoding): Pharaoh "
                                    "alignments, and with --attention the matrices, heatmaps and index.html.");
  add_model_options(options);
  options.add_options()
      ("src", "source file", cxxopts::value<std::string>())
      ("tgt", "target file (one translation per source line)", cxxopts::value<std::string>())
      ("o,output", "alignments file, written atomically (default: standard output)", cxxopts::value<std::string>())
      ("threshold", "every link whose weight reaches this (0: the argmax per target token)",
       cxxopts::value<float>()->default_value("0"))
      ("attention", "export attention into this directory", cxxopts::value<std::string>())
      ("gold", "gold alignments of the pairs (Pharaoh: i-j sure, ipj possible): outlined on the exported "
               "heatmaps, each sentence's AER beside it, the AER on standard error", cxxopts::value<std::string>())
      ("gold-one-based", "the gold positions count from 1");
  const auto args = parse_command_line(options, argc, argv, StrayHint::model);
  if (print_help(args, options)) return 0;
  const float threshold = args["threshold"].as<float>();
  if (threshold < 0.0f || threshold > 1.0f) throw cxxopts::exceptions::exception("--threshold must be in [0, 1]");
  const LinePairs pairs = read_line_pairs(args);
  const auto owned = load_models(args);
  GivenPairs given = read_given_pairs(pointers(owned), pairs.src, pairs.tgt, pairs.src_path);
  align_given(pointers(owned), given, args["batch"].as<std::size_t>());
  std::vector<SentenceAttention>& sentences = given.sentences;
  if (args.count("gold")) {
    const std::string path = args["gold"].as<std::string>();
    const std::vector<AlignmentLine> gold = read_alignments(path, args.count("gold-one-based") > 0, false);
    if (gold.size() != sentences.size()) {
      throw std::invalid_argument(fmt::format("--gold {}: {} lines for {} sentence pairs", path, gold.size(), sentences.size()));
    }
    std::vector<AlignmentLine> links;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
      sentences[i].gold = gold[i];
      AlignmentLine line;
      for (const auto& link : sentences[i].hard_alignment(threshold)) {
        line.sure.insert(link);
        line.possible.insert(link);
      }
      links.push_back(std::move(line));
    }
    fmt::print(stderr, "AER against {}: {:.4f}\n", path, alignment_error_rate(gold, links).aer);
  }
  std::string text;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    text += pharaoh(sentences[i].hard_alignment(threshold)) + "\n";
  }
  write_output(args, text);
  if (args.count("attention")) {
    export_attention(sentences, args["attention"].as<std::string>(), threshold);
    fmt::print(stderr, "attention of {} sentences written to {}\n", sentences.size(), args["attention"].as<std::string>());
  }
  return 0;
}

}  // namespace nmtx::cli
