// The recipe schema: every key, its type, default, allowed values and meaning. docs/recipes.md
// lists the same keys (a test checks that every key here is documented there).
#include "names.h"
#include "recipe.h"

namespace nmtx {

namespace {

RecipeKey integer(const char* name, std::int64_t def, double min, double max, const char* help) {
  return {name, KeyType::integer, std::to_string(def), help, {}, min, max};
}
RecipeKey number(const char* name, const char* def, double min, double max, const char* help) {
  return {name, KeyType::number, def, help, {}, min, max};
}
RecipeKey boolean(const char* name, bool def, const char* help) {
  return {name, KeyType::boolean, def ? "true" : "false", help, {}};
}
RecipeKey text(const char* name, const char* def, const char* help) { return {name, KeyType::string, def, help, {}}; }
RecipeKey list(const char* name, const char* def, const char* help) { return {name, KeyType::list, def, help, {}}; }
// A choice among an enum's names (names.h); the first is the default.
template <class E>
RecipeKey choice(const char* name, const EnumNames<E>& names, const char* help) {
  std::vector<std::string> choices = names.names();
  std::string def = choices.front();
  return {name, KeyType::choice, def, help, std::move(choices)};
}

constexpr double kBig = 1e15;

}  // namespace

const std::vector<RecipeKey>& recipe_keys() {
  static const std::vector<RecipeKey> keys = {
      // ---- run ----
      text("run.dir", "", "run directory; empty: runs/NAME for recipe NAME.yaml (--out overrides)"),
      // ---- data: a toy task, or files ----
      choice("data.task", task_names(),
             "generate a toy task into RUN/data (none: read data.train/dev/test)"),
      integer("data.toy.train_size", 50000, 1, kBig, "toy task: training pairs"),
      integer("data.toy.dev_size", 1000, 1, kBig, "toy task: dev pairs"),
      integer("data.toy.test_size", 1000, 1, kBig, "toy task: test pairs"),
      integer("data.toy.symbols", 50, 1, 1000000, "toy task: vocabulary size (symbols 0..N-1)"),
      integer("data.toy.min_length", 1, 1, 10000, "toy task: shortest sentence"),
      integer("data.toy.max_length", 25, 1, 10000, "toy task: longest sentence"),
      integer("data.toy.seed", 1, 0, kBig, "toy task: generator seed (dev and test use derived seeds)"),
      text("data.train", "", "training set: PREFIX (files PREFIX.SRC_LANG and PREFIX.TGT_LANG) or a .tsv file"),
      text("data.dev", "", "dev set, as data.train"),
      text("data.test", "", "test set, as data.train (optional)"),
      text("data.src_lang", "src", "source file suffix"),
      text("data.tgt_lang", "tgt", "target file suffix"),
      integer("data.tsv_src_column", 0, 0, 100, "a .tsv set: 0-based column of the source"),
      integer("data.tsv_tgt_column", 1, 0, 100, "a .tsv set: 0-based column of the target"),
      choice("data.level", level_names(), "tokens: whitespace words or characters"),
      boolean("data.lowercase", false, "lowercase both sides (and the references BLEU compares with)"),
      integer("data.max_length", 100, 0, kBig, "drop training pairs with a side longer than this (tokens; 0: keep all)"),
      text("data.src_vocab", "", "load the source vocabulary from this file (one token per line) instead of building it"),
      text("data.tgt_vocab", "", "load the target vocabulary from this file instead of building it"),
      integer("data.vocab_size", 0, 0, kBig, "built vocabularies: at most this many tokens per side besides the specials (0: all)"),
      integer("data.min_freq", 1, 1, kBig, "built vocabularies: tokens seen fewer times become <unk>"),
      choice("data.subword.type", subword_names(), "subword segmentation, trained on the training set"),
      integer("data.subword.vocab_size", 8000, 10, kBig, "SentencePiece pieces per side"),
      choice("data.subword.model_type", sentencepiece_model_names(), "SentencePiece algorithm"),
      integer("data.subword.seed", -1, -1, kBig,
              "SentencePiece's training seed (-1: training.seed); fixed, runs differing only in training.seed share vocabularies"),
      // ---- model ----
      choice("model.cell", cell_names(), "recurrent cell of encoder and decoder"),
      integer("model.embed", 256, 1, kBig, "embedding size (both sides)"),
      integer("model.hidden", 256, 1, kBig, "encoder hidden size per direction"),
      integer("model.decoder_hidden", 0, 0, kBig, "decoder hidden size (0: 2 × model.hidden)"),
      integer("model.encoder_layers", 1, 1, 16, "encoder layers"),
      integer("model.decoder_layers", 1, 1, 16, "decoder layers"),
      number("model.dropout", "0.2", 0, 0.99, "dropout on embeddings, between layers and before the output layer"),
      choice("model.init", init_scheme_names(), "initialisation of weight matrices"),
      number("model.init_scale", "0.1", 0, 10, "uniform initialisation: U(-a, a)"),
      choice("model.bridge", bridge_names(), "first decoder state from the encoder"),
      boolean("model.input_feeding", true, "Luong order: feed h̃_{t-1} into the next step"),
      boolean("model.maxout", true, "Bahdanau order: maxout deep output (else tanh)"),
      integer("model.output_dim", 0, 0, kBig, "Bahdanau order: deep output size (0: model.embed)"),
      boolean("model.tied_embeddings", false, "output layer shares the target embedding"),
      choice("model.attention.type", attention_type_names(),
             "attention family, or a variant's name as the tables spell it (luong-dot, local-p-concat, ...: sets the score too)"),
      text("model.attention.score", "", "score function (empty: the type's default; see nmtx compare --help)"),
      integer("model.attention.dim", 0, 0, kBig, "hidden size of additive / concat / local-p scores (0: decoder size)"),
      number("model.attention.window", "10", 0, 1000, "local-m / local-p half-width D (at least 1 for them)"),
      integer("model.attention.max_src_len", 100, 1, kBig, "luong-location: longest source"),
      integer("model.attention.heads", 4, 1, 64, "multi-head: heads"),
      integer("model.attention.location_filters", 32, 1, 1024, "location-sensitive: convolution filters"),
      integer("model.attention.location_kernel", 31, 1, 1001, "location-sensitive: convolution width (odd)"),
      choice("model.attention.normalize", normalization_names(), "attention weights: softmax or normalised sigmoid"),
      // ---- training ----
      choice("training.optimizer", optimizer_names(), "optimiser"),
      number("training.learning_rate", "0.001", 0, 1000, "initial learning rate"),
      number("training.momentum", "0", 0, 0.999, "SGD momentum"),
      number("training.adam_beta1", "0.9", 0, 0.9999, "Adam β1"),
      number("training.adam_beta2", "0.999", 0, 0.999999, "Adam β2"),
      number("training.adam_eps", "1e-8", 0, 1, "Adam ε"),
      choice("training.schedule", schedule_names(),
             "learning rate: constant; halved every epoch after training.halving_start (Luong et al.); "
             "or multiplied by training.plateau_factor when validation stops improving"),
      integer("training.halving_start", 5, 0, kBig, "halving: the first epoch after which the rate halves"),
      number("training.plateau_factor", "0.5", 0.01, 1, "plateau: factor applied to the rate"),
      integer("training.plateau_patience", 1, 0, kBig, "plateau: validations without improvement before decaying"),
      number("training.min_learning_rate", "0", 0, 1000, "stop when the rate falls below this (0: never)"),
      integer("training.batch_size", 64, 1, kBig, "sentences, or tokens (training.batch_type) per batch"),
      choice("training.batch_type", batch_type_names(), "what training.batch_size counts"),
      integer("training.epochs", 10, 0, kBig, "epochs (0: no limit, use training.steps)"),
      integer("training.steps", 0, 0, kBig, "steps (0: no limit, use training.epochs); with both, the first reached"),
      number("training.clip_norm", "5", 0, 1e9, "global gradient-norm clipping (0: off)"),
      number("training.label_smoothing", "0", 0, 0.99, "label smoothing ε"),
      integer("training.seed", 1, 0, kBig, "seed of initialisation, shuffling and dropout"),
      boolean("training.shuffle", true, "shuffle the training set every epoch"),
      boolean("training.bucket", true, "batch sentences of similar length together"),
      integer("training.threads", 2, 1, 256, "threads (in training BLAS, or with training.shards > 1 the shards at once; sentence shards in decoding)"),
      integer("training.log_every", 100, 1, kBig, "steps between log lines and metrics.jsonl entries"),
      number("training.ema_decay", "0", 0, 0.999999,
             "exponential moving average of the parameters (e.g. 0.999), used for validation and test; 0: off"),
      integer("training.shards", 0, 0, 4096,
              "shards of each batch, computed at once on the threads and summed in shard order (0: as many as "
              "training.threads; 1: the batch whole); the same bits under mpirun -np N for any N dividing it"),
      // ---- validation and checkpoints ----
      integer("validation.every", 0, 0, kBig, "validate every N steps (0: at the end of each epoch)"),
      choice("validation.metric", metric_names(), "what makes a checkpoint the best one"),
      integer("validation.patience", 0, 0, kBig, "stop after this many validations without improvement (0: never)"),
      integer("validation.batch_size", 64, 1, kBig, "sentences per batch in validation and testing"),
      number("validation.max_output_ratio", "2", 0.1, 100, "greedy outputs stop at ratio × source length + 10 tokens"),
      choice("validation.bleu_tokenize", bleu_tokenizer_names(),
             "sacreBLEU tokenizer of dev and test BLEU: none for tokenised corpora, 13a (sacreBLEU's default) for raw text"),
      integer("validation.examples", 3, 0, 100,
              "dev sentences printed at each validation (source, reference, hypothesis), the first ones of the dev set"),
      integer("validation.snapshots", 8, 0, 1000,
              "dev sentences whose greedy output and attention every validation records in RUN/snapshots "
              "(spread over the dev set's source lengths); with gold alignments of the dev set, validation also "
              "measures the references' attention (AER, argmax accuracy, entropy in metrics.jsonl); 0: neither"),
      integer("checkpoint.keep_last", 3, 1, kBig, "checkpoints kept besides the best"),
      integer("checkpoint.every", 0, 0, kBig, "also checkpoint every N steps between validations (0: only at validations)"),
      integer("checkpoint.average_last", 0, 0, kBig, "at the end, also average the last N checkpoints and score the average on dev and test (0: off; needs keep_last >= N)"),
      // ---- nmtx compare ----
      list("compare.variants", "bahdanau,luong-dot,luong-general,luong-concat,local-m,local-p",
           "the attention variants nmtx compare trains (short names; nmtx compare --help lists them)"),
      list("compare.sentences", "0,1,2", "test sentences (0-based) whose heatmaps report.html shows side by side"),
      integer("compare.beam_size", 5, 1, 100, "beam size of the beam-search BLEU column"),
      number("compare.alpha", "0.6", 0, 10, "length normalisation of the beam-search BLEU column"),
      text("compare.gold", "", "gold alignments of the test set, Pharaoh (toy tasks use their own)"),
      boolean("compare.gold_one_based", false, "compare.gold counts positions from 1"),
      integer("compare.seeds", 1, 1, 1000,
              "training seeds per variant (training.seed, +1, ...): the table shows mean, sd, min, max"),
  };
  return keys;
}

}  // namespace nmtx
