// Command-line overrides (--set KEY=VALUE), one per input line, then the checks between
// keys.
#include <sstream>

#include "fuzz.h"
#include "config/recipe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  std::istringstream in{std::string(fuzz::text(data, size))};
  Recipe r = Recipe::defaults();
  bool all_set = true;
  for (std::string assignment; all_set && std::getline(in, assignment);) {
    all_set = false;
    fuzz::expect_value_or_error<RecipeError>("--set", [&] {
      r.set_override(assignment);
      all_set = true;
    });
  }
  if (!all_set) return 0;
  // A check between keys blames the --set that set a value, the defaults ("recipe"), or the
  // line of the resolved file read back.
  fuzz::expect_value_or_error_naming_one_of<RecipeError>({"--set ", "recipe: ", "resolved.yaml"}, [&] {
    parse_config(config_yaml(checked_config(r)), "resolved.yaml");  // what a run keeps reads back
  });
  return 0;
}
