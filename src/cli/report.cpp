// nmtx report RUN [-o FILE]: the run's static page (experiment/run_report.h), written
// atomically to RUN/report.html unless -o names another file.
#include <fmt/core.h>

#include <filesystem>

#include "commands.h"
#include "common.h"
#include "nmtx/experiment/run_report.h"
#include "nmtx/io/files.h"
#include "nmtx/run/trained_run.h"

namespace nmtx::cli {

int run_report(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Write a run's report.html: results, learning curves, test BLEU by source length, "
                                    "attention snapshots over training with gold links, dev translations.");
  options.positional_help("RUN").show_positional_help();
  options.add_options()
      ("run", "the run directory", cxxopts::value<std::string>())
      ("o,output", "the page (default: RUN/report.html), written atomically", cxxopts::value<std::string>())
      ("h,help", "show this help");
  options.parse_positional({"run"});
  const auto args = parse_command_line(options, argc, argv);
  if (print_help(args, options)) return 0;
  if (!args.count("run")) throw cxxopts::exceptions::exception("give a run directory");
  const std::string run = args["run"].as<std::string>();
  if (const auto c = run_checkpoint_of(run)) {  // the report is the run's, all its checkpoints
    throw cxxopts::exceptions::exception(run + " is a checkpoint, not a run directory: give nmtx report " + c->run);
  }
  if (!std::filesystem::is_directory(run)) throw std::runtime_error(run + ": no such run directory");
  const std::string out =
      args.count("output") ? args["output"].as<std::string>() : (std::filesystem::path(run) / "report.html").string();
  write_file_atomically(out, run_report_html(run));
  fmt::print(stderr, "wrote {}\n", out);
  return 0;
}

}  // namespace nmtx::cli
