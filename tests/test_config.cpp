// The typed configuration: every recipe key bound to one field, the structs' defaults equal
// to the key table's, and a Config that survives YAML (a run's config.yaml) unchanged.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "config/recipe.h"
#include "nmtx/config/config.h"
#include "nmtx/config/engine_options.h"
#include "nmtx/run/run_data.h"

using namespace nmtx;

TEST_CASE("every recipe key is bound to exactly one Config field, in the key table's order") {
  const std::vector<std::string> bound = bound_recipe_keys();
  REQUIRE(bound.size() == recipe_keys().size());
  for (std::size_t i = 0; i < bound.size(); ++i) CHECK(bound[i] == recipe_keys()[i].name);
  CHECK(std::set<std::string>(bound.begin(), bound.end()).size() == bound.size());
}

TEST_CASE("the structs' member defaults are the key table's defaults") {
  // The table (recipe_keys()) is the one source: `nmtx train --keys`, docs/recipes.md and
  // default_config() come from it; Config{}'s initialisers must say the same.
  const Config table = default_config(), members;
  const std::string from_table = config_yaml(table), from_members = config_yaml(members);
  REQUIRE(!from_table.empty());
  CHECK(from_members == from_table);
  // A few fields by name, so a binding that swapped two keys of one type shows here too.
  CHECK(table.training.batch_size == 64);
  CHECK(table.training.learning_rate == 0.001);
  CHECK(table.model.attention.type == AttentionType::luong);
  CHECK(table.model.attention.resolved_score() == AttentionScore::general);
  CHECK_FALSE(table.data.is_toy());
  CHECK(table.compare.sentences == std::vector<std::size_t>{0, 1, 2});
  CHECK(table.validation.metric == ValidationMetric::bleu);
}

TEST_CASE("a Config written as YAML reads back field for field") {
  Config c = parse_config(R"(
data:
  task: reorder
  level: char
  subword: {type: sentencepiece, model_type: bpe}
model:
  attention: {type: local-p, window: 2.5}
training:
  optimizer: sgd
  learning_rate: 1e-3
  schedule: plateau
  batch_type: tokens
  adam_eps: 0.1234567890123456789
validation:
  metric: ppl
  bleu_tokenize: intl
compare:
  variants: [bahdanau, local-p]
  sentences: [4, 0, 123456789]
)",
                          "x.yaml");
  CHECK(c.data.toy.task == ToyTask::reorder);
  CHECK(c.data.level == TokenLevel::character);
  CHECK(c.data.subword == SubwordType::sentencepiece);
  CHECK(c.training.optimizer == OptimizerType::sgd);
  CHECK(c.training.schedule == Schedule::plateau);
  CHECK(c.training.batch_by_tokens);
  CHECK(c.validation.metric == ValidationMetric::ppl);
  CHECK(c.validation.bleu_tokenize == BleuTokenizer::intl);
  CHECK(c.compare.sentences == std::vector<std::size_t>{4, 0, 123456789});
  c.model.attention.score = AttentionScore::dot;  // what nmtx compare does for a variant
  c.run.dir = "runs/x";
  const Config back = parse_config(config_yaml(c), "config.yaml");
  CHECK(config_yaml(back) == config_yaml(c));
  CHECK(back.training.learning_rate == c.training.learning_rate);  // bit for bit: resumed runs train alike
  CHECK(back.training.adam_eps == c.training.adam_eps);
  CHECK(back.model.attention.window == 2.5);
  CHECK(back.model.attention.score == AttentionScore::dot);
  CHECK(back.run.dir == "runs/x");
}

TEST_CASE("a Config that breaks a key's rules is refused when written, or when read back") {
  Config c = default_config();
  c.training.batch_size = 0;
  CHECK_THROWS_WITH_AS(config_yaml(c), doctest::Contains("training.batch_size: expected an integer >= 1, got \"0\""),
                       RecipeError);
  c = default_config();
  c.data.toy.task = ToyTask::copy;
  c.model.attention.type = AttentionType::bahdanau;
  c.model.attention.score = AttentionScore::dot;  // each a valid name; bahdanau takes only concat
  const std::string yaml = config_yaml(c);
  // The line of the offending key in the file is named (a check between keys blames it).
  std::size_t line = 1;
  const std::size_t where = yaml.find("score: \"dot\"");
  REQUIRE(where != std::string::npos);
  for (std::size_t at = 0; at < where; ++at) line += yaml[at] == '\n';
  const std::string expected = "config.yaml:" + std::to_string(line) + ": model.attention.score: attention type";
  CHECK_THROWS_WITH_AS(parse_config(yaml, "config.yaml"), doctest::Contains(expected.c_str()), RecipeError);
}

TEST_CASE("overrides and recipe errors keep their file:line and --set messages through load_config") {
  CHECK_THROWS_WITH_AS(parse_config("training:\n  batch_size: many\n", "r.yaml"),
                       doctest::Contains("r.yaml:2: training.batch_size: expected an integer"), RecipeError);
  CHECK_THROWS_WITH_AS(load_config(std::string(NMTX_SOURCE_DIR) + "/recipes/reverse.yaml", {"training.seed=-1"}),
                       doctest::Contains("--set training.seed=-1: training.seed: expected an integer"), RecipeError);
  const Config c = load_config(std::string(NMTX_SOURCE_DIR) + "/recipes/reverse.yaml", {"training.seed=7"});
  CHECK(c.training.seed == 7);
  CHECK(c.source == std::string(NMTX_SOURCE_DIR) + "/recipes/reverse.yaml");
  CHECK(default_run_dir(c) == "runs/reverse");
}

TEST_CASE("SentencePiece trains with data.subword.seed, or training.seed when it is -1 (as before the key)") {
  Config c;
  c.training.seed = 7;
  CHECK(c.data.subword_seed == -1);
  CHECK(subword_seed(c) == 7u);
  c.data.subword_seed = 3;
  CHECK(subword_seed(c) == 3u);
  c.training.seed = 8;  // another training seed, the same segmentation
  CHECK(subword_seed(c) == 3u);
}

TEST_CASE("training.shards defaults to the fast setting: as many shards as threads") {
  Config c = default_config();
  CHECK(c.training.shards == 0);
  CHECK(c.training.threads == 2);
  CHECK(c.training.shard_count() == 2);
  c.training.threads = 1;
  CHECK(c.training.shard_count() == 1);  // one thread: the batch whole
  c.training.threads = 4;
  c.training.shards = 1;
  CHECK(c.training.shard_count() == 1);  // named in the recipe: kept
}

TEST_CASE("one set of defaults: the recipe's model is ModelConfig{}, and every enum key's choices are its name table") {
  const ModelConfig from_recipe = model_config(default_config().model, 0, 0), model;
  CHECK(from_recipe.cell == model.cell);
  CHECK(from_recipe.embed == model.embed);
  CHECK(from_recipe.hidden == model.hidden);
  CHECK(from_recipe.decoder_hidden == model.decoder_hidden);
  CHECK(from_recipe.encoder_layers == model.encoder_layers);
  CHECK(from_recipe.decoder_layers == model.decoder_layers);
  CHECK(from_recipe.dropout == model.dropout);
  CHECK(from_recipe.init == model.init);
  CHECK(from_recipe.init_scale == model.init_scale);
  CHECK(from_recipe.bridge == model.bridge);
  CHECK(from_recipe.input_feeding == model.input_feeding);
  CHECK(from_recipe.maxout == model.maxout);
  CHECK(from_recipe.output_dim == model.output_dim);
  CHECK(from_recipe.tied_embeddings == model.tied_embeddings);
  const AttentionConfig &a = from_recipe.attention, &b = model.attention;
  CHECK(a.type == b.type);
  CHECK(a.score == b.score);
  CHECK(a.dim == b.dim);
  CHECK(a.window == b.window);
  CHECK(a.max_src_len == b.max_src_len);
  CHECK(a.heads == b.heads);
  CHECK(a.location_filters == b.location_filters);
  CHECK(a.location_kernel == b.location_kernel);
  CHECK(a.normalize == b.normalize);
  // The choices `nmtx train --keys` and docs/recipes.md show are the tables' names.
  auto choices = [](const std::string& key) {
    for (const RecipeKey& k : recipe_keys()) {
      if (k.name == key) return k.choices;
    }
    return std::vector<std::string>{};
  };
  CHECK(choices("model.cell") == cell_names().names());
  CHECK(choices("model.init") == init_scheme_names().names());
  CHECK(choices("model.bridge") == bridge_names().names());
  CHECK(choices("model.attention.normalize") == normalization_names().names());
  CHECK(choices("model.bridge") == std::vector<std::string>{"auto", "bahdanau", "bridge", "zeros"});
}

TEST_CASE("the rules between keys run on a Config built in code, as on a recipe") {
  Config c = default_config();
  c.data.toy.task = ToyTask::copy;
  CHECK_NOTHROW(check_config(c));
  c.model.attention.type = AttentionType::bahdanau;
  c.model.attention.score = AttentionScore::dot;
  CHECK_THROWS_WITH_AS(check_config(c),
                       "configuration: model.attention.score: attention type \"bahdanau\" does not take the score \"dot\"; "
                       "valid scores for it: concat",
                       RecipeError);
  c.model.attention.score.reset();  // the type's default: concat
  CHECK_NOTHROW(check_config(c));
  c.model.attention.type = AttentionType::local_p;
  c.model.attention.window = 0.5;
  CHECK_THROWS_WITH_AS(check_config(c), doctest::Contains("model.attention.window: local-p needs a half-width D >= 1, got 0.5"),
                       RecipeError);
  // The model's own rules reach the recipe's keys: its field "tied_embeddings" is model.tied_embeddings.
  c = default_config();
  c.model.tied_embeddings = true;  // h̃ has the decoder's size 512, the embeddings 256
  CHECK_THROWS_WITH_AS(check_config(c),
                       "configuration: model.tied_embeddings: tying needs the output vector (size 512) to have the "
                       "embedding size 256: make the decoder's hidden size the embedding size",
                       RecipeError);
  c = default_config();
  c.data.toy.task = ToyTask::copy;
  c.checkpoint.average_last = 5;
  CHECK_THROWS_WITH_AS(check_config(c), doctest::Contains("checkpoint.average_last is 5 but checkpoint.keep_last keeps only 3"),
                       RecipeError);
  c.checkpoint.average_last = 0;
  c.training.epochs = c.training.steps = 0;
  CHECK_THROWS_WITH_AS(check_config(c), doctest::Contains("both 0"), RecipeError);
  c = default_config();  // no toy task and no files
  CHECK_THROWS_WITH_AS(check_config(c), "configuration: data.train is empty: name the training files (or set data.task to a toy task)",
                       RecipeError);
  // With where the keys came from, the message blames it.
  c.data.toy.task = ToyTask::copy;
  c.training.epochs = 0;
  c.training.steps = 0;
  CHECK_THROWS_WITH_AS(check_config(c, [](std::initializer_list<const char*> keys) {
                         return std::string("r.yaml:") + std::to_string(keys.size());
                       }),
                       doctest::Contains("r.yaml:2: training.epochs and training.steps are both 0"), RecipeError);
}
