// The recipe as typed configuration: the one seam where YAML keys become fields. A recipe
// (recipes/*.yaml, a run's config.yaml) and its --set overrides are read and checked by
// the recipe layer (recipe.h, private to config/), then turned into a Config here; code
// outside config/ reads fields, never keys. Every key of recipe_keys() is bound to exactly
// one field (config.cpp, one line per key), which also turns a Config back into YAML, so
// a changed Config (nmtx compare's variants) is written to a run's config.yaml the same
// way. The defaults keep one source, recipe_keys() (which feeds `nmtx train --keys` and
// docs/recipes.md); the member initialisers below repeat them for code that builds a
// Config directly, and a test checks that the two agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nmtx/attention/attention.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/text.h"
#include "nmtx/data/toy_tasks.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/model/seq2seq.h"
#include "nmtx/nn/init.h"
#include "nmtx/nn/rnn.h"

namespace nmtx {

// A recipe that cannot be read, or a key or value it may not have: "FILE:LINE: KEY: ...".
class RecipeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunSettings {
  std::string dir;  // run.dir; empty: runs/NAME for recipe NAME.yaml
};

struct ToyDataSettings {
  std::optional<ToyTask> task;  // data.task; none: read the files of data.train/dev/test
  std::int64_t train_size = 50000, dev_size = 1000, test_size = 1000;
  std::int64_t symbols = 50, min_length = 1, max_length = 25;
  std::int64_t seed = 1;
};

enum class SubwordType { none, sentencepiece };

struct DataConfig {
  ToyDataSettings toy;
  std::string train, dev, test;  // PREFIX, or a .tsv/.txt file; empty test: none
  std::string src_lang = "src", tgt_lang = "tgt";
  std::int64_t tsv_src_column = 0, tsv_tgt_column = 1;
  TokenLevel level = TokenLevel::word;
  bool lowercase = false;
  std::int64_t max_length = 100;  // 0: keep all
  std::string src_vocab, tgt_vocab;  // vocabulary files to load instead of building
  std::int64_t vocab_size = 0, min_freq = 1;
  SubwordType subword = SubwordType::none;
  std::int64_t subword_vocab_size = 8000;
  SentencePieceModel subword_model_type = SentencePieceModel::unigram;
  // SentencePiece's training seed; -1: training.seed (what runs did before the key existed).
  // Fixing it lets runs that differ only in training.seed share vocabularies (ensembles).
  std::int64_t subword_seed = -1;

  bool is_toy() const { return toy.task.has_value(); }
};

struct AttentionSettings {
  AttentionType type = AttentionType::luong;
  std::optional<AttentionScore> score;  // none: the type's default (resolved_score())
  std::int64_t dim = 0;
  double window = 10;
  std::int64_t max_src_len = 100, heads = 4, location_filters = 32, location_kernel = 31;
  Normalization normalize = Normalization::softmax;

  AttentionScore resolved_score() const { return score ? *score : default_score(type); }
};

// The defaults are ModelConfig's (a test checks it).
struct ModelSettings {
  CellType cell = CellType::gru;
  std::int64_t embed = 256, hidden = 256, decoder_hidden = 0;
  std::int64_t encoder_layers = 1, decoder_layers = 1;
  double dropout = 0.2;
  InitScheme init = InitScheme::uniform;
  double init_scale = 0.1;
  BridgeType bridge = BridgeType::automatic;
  bool input_feeding = true, maxout = true;
  std::int64_t output_dim = 0;
  bool tied_embeddings = false;
  AttentionSettings attention;
};

enum class OptimizerType { adam, sgd };
enum class Schedule { none, halving, plateau };

struct TrainingConfig {
  OptimizerType optimizer = OptimizerType::adam;
  double learning_rate = 0.001, momentum = 0;
  double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
  Schedule schedule = Schedule::none;
  std::int64_t halving_start = 5;
  double plateau_factor = 0.5;
  std::int64_t plateau_patience = 1;
  double min_learning_rate = 0;
  std::int64_t batch_size = 64;
  bool batch_by_tokens = false;  // training.batch_type: tokens (else sentences)
  std::int64_t epochs = 10, steps = 0;
  double clip_norm = 5, label_smoothing = 0;
  std::int64_t seed = 1;
  bool shuffle = true, bucket = true;
  std::int64_t threads = 2, log_every = 100;
  // Each global batch is cut into this many shards, computed at once on the threads and
  // summed in shard order; under mpirun (docs/distributed.md) the process count must
  // divide it. 0: as many as `threads` (the fast setting); 1: the batch whole.
  std::int64_t shards = 0;
  std::int64_t shard_count() const { return shards > 0 ? shards : threads; }
  // > 0: an exponential moving average of the parameters with this decay is what
  // validation, the best checkpoint and the test score use (train/ema.h).
  double ema_decay = 0;
};

enum class ValidationMetric { bleu, ppl, loss };

struct ValidationConfig {
  std::int64_t every = 0;  // 0: at the end of each epoch
  ValidationMetric metric = ValidationMetric::bleu;
  std::int64_t patience = 0, batch_size = 64;
  double max_output_ratio = 2;
  BleuTokenizer bleu_tokenize = BleuTokenizer::none;
  std::int64_t examples = 3;  // dev sentences printed at each validation
  std::int64_t snapshots = 8;  // dev sentences whose attention each validation records

  BleuOptions bleu_options() const;  // sacreBLEU's defaults with bleu_tokenize
};

struct CheckpointConfig {
  std::int64_t keep_last = 3, every = 0;
  std::int64_t average_last = 0;  // 0: no averaged checkpoint at the end
};

struct CompareConfig {
  std::vector<std::string> variants = {"bahdanau", "luong-dot", "luong-general", "luong-concat", "local-m", "local-p"};
  std::vector<std::size_t> sentences = {0, 1, 2};
  std::int64_t beam_size = 5;
  double alpha = 0.6;
  std::string gold;
  bool gold_one_based = false;
  // Training seeds per variant: training.seed, training.seed + 1, ... (data and
  // vocabularies unchanged); the table then shows statistics over them.
  std::int64_t seeds = 1;
};

struct Config {
  RunSettings run;
  DataConfig data;
  ModelSettings model;
  TrainingConfig training;
  ValidationConfig validation;
  CheckpointConfig checkpoint;
  CompareConfig compare;
  std::string source;  // the file it was read from ("" for the defaults)
};

// The defaults (recipe_keys()), as a Config.
Config default_config();
// Where the keys of a Config came from, for a message that blames them: the first of
// `keys` a recipe's --set or file line set ("r.yaml:14"), or "configuration".
using KeyOrigin = std::function<std::string(std::initializer_list<const char*> keys)>;
// The rules between keys (a score the attention type takes, local attention's window, the
// averaged checkpoints kept, an end to training, a toy task's lengths, the files a run
// reads), checked on the typed Config, so that one built in code (nmtx compare's variants)
// is checked as a recipe is: throws RecipeError "WHERE: KEY: ...". load_config and
// parse_config run it; train_new_run runs it on what it is given.
void check_config(const Config& config, const KeyOrigin& origin = {});
// Reads a recipe file and applies "KEY=VALUE" overrides (`--set`) in order; then checks
// the keys against each other. Throws RecipeError naming the file and line, or the --set.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// The same from YAML text; errors name `path`.
Config parse_config(const std::string& yaml, const std::string& path);
// The resolved recipe as YAML (every key, in documentation order): a run's config.yaml.
// Each value is checked against its key's type and range (RecipeError); the checks
// between keys run when it is read back: parse_config(config_yaml(c), ...) gives c back.
std::string config_yaml(const Config& config);

// A key whose value differs between two configurations, with both values as a resolved
// recipe writes them.
struct KeyDifference {
  std::string key, before, after;
};
// Every differing key, in documentation order (run.dir included).
std::vector<KeyDifference> config_differences(const Config& before, const Config& after);

// The keys `nmtx train --resume RUN --set` may change: those that only extend or stop a
// run (its length, early stopping, when it validates, checkpoints and logs). Changing any
// other key would make the rest of the run another run's.
const std::vector<std::string>& resume_keys();

// The run directory of a new run: run.dir, or runs/NAME for a recipe NAME.yaml.
std::string default_run_dir(const Config& config);

// Every recipe key as the Markdown table docs/recipes.md carries (`nmtx train --keys`).
std::string recipe_keys_markdown();

}  // namespace nmtx
