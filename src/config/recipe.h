// Recipes as text: a training run described by one YAML file (recipes/*.yaml), overlaid
// on documented defaults (recipe_keys(), listed in docs/recipes.md), with command-line
// overrides (`--set training.batch_size=32`). Every key is typed and checked: unknown
// keys, wrong types and impossible values are errors naming the file, line and key and
// saying what is allowed. The resolved recipe is what a run directory keeps
// (config.yaml), so a run can always be reproduced and resumed from it alone.
//
// Private to the config layer: the rest of nmtx reads the typed Config of
// nmtx/config/config.h, never keys (tests/layers.txt's check enforces it).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "nmtx/config/config.h"

namespace nmtx {

enum class KeyType { integer, number, boolean, string, choice, list };

struct RecipeKey {
  std::string name;           // dotted path, e.g. "training.batch_size"
  KeyType type;
  std::string default_value;  // canonical text; a list: comma-separated
  std::string help;
  std::vector<std::string> choices;  // KeyType::choice
  double min = -1e300, max = 1e300;  // integer / number bounds, inclusive
};

// Every key a recipe may set, grouped by section, in documentation order.
const std::vector<RecipeKey>& recipe_keys();

class Recipe {
 public:
  static Recipe defaults();
  // The defaults overlaid by the YAML file at `path` (throws RecipeError).
  static Recipe load(const std::string& path);
  // The defaults overlaid by YAML `text`; errors name `path` and the line.
  static Recipe parse(const std::string& text, const std::string& path);
  // Parses "KEY=VALUE" (the value as a YAML scalar or [list]) and sets it; errors name
  // `origin` (e.g. "--set").
  void set_override(const std::string& assignment, const std::string& origin = "--set");
  // Sets one key from text, checking its type and range.
  void set(const std::string& key, const std::string& value, const std::string& where);

  std::int64_t integer(const std::string& key) const;
  double number(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& string(const std::string& key) const;
  std::vector<std::string> list(const std::string& key) const;
  bool is_default(const std::string& key) const;

  // What only the recipe's text can tell (a variant's name for the type against an
  // explicit score; compare.variants and compare.sentences as written); the rules between
  // keys run on the typed Config (check_config). Throws RecipeError naming the keys.
  void check() const;
  // Where the user set the first of `keys` that a --set gave, else the first the file
  // gave ("r.yaml:14", "--set KEY=VALUE"), else the recipe: what a check between keys blames.
  std::string blame(std::initializer_list<const char*> keys) const;

  // The resolved recipe as nested YAML, every key present, in documentation order.
  std::string to_yaml() const;
  const std::string& source() const { return source_; }  // the file it came from ("" for defaults)

 private:
  const std::string& raw(const std::string& key) const;
  std::map<std::string, std::string> values_;  // every key → canonical text
  std::string source_;
  // model.attention.type given a variant's name, and model.attention.score given
  // explicitly, each with where (check() refuses the two when they disagree).
  std::pair<std::string, std::string> type_variant_, score_set_;
  // Where each key set by the file or --set got its value ("recipes/x.yaml:14", "--set
  // KEY=VALUE"), so that a check between keys blames what the user wrote.
  std::map<std::string, std::string> origins_;
  std::string origin(const std::string& key) const;
};


// A recipe read and checked: its own checks, then the rules between keys on its Config
// (check_config), blaming the lines and --set that gave the keys. What load_config and
// parse_config return.
Config checked_config(const Recipe& recipe);

// The keys config.cpp binds to Config fields, in order (a test checks: every key once).
std::vector<std::string> bound_recipe_keys();

}  // namespace nmtx
