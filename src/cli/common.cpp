#include "common.h"

#include <fmt/core.h>

#include <cstdio>
#include <iostream>

#include "nmtx/data/text.h"
#include "nmtx/io/files.h"
#include "nmtx/translation/translator.h"

namespace nmtx::cli {

std::vector<std::string> read_input(const cxxopts::ParseResult& args, const char* key) {
  if (args.count(key)) return read_lines(args[key].as<std::string>());
  return read_lines(std::cin, "standard input");
}

void write_output(const cxxopts::ParseResult& args, const std::string& text) {
  if (args.count("output")) {
    write_file_atomically(args["output"].as<std::string>(), text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
}

void add_model_options(cxxopts::Options& options) {
  options.add_options()
      ("model", "run directory of a trained model; repeat it for an ensemble (log-probabilities averaged)",
       cxxopts::value<std::vector<std::string>>())
      ("checkpoint", "best, latest, or a checkpoint name (step-N) or directory", cxxopts::value<std::string>()->default_value("best"))
      ("batch", "sentences per batch", cxxopts::value<std::size_t>()->default_value(std::to_string(TranslateSettings{}.batch)))
      ("threads", "threads", cxxopts::value<std::size_t>()->default_value(std::to_string(TranslateSettings{}.threads)))
      ("h,help", "show this help");
}

void refuse_checkpoint_path(const std::string& path, const std::string& typed, const std::string& instead) {
  if (const auto c = run_checkpoint_of(path)) {
    throw cxxopts::exceptions::exception(typed + " is a checkpoint, not a run directory: give " + instead + c->run +
                                         " --checkpoint " + c->name);
  }
}

std::vector<std::unique_ptr<TrainedRun>> load_models(const cxxopts::ParseResult& args) {
  if (!args.count("model")) throw cxxopts::exceptions::exception("--model RUN_DIR is required");
  std::vector<std::unique_ptr<TrainedRun>> runs;
  for (const std::string& dir : args["model"].as<std::vector<std::string>>()) {
    refuse_checkpoint_path(dir, "--model " + dir, "--model ");
    runs.push_back(load_trained_run(dir, args["checkpoint"].as<std::string>()));
  }
  check_ensemble(pointers(runs));
  return runs;
}

std::vector<const TrainedRun*> pointers(const std::vector<std::unique_ptr<TrainedRun>>& runs) {
  std::vector<const TrainedRun*> out;
  for (const auto& run : runs) out.push_back(run.get());
  return out;
}

LinePairs read_line_pairs(const cxxopts::ParseResult& args) {
  if (!args.count("src") || !args.count("tgt")) throw cxxopts::exceptions::exception("--src and --tgt are required");
  LinePairs p;
  p.src_path = args["src"].as<std::string>();
  p.tgt_path = args["tgt"].as<std::string>();
  p.src = read_lines(p.src_path);
  p.tgt = read_lines(p.tgt_path);
  if (p.src.size() != p.tgt.size()) {
    throw InputError(p.tgt_path, 0, "has " + std::to_string(p.tgt.size()) + " lines but " + p.src_path + " has " +
                                        std::to_string(p.src.size()));
  }
  return p;
}

void add_reference_options(cxxopts::Options& options) {
  options.positional_help("REF [REF...]  (hypotheses on standard input)").show_positional_help();
  options.add_options()
      ("refs", "reference files", cxxopts::value<std::vector<std::string>>())
      ("i,input", "read the hypotheses from this file instead of standard input; several files (-i A B C): "
                  "systems compared, the first the baseline", cxxopts::value<std::vector<std::string>>())
      ("lowercase", "compare lowercased text")
      ("m,metrics", "several systems: the metrics to report (bleu, chrf, ter; default: this command's)",
       cxxopts::value<std::vector<std::string>>())
      ("paired-bs", "paired bootstrap resampling against the first system (sacreBLEU's --paired-bs)")
      ("paired-ar", "paired approximate randomisation against the first system (sacreBLEU's --paired-ar)")
      ("paired-n", "resamples (--paired-bs, default 1000) or trials (--paired-ar, default 10000)",
       cxxopts::value<std::size_t>()->default_value("0"))
      ("f,format", "several systems: text or json (sacreBLEU's -f json)", cxxopts::value<std::string>()->default_value("text"))
      ("w,width", "several systems: decimals in the table", cxxopts::value<int>()->default_value("1"))
      ("h,help", "show this help");
  options.parse_positional({"refs"});
}

namespace {

std::vector<std::string> spread_values(int argc, char** argv) {
  std::vector<std::string> out;
  std::string option;  // the multi-valued option whose values follow, if any
  for (int k = 0; k < argc; ++k) {
    const std::string a = argv[k];
    const bool is_option = a.size() > 1 && a[0] == '-';
    if (is_option) {
      option = a == "-i" || a == "--input" || a == "-m" || a == "--metrics" ? a : "";
      out.push_back(a);
      if (!option.empty() && k + 1 < argc) out.push_back(argv[++k]);  // its first value
      continue;
    }
    if (!option.empty()) {
      out.push_back(option);  // a further value of the same option
    }
    out.push_back(a);
  }
  return out;
}

}  // namespace

cxxopts::ParseResult parse_scoring_command_line(cxxopts::Options& options, int argc, char** argv) {
  std::vector<std::string> spread = spread_values(argc, argv);
  std::vector<char*> spread_argv;
  for (std::string& a : spread) spread_argv.push_back(a.data());
  return parse_command_line(options, static_cast<int>(spread_argv.size()), spread_argv.data());  // values copied
}

bool compares_systems(const cxxopts::ParseResult& args, const ScoredText& in) {
  return in.systems.size() > 1 || args.count("paired-bs") || args.count("paired-ar") || args.count("metrics");
}

ScoredText read_scored_text(const cxxopts::ParseResult& args) {
  if (!args.count("refs")) throw cxxopts::exceptions::exception("give at least one reference file");
  ScoredText in;
  if (args.count("input")) {
    for (const std::string& path : args["input"].as<std::vector<std::string>>()) {
      in.names.push_back(path);
      in.systems.push_back(read_lines(path));
    }
  } else {
    in.names.push_back("standard input");
    in.systems.push_back(read_lines(std::cin, "standard input"));
  }
  for (std::size_t s = 1; s < in.systems.size(); ++s) {
    if (in.systems[s].size() != in.systems[0].size()) {
      throw InputError(in.names[s], 0, "has " + std::to_string(in.systems[s].size()) + " lines but " + in.names[0] +
                                           " has " + std::to_string(in.systems[0].size()) + ": the systems translate the same sentences");
    }
  }
  for (const std::string& path : args["refs"].as<std::vector<std::string>>()) {
    in.references.push_back(read_lines(path));
    if (in.references.back().size() != in.hypotheses().size()) {
      throw InputError(path, 0, "has " + std::to_string(in.references.back().size()) + " lines but the hypotheses (" +
                                    in.names[0] + ") have " + std::to_string(in.hypotheses().size()) +
                                    ": one reference line per hypothesis line");
    }
  }
  return in;
}

bool print_help(const cxxopts::ParseResult& args, const cxxopts::Options& options, const std::vector<std::string>& groups) {
  if (!args.count("help")) return false;
  fmt::print("{}", options.help(groups));
  return true;
}

std::vector<AlignmentLine> read_alignments(const std::string& path, bool one_based, bool reverse) {
  std::vector<AlignmentLine> lines;
  std::size_t number = 0;
  for (const std::string& line : read_lines(path)) {
    ++number;
    try {
      lines.push_back(parse_alignment(line, one_based, reverse));
    } catch (const std::invalid_argument& e) {
      throw InputError(path, number, e.what());
    }
  }
  return lines;
}

}  // namespace nmtx::cli
