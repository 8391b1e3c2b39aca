// nmtx compare RECIPE [--variants a,b,...] [--seeds N] [--out DIR] [--set KEY=VALUE ...]
#include <fmt/core.h>

#include <filesystem>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "nmtx/attention/attention.h"
#include "nmtx/experiment/compare.h"

namespace nmtx::cli {

namespace {

// VARIANT:STEP[:SEED] into c.fault_variant and c.fault_seed; returns STEP.
std::int64_t fault_spec(const std::string& spec, const char* flag, CompareOptions& c) {
  const std::size_t colon = spec.find(':');
  if (colon == std::string::npos) throw cxxopts::exceptions::exception(std::string("--") + flag + " expects VARIANT:STEP");
  const std::string variant = spec.substr(0, colon);
  if (!c.fault_variant.empty() && c.fault_variant != variant) {
    throw cxxopts::exceptions::exception("the --debug-... faults must name one variant");
  }
  c.fault_variant = variant;
  const std::size_t second = spec.find(':', colon + 1);
  if (second != std::string::npos) c.fault_seed = std::stoll(spec.substr(second + 1));
  return std::stoll(spec.substr(colon + 1));
}

}  // namespace

int run_compare(int argc, char** argv) {
  std::string names;
  for (const std::string& n : variant_names()) names += (names.empty() ? "" : ", ") + n;
  cxxopts::Options options(
      argv[0], "Train attention variants from one recipe on the same data, seed and budget; compare them in a table "
               "(results.md, results.csv) and report.html.\n\nVariants: " + names);
  options.positional_help("RECIPE").show_positional_help();
  options.add_options()
      ("recipe", "recipe file", cxxopts::value<std::string>())
      ("variants", "comma-separated variants (default: the recipe's compare.variants)", cxxopts::value<std::string>())
      ("out", "the comparison's directory (default: runs/compare-NAME for recipe NAME.yaml, runs/NAME for "
               "compare-NAME.yaml); rerunning resumes it", cxxopts::value<std::string>())
      ("set", "override a recipe key for every variant (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("seeds", "train every variant with N training seeds (compare.seeds): mean, sd, min, max in the table",
       cxxopts::value<std::int64_t>())
      ("h,help", "show this help");
  options.add_options("testing")
      ("debug-nan", "VARIANT:STEP[:SEED]: that variant's gradient turns NaN at STEP (in that seed's run only)",
       cxxopts::value<std::string>())
      ("debug-kill", "VARIANT:STEP[:SEED]: the comparison SIGKILLs itself once that variant's step STEP is done",
       cxxopts::value<std::string>());
  options.parse_positional({"recipe"});
  const auto args = parse_command_line(options, argc, argv, StrayHint::set);
  if (print_help(args, options)) return 0;  // the testing options stay out of the user's list
  if (!args.count("recipe")) throw cxxopts::exceptions::exception("give a recipe file");
  const std::string recipe = args["recipe"].as<std::string>();
  CompareOptions c;
  if (args.count("variants")) {
    std::stringstream in(args["variants"].as<std::string>());
    for (std::string v; std::getline(in, v, ',');) {
      if (!v.empty()) c.variants.push_back(v);
    }
  }
  for (const char* flag : {"debug-nan", "debug-kill"}) {
    if (!args.count(flag)) continue;
    const std::int64_t step = fault_spec(args[flag].as<std::string>(), flag, c);
    if (std::string(flag) == "debug-nan") {
      c.faults.nan_at_step = step;
    } else {
      c.faults.kill_rank = 0;
      c.faults.kill_at_step = step;
    }
  }
  // runs/compare-NAME, without doubling the prefix of recipes/compare-*.yaml
  const std::string stem = std::filesystem::path(recipe).stem().string();
  c.out = args.count("out") ? args["out"].as<std::string>()
                            : (std::filesystem::path("runs") / (stem.rfind("compare-", 0) == 0 ? stem : "compare-" + stem)).string();
  const std::vector<std::string> overrides =
      args.count("set") ? args["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  Config config = load_config(recipe, overrides);
  if (args.count("seeds")) {
    const std::int64_t seeds = args["seeds"].as<std::int64_t>();
    if (seeds < 1 || seeds > 1000) throw cxxopts::exceptions::exception("--seeds must be between 1 and 1000");
    config.compare.seeds = seeds;
  }
  run_compare(config, c);
  return 0;
}

}  // namespace nmtx::cli
