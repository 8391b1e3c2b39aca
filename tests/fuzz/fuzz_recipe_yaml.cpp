// Recipes as YAML text (nmtx train RECIPE, config.yaml of every run), then the checks
// between keys.
#include "fuzz.h"
#include "config/recipe.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  const std::string text(fuzz::text(data, size));
  fuzz::expect_value_or_error<RecipeError>("fuzz.yaml", [&] {
    const Config c = parse_config(text, "fuzz.yaml");
    parse_config(config_yaml(c), "resolved.yaml");  // what a run keeps reads back
  });
  return 0;
}
