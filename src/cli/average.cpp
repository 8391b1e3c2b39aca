// nmtx average RUN --last N | --checkpoints A,B,...: checkpoint averaging (run/average.h),
// written to RUN/checkpoints/average-last-N (or --name) for translate, score, align and
// inspect to load with --checkpoint.
#include <fmt/core.h>

#include <sstream>

#include "commands.h"
#include "common.h"
#include "nmtx/run/average.h"

namespace nmtx::cli {

int run_average(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Average checkpoints of a run: each parameter the float32 rounding of the mean "
                                    "(in double) over the checkpoints.");
  options.positional_help("RUN").show_positional_help();
  options.add_options()
      ("run", "the run directory", cxxopts::value<std::string>())
      ("last", "average the newest N step checkpoints", cxxopts::value<std::size_t>())
      ("checkpoints", "average these checkpoints (comma-separated names, e.g. step-00003000,step-00003500)",
       cxxopts::value<std::string>())
      ("name", "the averaged checkpoint's name (default average-last-N, or average-FIRST-LAST)", cxxopts::value<std::string>())
      ("h,help", "show this help");
  options.parse_positional({"run"});
  const auto args = parse_command_line(options, argc, argv);
  if (print_help(args, options)) return 0;
  if (!args.count("run")) throw cxxopts::exceptions::exception("give a run directory");
  if (args.count("last") == args.count("checkpoints")) {
    throw cxxopts::exceptions::exception("give either --last N or --checkpoints A,B,...");
  }
  const std::string run = args["run"].as<std::string>();
  std::vector<std::string> checkpoints;
  std::string name;
  if (args.count("last")) {
    const std::size_t n = args["last"].as<std::size_t>();
    checkpoints = last_checkpoints(run, n);
    name = "average-last-" + std::to_string(n);
  } else {
    std::stringstream in(args["checkpoints"].as<std::string>());
    for (std::string c; std::getline(in, c, ',');) {
      if (!c.empty()) checkpoints.push_back(c);
    }
    if (checkpoints.empty()) throw cxxopts::exceptions::exception("--checkpoints names no checkpoint");
    name = "average-" + checkpoints.front() + "-" + checkpoints.back();
  }
  if (args.count("name")) name = args["name"].as<std::string>();
  const std::string dir = average_checkpoints(run, checkpoints, name);
  std::string joined;
  for (const std::string& c : checkpoints) joined += (joined.empty() ? "" : ", ") + c;
  fmt::print("averaged {} checkpoint{} ({}) into {}  (use --checkpoint {})\n", checkpoints.size(),
             checkpoints.size() == 1 ? "" : "s", joined, dir, name);
  return 0;
}

}  // namespace nmtx::cli
