// nmtx train RECIPE [--set KEY=VALUE ...] [--out DIR] [--overwrite]
// nmtx train --resume RUN_DIR
// nmtx train --keys
// mpirun -np N nmtx train ...    data-parallel over training.shards (docs/distributed.md)
#include <fmt/core.h>

#include "commands.h"
#include "common.h"
#include "nmtx/config/config.h"
#include "nmtx/run/run_directory.h"
#include "nmtx/train/trainer.h"

namespace nmtx::cli {

int run_train(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Train a model from a recipe (recipes/*.yaml; keys in docs/recipes.md).");
  options.positional_help("RECIPE").show_positional_help();
  options.add_options()
      ("recipe", "recipe file", cxxopts::value<std::string>())
      ("set", "override a recipe key, e.g. --set model.attention.type=local-p (repeatable)",
       cxxopts::value<std::vector<std::string>>())
      ("out", "run directory (default: run.dir, or runs/NAME for recipe NAME.yaml)", cxxopts::value<std::string>())
      ("overwrite", "replace an existing run directory")
      ("resume", "continue the run in RUN_DIR from its latest checkpoint (with --set: more steps or epochs, "
                 "patience, validation, checkpoint and log frequency)", cxxopts::value<std::string>())
      ("keys", "print every recipe key with its type, default and meaning (Markdown) and exit")
      ("h,help", "show this help");
  options.add_options("testing")
      ("debug-nan-at", "put a NaN into the gradient at this step", cxxopts::value<std::int64_t>()->default_value("0"))
      ("debug-kill-in-checkpoint", "SIGKILL while writing the checkpoint of this step",
       cxxopts::value<std::int64_t>()->default_value("0"))
      ("debug-kill-stage", "where: written (before its rename) or renamed (before `latest` moves)",
       cxxopts::value<std::string>()->default_value("written"))
      ("debug-kill-rank", "under mpirun: this rank SIGKILLs itself ...", cxxopts::value<int>()->default_value("-1"))
      ("debug-kill-at-step", "... once this step is done", cxxopts::value<std::int64_t>()->default_value("0"))
      ("debug-signal-at-step", "SIGINT to itself once this step is done (0: before the first step)",
       cxxopts::value<std::int64_t>()->default_value("-1"));
  options.parse_positional({"recipe"});
  const auto args = parse_command_line(options, argc, argv, StrayHint::set);
  if (print_help(args, options)) return 0;  // the testing options stay out of the user's list
  if (args.count("keys")) {
    fmt::print("{}", recipe_keys_markdown());  // the table docs/recipes.md carries (a unit test checks both agree)
    return 0;
  }
  TrainHooks hooks;
  hooks.nan_at_step = args["debug-nan-at"].as<std::int64_t>();
  hooks.kill_in_checkpoint_at = args["debug-kill-in-checkpoint"].as<std::int64_t>();
  hooks.kill_stage = args["debug-kill-stage"].as<std::string>();
  hooks.kill_rank = args["debug-kill-rank"].as<int>();
  hooks.kill_at_step = args["debug-kill-at-step"].as<std::int64_t>();
  hooks.signal_at_step = args["debug-signal-at-step"].as<std::int64_t>();
  const std::vector<std::string> overrides =
      args.count("set") ? args["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  try {
    if (args.count("resume")) {
      if (args.count("recipe") || args.count("overwrite") || args.count("out")) {
        throw RecipeError("--resume continues a run with its own config.yaml: give no recipe, --out or --overwrite "
                          "(--set may extend or stop it: training.steps, training.epochs, validation.patience, ...)");
      }
      resume_run(args["resume"].as<std::string>(), hooks, overrides);
      return 0;
    }
    if (!args.count("recipe")) throw cxxopts::exceptions::exception("give a recipe file (or --resume RUN_DIR)");
    Config config = load_config(args["recipe"].as<std::string>(), overrides);
    if (args.count("out")) config.run.dir = args["out"].as<std::string>();
    try {
      train_new_run(config, args.count("overwrite") > 0, hooks);
    } catch (const RunDirectoryExists& e) {
      throw RecipeError(fmt::format("{}: continue it with --resume {}, choose another with --out DIR, or replace it "
                                    "with --overwrite", e.what(), e.dir()));
    }
    return 0;
  } catch (const TrainingStopped& e) {
    return 128 + e.signal();  // the shell's status for a process ended by that signal; the log said why
  }
}

}  // namespace nmtx::cli
