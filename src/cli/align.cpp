// nmtx align --model RUN_DIR --src F --tgt F: the attention of a model over given
// translations (forced decoding), as hard alignments (Pharaoh) and with --attention DIR
// the exported matrices, heatmaps and index.html.
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/decode/corpus.h"
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
  const auto run = load_model(args);
  std::vector<SentenceAttention> sentences(pairs.src.size());
  ParallelCorpus corpus;
  for (std::size_t i = 0; i < pairs.src.size(); ++i) {
    SentenceAttention& s = sentences[i];
    s.index = i;
    const std::vector<int> src = run->source_ids(pairs.src[i], s.source);
    if (src.empty()) throw InputError(pairs.src_path, i + 1, "an empty source cannot be aligned");
    const std::vector<int> tgt = run->target_ids(pairs.tgt[i], s.output);
    s.output.push_back("</s>");
    corpus.src.push_back(src.data(), src.size());
    corpus.tgt.push_back(tgt.data(), tgt.size());
  }
  const std::vector<AttentionRecord> forced = forced_attention(*run->model, corpus, args["batch"].as<std::size_t>());
  std::string text;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    sentences[i].attention = forced[i];
    text += pharaoh(hard_alignment(sentences[i], threshold)) + "\n";
  }
  write_output(args, text);
  if (args.count("attention")) {
    export_attention(sentences, args["attention"].as<std::string>(), threshold);
    fmt::print(stderr, "attention of {} sentences written to {}\n", sentences.size(), args["attention"].as<std::string>());
  }
  return 0;
}

}  // namespace nmtx::cli
