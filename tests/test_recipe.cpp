// Recipes: defaults, typed keys, overrides, errors that name file/line/key, and the
// resolved YAML round trip. Every key is documented in docs/recipes.md.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/recipe.h"
#include "nmtx/config/config.h"

using namespace nmtx;
namespace fs = std::filesystem;

namespace {

fs::path write_recipe(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("nmtx-test-" + std::to_string(::getpid()) + "-" + name + ".yaml");
  std::ofstream(p) << text;
  return p;
}

std::string error_of(const std::string& text) {
  const fs::path p = write_recipe("bad", text);
  try {
    load_config(p.string());  // the recipe's checks, then the rules between keys on its Config
  } catch (const RecipeError& e) {
    fs::remove(p);
    return e.what();
  }
  fs::remove(p);
  return "(no error)";
}

}  // namespace

TEST_CASE("a recipe overlays the defaults with typed values") {
  const fs::path p = write_recipe("ok", R"(
data:
  task: sort
  toy: {symbols: 20, max_length: 12}
model:
  hidden: 32
  attention:
    type: local-p
    window: 4.5
training:
  shuffle: no
  learning_rate: 1e-3
)");
  const Recipe r = Recipe::load(p.string());
  fs::remove(p);
  CHECK(r.string("data.task") == "sort");
  CHECK(r.integer("data.toy.symbols") == 20);
  CHECK(r.integer("data.toy.train_size") == 50000);  // default
  CHECK(r.integer("model.hidden") == 32);
  CHECK(r.number("model.attention.window") == doctest::Approx(4.5));
  CHECK(r.boolean("training.shuffle") == false);
  CHECK(r.number("training.learning_rate") == doctest::Approx(1e-3));
  CHECK(r.is_default("model.embed"));
  CHECK(!r.is_default("model.hidden"));
  CHECK(r.string("model.attention.score").empty());
  CHECK(variant_of("local-p", r.string("model.attention.score")).score == AttentionScore::general);
  CHECK_NOTHROW(r.check());
}

TEST_CASE("unknown keys, wrong types and impossible values name the file, line and key") {
  CHECK(error_of("model:\n  hiden: 3\n").find(":2: unknown key model.hiden (did you mean model.hidden?)") !=
        std::string::npos);
  CHECK(error_of("modle:\n  hidden: 3\n").find(":1: unknown key modle (did you mean model?") != std::string::npos);
  CHECK(error_of("training:\n  batch_size: many\n").find(":2: training.batch_size: expected an integer >= 1, got \"many\"") !=
        std::string::npos);
  CHECK(error_of("training:\n  batch_size: 0\n").find("got \"0\"") != std::string::npos);
  CHECK(error_of("model:\n  dropout: 1.5\n").find("model.dropout: expected a number in [0, 0.99]") != std::string::npos);
  CHECK(error_of("model:\n  cell: transformer\n").find("model.cell: expected one of gru, lstm, rnn") != std::string::npos);
  CHECK(error_of("training:\n  shuffle: maybe\n").find("expected true or false") != std::string::npos);
  CHECK(error_of("model: 3\n").find(":1: model is a section") != std::string::npos);
  CHECK(error_of("model:\n  hidden: [1, 2]\n").find("model.hidden: expected a single value, found a list") !=
        std::string::npos);
  CHECK(error_of("model:\n  attention:\n    type: luong\n    score: location-sensitive\n")
            .find("model.attention.score") != std::string::npos);
  CHECK(error_of("data:\n  task: reverse\ntraining:\n  epochs: 0\n  steps: 0\n").find("both 0") != std::string::npos);
  CHECK(error_of("data:\n  task: none\n").find("data.train is empty") != std::string::npos);
  CHECK(error_of("model: [unclosed\n").find("not valid YAML") != std::string::npos);
  CHECK_THROWS_WITH_AS(Recipe::load("/no/such/recipe.yaml"), doctest::Contains("no such recipe file"), RecipeError);
}

TEST_CASE("the model's own rules are refused at the recipe line that set them, by the recipe's key") {
  // Multi-head: the attention size (the decoder's, 2 × 256) must split into the heads.
  const std::string heads = error_of("data: {task: copy}\nmodel:\n  attention:\n    score: multi-head\n    heads: 7\n");
  CHECK(heads.find("bad.yaml:5: model.attention.heads: the attention size 512 must be a multiple of the heads (7)") !=
        std::string::npos);
  CHECK(error_of("data: {task: copy}\nmodel:\n  attention:\n    type: location-sensitive\n    location_kernel: 4\n")
            .find(":5: model.attention.location_kernel: the convolution width must be odd") != std::string::npos);
  CHECK(error_of("data: {task: copy}\nmodel:\n  attention: {score: dot}\n  decoder_hidden: 100\n")
            .find("model.attention.score: the dot score needs the decoder state size (100) to equal the encoder state "
                  "size (512)") != std::string::npos);
}

TEST_CASE("local attention's half-width D is at least 1, checked with the recipe") {
  CHECK(error_of("model:\n  attention: {type: local-p, window: 0.5}\n").find(
            "model.attention.window: local-p needs a half-width D >= 1, got 0.5") != std::string::npos);
  CHECK(error_of("model:\n  attention: {type: local-m, window: 0}\n").find("local-m needs a half-width D >= 1") !=
        std::string::npos);
  // Other types do not use D; local types accept D = 1 and fractional D above it.
  CHECK(error_of("data: {task: copy}\nmodel:\n  attention: {type: luong, window: 0}\n") == "(no error)");
  CHECK(error_of("data: {task: copy}\nmodel:\n  attention: {type: local-p, window: 1}\n") == "(no error)");
  CHECK(error_of("data: {task: copy}\nmodel:\n  attention: {type: local-m, window: 2.5}\n") == "(no error)");
}

TEST_CASE("checkpoint.average_last needs checkpoint.keep_last to keep that many") {
  CHECK(error_of("data: {task: copy}\ncheckpoint: {average_last: 4}\n").find(
            "checkpoint.average_last is 4 but checkpoint.keep_last keeps only 3") != std::string::npos);
  CHECK(error_of("data: {task: copy}\ncheckpoint: {average_last: 4, keep_last: 4}\n") == "(no error)");
  CHECK(error_of("data: {task: copy}\ncheckpoint: {average_last: 3}\n") == "(no error)");
}

TEST_CASE("command-line overrides are checked like the file") {
  Recipe r = Recipe::defaults();
  r.set_override("model.attention.type=local-p");
  r.set_override("training.batch_size=32");
  CHECK(r.string("model.attention.type") == "local-p");
  CHECK(r.integer("training.batch_size") == 32);
  CHECK_THROWS_WITH_AS(r.set_override("training.batchsize=32"),
                       doctest::Contains("--set training.batchsize=32: unknown key training.batchsize (did you mean "
                                         "training.batch_size?)"),
                       RecipeError);
  CHECK_THROWS_WITH_AS(r.set_override("training.batch_size"), doctest::Contains("expected KEY=VALUE"), RecipeError);
  CHECK_THROWS_WITH_AS(r.set_override("training.epochs=-1"), doctest::Contains("training.epochs: expected an integer"),
                       RecipeError);
}

TEST_CASE("hostile recipes: absurd keys get no suggestion, and messages echo at most 64 bytes") {
  // A 1 MB unknown key once took 5 s (edit distance against every key) and was repeated whole.
  const std::string key(1 << 20, 'k');
  std::string message;
  try {
    Recipe::parse("training:\n  ? " + key + "\n  : 1\n", "big.yaml");  // an explicit key: no 1024-byte limit
  } catch (const RecipeError& e) {
    message = e.what();
  }
  CHECK(message.rfind("big.yaml:2: unknown key training.kkkk", 0) == 0);
  CHECK(message.find("(1048585 bytes)") != std::string::npos);
  CHECK(message.size() < 200);
  message.clear();
  try {
    Recipe::defaults().set_override(key + "=1");
  } catch (const RecipeError& e) {
    message = e.what();
  }
  CHECK(message.rfind("--set kkkk", 0) == 0);
  CHECK(message.size() < 300);
  message.clear();
  try {
    Recipe::defaults().set_override("training.batch_size=" + std::string(100000, '9'));
  } catch (const RecipeError& e) {
    message = e.what();
  }
  CHECK(message.find("training.batch_size: expected an integer") != std::string::npos);
  CHECK(message.size() < 400);
  // A short misspelling still gets its suggestion.
  CHECK_THROWS_WITH_AS(Recipe::parse("training:\n  batch_sise: 3\n", "r.yaml"),
                       doctest::Contains("r.yaml:2: unknown key training.batch_sise (did you mean training.batch_size?)"),
                       RecipeError);
  const fs::path big = write_recipe("huge", std::string(2 << 20, '#'));
  CHECK_THROWS_WITH_AS(Recipe::load(big.string()), doctest::Contains("bytes; a recipe is a few KB"), RecipeError);
  fs::remove(big);
}

TEST_CASE("validation.bleu_tokenize picks sacreBLEU's tokenizer for dev and test BLEU") {
  Recipe r = Recipe::defaults();
  CHECK(default_config().validation.bleu_options().tokenize == BleuTokenizer::none);  // tokenised corpora
  const BleuOptions o = parse_config("data: {task: copy}\nvalidation: {bleu_tokenize: 13a}\n", "r.yaml").validation.bleu_options();
  CHECK(o.tokenize == BleuTokenizer::t13a);
  CHECK(bleu_signature(o, 1) == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0");
  // "hello , world" against "hello, world": split by 13a, not by none.
  CHECK(corpus_bleu({"hello , world ."}, {{"hello, world."}}, o).score == doctest::Approx(100.0));
  CHECK(corpus_bleu({"hello , world ."}, {{"hello, world."}}, BleuOptions::tokenised()).score < 100.0);
  CHECK_THROWS_WITH_AS(r.set_override("validation.bleu_tokenize=moses"), doctest::Contains("validation.bleu_tokenize"),
                       RecipeError);
}

TEST_CASE("the resolved recipe round-trips through YAML, every key included") {
  Recipe r = Recipe::defaults();
  r.set_override("data.task=reorder");
  r.set_override("model.attention.score=dot");
  r.set_override("data.train=path with spaces/train");
  r.set_override("training.learning_rate=0.0005");
  const std::string yaml = r.to_yaml();
  const fs::path p = write_recipe("resolved", yaml);
  const Recipe back = Recipe::load(p.string());
  fs::remove(p);
  for (const RecipeKey& k : recipe_keys()) {
    INFO(k.name);
    CHECK(back.string(k.name) == r.string(k.name));
    CHECK(yaml.find(k.name.substr(k.name.rfind('.') + 1) + ":") != std::string::npos);
  }
}

TEST_CASE("every recipe key is documented in docs/recipes.md with its default") {
  std::ifstream in(std::string(NMTX_SOURCE_DIR) + "/docs/recipes.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(recipe_keys().size() > 50);
  for (const RecipeKey& k : recipe_keys()) {
    INFO(k.name);
    const std::size_t at = doc.find("| `" + k.name + "` |");
    REQUIRE(at != std::string::npos);
    const std::string row = doc.substr(at, doc.find('\n', at) - at);
    const std::string shown = k.default_value.empty() ? "\"\"" : k.default_value;
    CHECK(row.find("`" + shown + "`") != std::string::npos);
  }
}

TEST_CASE("every recipe in recipes/ loads and passes its checks") {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(std::string(NMTX_SOURCE_DIR) + "/recipes")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    CHECK_NOTHROW(load_config(e.path().string()));
    ++n;
  }
  CHECK(n >= 1);
}

TEST_CASE("model.attention.type takes a variant's name, as every table and nmtx compare spell it") {
  const fs::path p = write_recipe("variant", "data:\n  task: reverse\nmodel:\n  attention:\n    type: local-p-concat\n");
  Config c = load_config(p.string());
  CHECK(c.model.attention.type == AttentionType::local_p);
  CHECK(c.model.attention.score == AttentionScore::concat);
  c = load_config(p.string(), {"model.attention.type=luong-dot"});
  CHECK(c.model.attention.type == AttentionType::luong);
  CHECK(c.model.attention.score == AttentionScore::dot);
  // A plain type after a variant's name takes its own default score, not the name's.
  c = load_config(p.string(), {"model.attention.type=bahdanau"});
  CHECK(c.model.attention.type == AttentionType::bahdanau);
  CHECK(c.model.attention.resolved_score() == AttentionScore::concat);
  // The resolved recipe writes the type and the score; it reads back the same.
  c = load_config(p.string());
  const Config again = parse_config(config_yaml(c), "config.yaml");
  CHECK(again.model.attention.type == AttentionType::local_p);
  CHECK(again.model.attention.score == AttentionScore::concat);
  fs::remove(p);

  // Refusals say what would be right.
  CHECK_THROWS_WITH_AS(load_config(write_recipe("typo", "data:\n  task: reverse\n").string(), {"model.attention.type=luong-dott"}),
                       doctest::Contains("or a variant's name (bahdanau, luong-general, luong-dot"), RecipeError);
  CHECK_THROWS_WITH_AS(load_config(write_recipe("typo", "data:\n  task: reverse\n").string(), {"model.attention.type=luong-dott"}),
                       doctest::Contains("got \"luong-dott\" (did you mean luong-dot?)"), RecipeError);
  CHECK_THROWS_WITH_AS(load_config(write_recipe("typo", "data:\n  task: reverse\n").string(), {"model.attention.score=luong-dot"}),
                       doctest::Contains("\"luong-dot\" is a variant's name, not a score: set model.attention.type=luong-dot"),
                       RecipeError);
  CHECK(error_of("data:\n  task: reverse\nmodel:\n  attention:\n    type: luong-dot\n    score: general\n")
            .find("model.attention.type luong-dot names the score dot, but") != std::string::npos);
  fs::remove(write_recipe("typo", "data:\n  task: reverse\n"));
}
