// nmtx aer --gold F --test F: the alignment error rate of test alignments (Pharaoh, 0-based)
// against gold ones (sure and possible links; 1-based or reversed with the options).
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/data/text.h"
#include "nmtx/eval/aer.h"

namespace nmtx::cli {


int run_aer(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Alignment error rate of test alignments (Pharaoh, 0-based) against gold ones.");
  options.add_options()
      ("gold", "gold alignments: i-j sure, ipj (or i?j) possible links", cxxopts::value<std::string>())
      ("test", "test alignments, 0-based i-j (source-target)", cxxopts::value<std::string>())
      ("gold-one-based", "the gold positions count from 1")
      ("reverse", "the gold lists target-source: swap its sides")
      ("h,help", "show this help");
  const auto args = parse_command_line(options, argc, argv);
  if (print_help(args, options)) return 0;
  if (!args.count("gold") || !args.count("test")) throw cxxopts::exceptions::exception("--gold and --test are required");
  const std::string gold_path = args["gold"].as<std::string>(), test_path = args["test"].as<std::string>();
  const auto gold = read_alignments(gold_path, args.count("gold-one-based") > 0, args.count("reverse") > 0);
  const auto test = read_alignments(test_path, false, false);
  if (gold.size() != test.size()) {
    throw InputError(test_path, 0, "has " + std::to_string(test.size()) + " lines but " + gold_path + " has " +
                                       std::to_string(gold.size()));
  }
  const Aer a = alignment_error_rate(gold, test);
  fmt::print("AER = {:.4f}\nprecision = {:.4f} recall = {:.4f} (test links {}, sure {}, test links in sure {}, in possible {})\n",
             a.aer, a.precision, a.recall, a.test_links, a.sure_links, a.hits_sure, a.hits_possible);
  return 0;
}

}  // namespace nmtx::cli
