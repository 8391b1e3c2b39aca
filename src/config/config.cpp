// The seam between recipe keys and typed configuration: bind_fields() names every key once,
// with the field it sets. Reading a Recipe into a Config, writing a Config back into a
// Recipe (for its YAML) and the tests' check that every key is bound all walk this list.
#include "nmtx/config/config.h"

#include <fmt/core.h>

#include <filesystem>
#include <utility>

#include "nmtx/attention/attention.h"
#include "nmtx/config/engine_options.h"
#include "names.h"
#include "recipe.h"

namespace nmtx {

namespace {

// Every recipe key and the field it sets, in recipe_keys() order.
// (C is Config or const Config: a Writer only reads the fields.)
template <class C, class Visitor>
void bind_fields(C& c, Visitor& v) {
  v.text("run.dir", c.run.dir);
  auto& d = c.data;
  v.choice("data.task", d.toy.task, task_names());
  v.integer("data.toy.train_size", d.toy.train_size);
  v.integer("data.toy.dev_size", d.toy.dev_size);
  v.integer("data.toy.test_size", d.toy.test_size);
  v.integer("data.toy.symbols", d.toy.symbols);
  v.integer("data.toy.min_length", d.toy.min_length);
  v.integer("data.toy.max_length", d.toy.max_length);
  v.integer("data.toy.seed", d.toy.seed);
  v.text("data.train", d.train);
  v.text("data.dev", d.dev);
  v.text("data.test", d.test);
  v.text("data.src_lang", d.src_lang);
  v.text("data.tgt_lang", d.tgt_lang);
  v.integer("data.tsv_src_column", d.tsv_src_column);
  v.integer("data.tsv_tgt_column", d.tsv_tgt_column);
  v.choice("data.level", d.level, level_names());
  v.boolean("data.lowercase", d.lowercase);
  v.integer("data.max_length", d.max_length);
  v.text("data.src_vocab", d.src_vocab);
  v.text("data.tgt_vocab", d.tgt_vocab);
  v.integer("data.vocab_size", d.vocab_size);
  v.integer("data.min_freq", d.min_freq);
  v.choice("data.subword.type", d.subword, subword_names());
  v.integer("data.subword.vocab_size", d.subword_vocab_size);
  v.choice("data.subword.model_type", d.subword_model_type, sentencepiece_model_names());
  v.integer("data.subword.seed", d.subword_seed);
  auto& m = c.model;
  v.choice("model.cell", m.cell, cell_names());
  v.integer("model.embed", m.embed);
  v.integer("model.hidden", m.hidden);
  v.integer("model.decoder_hidden", m.decoder_hidden);
  v.integer("model.encoder_layers", m.encoder_layers);
  v.integer("model.decoder_layers", m.decoder_layers);
  v.number("model.dropout", m.dropout);
  v.choice("model.init", m.init, init_scheme_names());
  v.number("model.init_scale", m.init_scale);
  v.choice("model.bridge", m.bridge, bridge_names());
  v.boolean("model.input_feeding", m.input_feeding);
  v.boolean("model.maxout", m.maxout);
  v.integer("model.output_dim", m.output_dim);
  v.boolean("model.tied_embeddings", m.tied_embeddings);
  auto& a = m.attention;
  v.choice("model.attention.type", a.type, attention_type_names());
  v.choice("model.attention.score", a.score, optional_score_names());
  v.integer("model.attention.dim", a.dim);
  v.number("model.attention.window", a.window);
  v.integer("model.attention.max_src_len", a.max_src_len);
  v.integer("model.attention.heads", a.heads);
  v.integer("model.attention.location_filters", a.location_filters);
  v.integer("model.attention.location_kernel", a.location_kernel);
  v.choice("model.attention.normalize", a.normalize, normalization_names());
  auto& t = c.training;
  v.choice("training.optimizer", t.optimizer, optimizer_names());
  v.number("training.learning_rate", t.learning_rate);
  v.number("training.momentum", t.momentum);
  v.number("training.adam_beta1", t.adam_beta1);
  v.number("training.adam_beta2", t.adam_beta2);
  v.number("training.adam_eps", t.adam_eps);
  v.choice("training.schedule", t.schedule, schedule_names());
  v.integer("training.halving_start", t.halving_start);
  v.number("training.plateau_factor", t.plateau_factor);
  v.integer("training.plateau_patience", t.plateau_patience);
  v.number("training.min_learning_rate", t.min_learning_rate);
  v.integer("training.batch_size", t.batch_size);
  v.choice("training.batch_type", t.batch_by_tokens, batch_type_names());
  v.integer("training.epochs", t.epochs);
  v.integer("training.steps", t.steps);
  v.number("training.clip_norm", t.clip_norm);
  v.number("training.label_smoothing", t.label_smoothing);
  v.integer("training.seed", t.seed);
  v.boolean("training.shuffle", t.shuffle);
  v.boolean("training.bucket", t.bucket);
  v.integer("training.threads", t.threads);
  v.integer("training.log_every", t.log_every);
  v.number("training.ema_decay", t.ema_decay);
  v.integer("training.shards", t.shards);
  auto& val = c.validation;
  v.integer("validation.every", val.every);
  v.choice("validation.metric", val.metric, metric_names());
  v.integer("validation.patience", val.patience);
  v.integer("validation.batch_size", val.batch_size);
  v.number("validation.max_output_ratio", val.max_output_ratio);
  v.choice("validation.bleu_tokenize", val.bleu_tokenize, bleu_tokenizer_names());
  v.integer("validation.examples", val.examples);
  v.integer("validation.snapshots", val.snapshots);
  v.integer("checkpoint.keep_last", c.checkpoint.keep_last);
  v.integer("checkpoint.every", c.checkpoint.every);
  v.integer("checkpoint.average_last", c.checkpoint.average_last);
  auto& cmp = c.compare;
  v.list("compare.variants", cmp.variants);
  v.indices("compare.sentences", cmp.sentences);
  v.integer("compare.beam_size", cmp.beam_size);
  v.number("compare.alpha", cmp.alpha);
  v.text("compare.gold", cmp.gold);
  v.boolean("compare.gold_one_based", cmp.gold_one_based);
  v.integer("compare.seeds", cmp.seeds);
}

// Recipe → Config. The recipe has checked every value against its key's type and range.
struct Reader {
  const Recipe& r;
  void text(const char* key, std::string& field) { field = r.string(key); }
  void integer(const char* key, std::int64_t& field) { field = r.integer(key); }
  void number(const char* key, double& field) { field = r.number(key); }
  void boolean(const char* key, bool& field) { field = r.boolean(key); }
  void list(const char* key, std::vector<std::string>& field) { field = r.list(key); }
  void indices(const char* key, std::vector<std::size_t>& field) {
    field.clear();
    for (const std::string& s : r.list(key)) field.push_back(static_cast<std::size_t>(std::stoull(s)));  // ≤ 9 digits (check())
  }
  template <class E>
  void choice(const char* key, E& field, const EnumNames<E>& names) {
    if (const auto value = names.find(r.string(key))) {
      field = *value;
      return;
    }
    throw std::logic_error(std::string("recipe key ") + key + ": the choice \"" + r.string(key) + "\" has no field value");
  }
};

// Config → Recipe, every value checked again as if it came from a file.
struct Writer {
  Recipe& r;
  void set(const char* key, const std::string& value) { r.set(key, value, "configuration"); }
  void text(const char* key, const std::string& field) { set(key, field); }
  void integer(const char* key, std::int64_t field) { set(key, std::to_string(field)); }
  // The shortest text that reads back as the same double: a resumed run trains with
  // exactly the numbers of the first session.
  void number(const char* key, double field) { set(key, fmt::format("{}", field)); }
  void boolean(const char* key, bool field) { set(key, field ? "true" : "false"); }
  void list(const char* key, const std::vector<std::string>& field) {
    std::string joined;
    for (const std::string& s : field) joined += (joined.empty() ? "" : ",") + s;
    set(key, joined);
  }
  void indices(const char* key, const std::vector<std::size_t>& field) {
    std::string joined;
    for (std::size_t i : field) joined += (joined.empty() ? "" : ",") + std::to_string(i);
    set(key, joined);
  }
  template <class E>
  void choice(const char* key, const E& field, const EnumNames<E>& names) {
    set(key, names.name(field));
  }
};

Config to_config(const Recipe& recipe) {
  Config c;
  Reader reader{recipe};
  bind_fields(c, reader);
  c.source = recipe.source();
  return c;
}

Recipe to_recipe(const Config& config) {
  Recipe r = Recipe::defaults();
  Writer writer{r};
  bind_fields(config, writer);
  return r;
}

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

}  // namespace

BleuOptions ValidationConfig::bleu_options() const {
  BleuOptions options;
  options.tokenize = bleu_tokenize;
  return options;
}

Config default_config() { return to_config(Recipe::defaults()); }

void check_config(const Config& c, const KeyOrigin& origin) {
  auto where = [&](std::initializer_list<const char*> keys) { return origin ? origin(keys) : std::string("configuration"); };
  const AttentionSettings& a = c.model.attention;
  try {
    validate_variant(a.type, a.resolved_score());
  } catch (const std::invalid_argument& e) {
    throw RecipeError(where({"model.attention.score", "model.attention.type"}) + ": model.attention.score: " + e.what());
  }
  try {  // the model's own rules (its sizes, each variant's settings), blamed on their keys
    check_model_config(model_config(c.model, 1, 1));
  } catch (const InvalidSetting& e) {
    const std::string key = "model." + e.field();
    throw RecipeError(where({key.c_str(), "model.attention.type"}) + ": " + key + ": " + e.why());
  }
  const CheckpointConfig& k = c.checkpoint;
  if (k.average_last > k.keep_last) {
    throw RecipeError(fmt::format("{}: checkpoint.average_last is {} but checkpoint.keep_last keeps only {} checkpoints: "
                                  "raise keep_last",
                                  where({"checkpoint.average_last", "checkpoint.keep_last"}), k.average_last, k.keep_last));
  }
  if (c.training.epochs == 0 && c.training.steps == 0) {
    throw RecipeError(where({"training.epochs", "training.steps"}) +
                      ": training.epochs and training.steps are both 0: set at least one to end training");
  }
  const DataConfig& d = c.data;
  if (!d.is_toy()) {
    if (d.train.empty()) {
      throw RecipeError(where({}) +
                        ": data.train is empty: name the training files (or set data.task to a toy task)");
    }
    if (d.dev.empty()) throw RecipeError(where({}) + ": data.dev is empty: name the dev files");
  } else if (d.toy.min_length > d.toy.max_length) {
    throw RecipeError(where({"data.toy.min_length", "data.toy.max_length"}) +
                      ": data.toy.min_length is larger than data.toy.max_length");
  }
}

Config checked_config(const Recipe& r) {
  r.check();
  Config c = to_config(r);
  check_config(c, [&r](std::initializer_list<const char*> keys) { return r.blame(keys); });
  return c;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Recipe r = Recipe::load(path);
  for (const std::string& o : overrides) r.set_override(o);
  return checked_config(r);
}

Config parse_config(const std::string& yaml, const std::string& path) {
  return checked_config(Recipe::parse(yaml, path));
}

std::string config_yaml(const Config& config) { return to_recipe(config).to_yaml(); }

std::vector<KeyDifference> config_differences(const Config& before, const Config& after) {
  const Recipe a = to_recipe(before), b = to_recipe(after);
  std::vector<KeyDifference> out;
  for (const RecipeKey& k : recipe_keys()) {
    // string() is any key's value as the resolved recipe writes it
    if (a.string(k.name) != b.string(k.name)) out.push_back({k.name, a.string(k.name), b.string(k.name)});
  }
  return out;
}

const std::vector<std::string>& resume_keys() {
  static const std::vector<std::string> keys{
      "training.epochs",       "training.steps",      "training.min_learning_rate", "training.log_every",
      "validation.patience",   "validation.every",    "validation.examples",        "checkpoint.every",
      "checkpoint.keep_last",  "checkpoint.average_last"};
  return keys;
}

std::string default_run_dir(const Config& config) {
  if (!config.run.dir.empty()) return config.run.dir;
  return (std::filesystem::path("runs") / std::filesystem::path(config.source).stem()).string();
}

std::string recipe_keys_markdown() {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const RecipeKey& k : recipe_keys()) {
    std::string type = type_name(k);
    if (k.type == KeyType::choice) {
      type.clear();
      for (const auto& c : k.choices) type += (type.empty() ? "" : " \\| ") + c;
    }
    out += fmt::format("| `{}` | {} | `{}` | {} |\n", k.name, type, k.default_value.empty() ? "\"\"" : k.default_value, k.help);
  }
  return out;
}

namespace {

// Collects the keys bind_fields() binds.
struct KeyCollector {
  std::vector<std::string> keys;
  void add(const char* key) { keys.emplace_back(key); }
  void text(const char* key, std::string&) { add(key); }
  void integer(const char* key, std::int64_t&) { add(key); }
  void number(const char* key, double&) { add(key); }
  void boolean(const char* key, bool&) { add(key); }
  void list(const char* key, std::vector<std::string>&) { add(key); }
  void indices(const char* key, std::vector<std::size_t>&) { add(key); }
  template <class E>
  void choice(const char* key, E&, const EnumNames<E>&) {
    add(key);
  }
};

}  // namespace

std::vector<std::string> bound_recipe_keys() {
  KeyCollector collector;
  Config c;
  bind_fields(c, collector);
  return collector.keys;
}

}  // namespace nmtx
