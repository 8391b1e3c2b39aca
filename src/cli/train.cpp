// nmtx train RECIPE [--set KEY=VALUE ...] [--out DIR] [--overwrite]
// nmtx train --resume RUN_DIR
#include "options.h"
#include <fmt/core.h>

#include "commands.h"
#include "nmtx/train/recipe.h"
#include "nmtx/train/trainer.h"

namespace nmtx::cli {

namespace {

const char* type_name(const RecipeKey& k) {
  switch (k.type) {
    case KeyType::integer: return "integer";
    case KeyType::number: return "number";
    case KeyType::boolean: return "boolean";
    case KeyType::string: return "string";
    case KeyType::choice: return "choice";
    case KeyType::list: return "list";
  }
  return "?";
}

// The table docs/recipes.md carries (a unit test checks that the two agree).
void print_recipe_keys() {
  fmt::print("| key | type | default | meaning |\n|---|---|---|---|\n");
  for (const RecipeKey& k : recipe_keys()) {
    std::string type = type_name(k);
    if (k.type == KeyType::choice) {
      type.clear();
      for (const auto& c : k.choices) type += (type.empty() ? "" : " \\| ") + c;
    }
    fmt::print("| `{}` | {} | `{}` | {} |\n", k.name, type, k.default_value.empty() ? "\"\"" : k.default_value, k.help);
  }
}

}  // namespace

int run_train(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Train a model from a recipe (recipes/*.yaml; keys in docs/recipes.md).");
  options.positional_help("RECIPE").show_positional_help();
  options.add_options()
      ("recipe", "recipe file", cxxopts::value<std::string>())
      ("set", "override a recipe key, e.g. --set model.attention.type=local-p (repeatable)",
       cxxopts::value<std::vector<std::string>>())
      ("out", "run directory (default: run.dir, or runs/NAME for recipe NAME.yaml)", cxxopts::value<std::string>())
      ("overwrite", "replace an existing run directory")
      ("resume", "continue the run in RUN_DIR from its latest checkpoint", cxxopts::value<std::string>())
      ("keys", "print every recipe key with its type, default and meaning (Markdown) and exit")
      ("h,help", "show this help");
  options.add_options("testing")
      ("debug-nan-at", "put a NaN into the gradient at this step", cxxopts::value<std::int64_t>()->default_value("0"))
      ("debug-kill-in-checkpoint", "SIGKILL while writing the checkpoint of this step",
       cxxopts::value<std::int64_t>()->default_value("0"))
      ("debug-kill-stage", "where: written (before its rename) or renamed (before `latest` moves)",
       cxxopts::value<std::string>()->default_value("written"));
  options.parse_positional({"recipe"});
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help({"", "testing"}));
    return 0;
  }
  if (args.count("keys")) {
    print_recipe_keys();
    return 0;
  }
  TrainCommand command;
  if (args.count("recipe")) command.recipe = args["recipe"].as<std::string>();
  if (args.count("set")) command.overrides = args["set"].as<std::vector<std::string>>();
  if (args.count("out")) command.out = args["out"].as<std::string>();
  if (args.count("resume")) command.resume = args["resume"].as<std::string>();
  command.overwrite = args.count("overwrite") > 0;
  command.inject_nan_at = args["debug-nan-at"].as<std::int64_t>();
  command.kill_in_checkpoint_at = args["debug-kill-in-checkpoint"].as<std::int64_t>();
  command.kill_stage = args["debug-kill-stage"].as<std::string>();
  if (command.recipe.empty() && command.resume.empty()) {
    throw cxxopts::exceptions::exception("give a recipe file (or --resume RUN_DIR)");
  }
  run_training(command);
  return 0;
}

}  // namespace nmtx::cli
