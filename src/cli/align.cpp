// nmtx align --model RUN_DIR [--model RUN_DIR ...] --src F --tgt F: the attention of a
// model (an ensemble's mean, when its members read the source alike) over given
// translations (forced decoding), as hard alignments (Pharaoh) and with --attention DIR
// the exported matrices, heatmaps and index.html.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/decode/ensemble.h"
#include "nmtx/report/attention_export.h"

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
      ("attention", "export attention into this directory", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (print_help(args, options)) return 0;
  const float threshold = args["threshold"].as<float>();
  if (threshold < 0.0f || threshold > 1.0f) throw cxxopts::exceptions::exception("--threshold must be in [0, 1]");
  const LinePairs pairs = read_line_pairs(args);
  const auto owned = load_models(args);
  const std::vector<const TrainedRun*> runs = pointers(owned);
  // Alignments point into one reading of the source: an ensemble's members must share it.
  if (!same_source_reading(runs)) {
    throw std::invalid_argument(fmt::format("align: {} reads the source differently from {} (segmenter or vocabulary): "
                                            "an ensemble's alignments need one reading; align each model alone",
                                            runs.back()->dir, runs[0]->dir));
  }
  const TrainedRun* run = runs[0];
  std::vector<SentenceAttention> sentences(pairs.src.size());
  ParallelCorpus corpus;
  for (std::size_t i = 0; i < pairs.src.size(); ++i) {
    SentenceAttention& s = sentences[i];
    s.index = i;
    const std::vector<int> src = run->source_ids(pairs.src[i], s.source);
    if (src.empty()) throw InputError(pairs.src_path, i + 1, "an empty source cannot be aligned");
    const std::vector<int> tgt = run->target_ids(pairs.tgt[i], s.output);
    s.output.push_back("</s>");
    s.eos = true;
    corpus.src.push_back(src.data(), src.size());
    corpus.tgt.push_back(tgt.data(), tgt.size());
  }
  // Each member's forced attention; an ensemble aligns with their mean.
  std::vector<std::vector<AttentionRecord>> forced;
  for (const TrainedRun* member : runs) {
    forced.push_back(forced_attention(*member->model, corpus, args["batch"].as<std::size_t>()));
  }
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::vector<AttentionRecord> records;
    for (std::size_t m = 0; m < runs.size(); ++m) records.push_back(forced[m][i]);
    sentences[i].attention = average_attention(records);
    if (runs.size() > 1) {
      for (std::size_t m = 0; m < runs.size(); ++m) {
        sentences[i].members.push_back({runs[m]->dir, sentences[i].source, forced[m][i]});
      }
    }
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
