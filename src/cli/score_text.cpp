// nmtx bleu REF [REF...] < HYP    corpus (or --sentence) BLEU as sacreBLEU computes it
// nmtx chrf REF [REF...] < HYP    chrF / chrF++ as sacreBLEU computes it
// Each prints sacreBLEU's line, then its signature on a line of its own.
#include "options.h"
#include <fmt/core.h>

#include <iostream>

#include "commands.h"
#include "nmtx/data/text.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/eval/chrf.h"

namespace nmtx::cli {

namespace {

struct TextInputs {
  std::vector<std::string> hypotheses;
  std::vector<std::vector<std::string>> references;
};

// The hypotheses (a file, or stdin) and every reference file, with equal line counts.
TextInputs read_inputs(const cxxopts::ParseResult& args) {
  if (!args.count("refs")) throw cxxopts::exceptions::exception("give at least one reference file");
  TextInputs in;
  std::string hyp_name = "standard input";
  if (args.count("input")) {
    hyp_name = args["input"].as<std::string>();
    in.hypotheses = read_lines(hyp_name);
  } else {
    in.hypotheses = read_lines(std::cin, hyp_name);
  }
  for (const std::string& path : args["refs"].as<std::vector<std::string>>()) {
    in.references.push_back(read_lines(path));
    if (in.references.back().size() != in.hypotheses.size()) {
      throw InputError(path, 0, "has " + std::to_string(in.references.back().size()) + " lines but the hypotheses (" +
                                    hyp_name + ") have " + std::to_string(in.hypotheses.size()) +
                                    ": one reference line per hypothesis line");
    }
  }
  return in;
}

void add_input_options(cxxopts::Options& options) {
  options.positional_help("REF [REF...]  (hypotheses on standard input)").show_positional_help();
  options.add_options()
      ("refs", "reference files", cxxopts::value<std::vector<std::string>>())
      ("i,input", "read the hypotheses from this file instead of standard input", cxxopts::value<std::string>())
      ("lowercase", "compare lowercased text")
      ("h,help", "show this help");
  options.parse_positional({"refs"});
}

}  // namespace

int run_bleu(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Corpus BLEU as sacreBLEU computes it (13a tokenisation, exp smoothing by default).");
  add_input_options(options);
  options.add_options()
      ("tokenize", "13a, intl or none", cxxopts::value<std::string>()->default_value("13a"))
      ("smooth", "exp, floor, add-k or none", cxxopts::value<std::string>()->default_value("exp"))
      ("smooth-value", "the value of floor (default 0.1) or add-k (default 1)", cxxopts::value<double>())
      ("sentence", "one sentence BLEU per line (effective order), then the corpus line")
      ("score-only", "print the score alone");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  BleuOptions o;
  o.tokenize = parse_bleu_tokenizer(args["tokenize"].as<std::string>());
  o.smooth = parse_bleu_smoothing(args["smooth"].as<std::string>());
  if (args.count("smooth-value")) o.smooth_value = args["smooth-value"].as<double>();
  o.lowercase = args.count("lowercase") > 0;
  const TextInputs in = read_inputs(args);
  if (args.count("sentence")) {
    std::vector<std::string> refs(in.references.size());
    for (std::size_t i = 0; i < in.hypotheses.size(); ++i) {
      for (std::size_t k = 0; k < refs.size(); ++k) refs[k] = in.references[k][i];
      fmt::print("{}\n", sentence_bleu(in.hypotheses[i], refs, o).str());
    }
  }
  const Bleu bleu = corpus_bleu(in.hypotheses, in.references, o);
  if (args.count("score-only")) {
    fmt::print("{:.2f}\n", bleu.score);
    return 0;
  }
  fmt::print("{}\n{}\n", bleu.str(), bleu_signature(o, in.references.size()));
  return 0;
}

int run_chrf(int argc, char** argv) {
  cxxopts::Options options(argv[0], "chrF (or chrF++ with --word-order 2) as sacreBLEU computes it.");
  add_input_options(options);
  options.add_options()
      ("char-order", "character n-gram order", cxxopts::value<int>()->default_value("6"))
      ("word-order", "word n-gram order (2: chrF++)", cxxopts::value<int>()->default_value("0"))
      ("beta", "weight of recall", cxxopts::value<int>()->default_value("2"))
      ("whitespace", "keep whitespace in character n-grams")
      ("eps-smoothing", "chrF++.py's epsilon smoothing instead of the effective order")
      ("score-only", "print the score alone");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
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
  const TextInputs in = read_inputs(args);
  const Chrf chrf = corpus_chrf(in.hypotheses, in.references, o);
  if (args.count("score-only")) {
    fmt::print("{:.2f}\n", chrf.score);
    return 0;
  }
  fmt::print("{}\n{}\n", chrf.str(), chrf_signature(o, in.references.size()));
  return 0;
}

}  // namespace nmtx::cli
