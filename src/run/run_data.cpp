#include "nmtx/run/run_data.h"

#include <filesystem>

#include "nmtx/config/engine_options.h"
#include "nmtx/io/files.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/toy_tasks.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// PREFIX.LANG, or PREFIX.LANG.gz when only that exists.
std::string side_file(const std::string& key, const std::string& prefix, const std::string& lang) {
  const std::string plain = prefix + "." + lang;
  if (fs::exists(plain)) return plain;
  if (fs::exists(plain + ".gz")) return plain + ".gz";
  // data/NAME/... of a corpus scripts/get-data.sh brings: say so.
  std::string hint;
  const fs::path p = fs::path(prefix).lexically_normal();
  auto part = p.begin();
  if (part != p.end() && *part == "data" && ++part != p.end()) {
    for (const char* corpus : {"multi30k", "iwslt15-en-vi", "tatoeba-en-fr", "wmt17-en-de", "word-alignment"}) {
      if (*part == corpus) hint = std::string("; `scripts/get-data.sh ") + corpus + "` puts that corpus there (data/README.md)";
    }
  }
  throw RecipeError(key + ": " + plain + ": no such file (expected PREFIX." + lang + " or PREFIX." + lang +
                    ".gz for " + key + " = " + prefix + ")" + hint);
}

// The files of a split (key "data.train", ... and its value), or nothing for an unset
// optional split.
std::optional<ParallelFiles> split_files(const DataConfig& d, const std::string& dir, const std::string& key,
                                         const std::string& value) {
  ParallelFiles f;
  if (d.is_toy()) {
    const std::string prefix = (fs::path(dir) / run_files::toy_data / key.substr(key.find('.') + 1)).string();
    f.src = prefix + ".src";
    f.tgt = prefix + ".tgt";
    return f;
  }
  if (value.empty()) return std::nullopt;
  if (ends_with(value, ".tsv") || ends_with(value, ".tsv.gz") || ends_with(value, ".txt") || ends_with(value, ".txt.gz")) {
    if (!fs::exists(value)) throw RecipeError(key + ": " + value + ": no such file");
    f.tsv = value;
    f.src_column = static_cast<std::size_t>(d.tsv_src_column);
    f.tgt_column = static_cast<std::size_t>(d.tsv_tgt_column);
    return f;
  }
  f.src = side_file(key, value, d.src_lang);
  f.tgt = side_file(key, value, d.tgt_lang);
  return f;
}

// One side's raw lines (a file, or a TSV column).
std::vector<std::string> side_lines(const ParallelFiles& f, bool source) {
  if (f.tsv.empty()) return read_lines(source ? f.src : f.tgt);
  std::vector<std::string> out;
  const std::size_t column = source ? f.src_column : f.tgt_column;
  for_each_line(f.tsv, [&](std::string_view line, std::size_t number) {
    std::size_t start = 0;
    for (std::size_t c = 0; c < column; ++c) {
      start = line.find('\t', start);
      if (start == std::string_view::npos) throw InputError(f.tsv, number, "too few tab-separated columns");
      ++start;
    }
    out.emplace_back(line.substr(start, line.find('\t', start) - start));
  });
  return out;
}

}  // namespace

std::unique_ptr<Segmenter> run_segmenter(const DataConfig& d, const std::string& dir, bool source) {
  if (d.subword == SubwordType::sentencepiece) {
    return load_sentencepiece((fs::path(dir) / (source ? run_files::src_spm : run_files::tgt_spm)).string(), d.lowercase);
  }
  return make_plain_segmenter(d.level, d.lowercase);
}

namespace {

EvalSet read_eval_set(const std::string& name, const ParallelFiles& files, const RunData& data) {
  const ParallelText text = read_parallel(files, *data.src_segmenter, *data.tgt_segmenter);
  EvalSet set;
  set.name = name;
  set.corpus = to_corpus(text, data.src_vocab, data.tgt_vocab);
  set.lines = text.line_numbers;
  const std::vector<std::string> sources = side_lines(files, true), targets = side_lines(files, false);
  for (std::size_t line : text.line_numbers) {
    set.sources.push_back(sources[line - 1]);
    set.references.push_back(data.tgt_segmenter->normalise(targets[line - 1]));
  }
  return set;
}

RunData read_run_data(const DataConfig& d, const std::string& dir, const std::function<void(const std::string&)>& log,
                      bool build_vocab) {
  RunData data;
  data.src_segmenter = run_segmenter(d, dir, true);
  data.tgt_segmenter = run_segmenter(d, dir, false);
  const ParallelFiles train_files = *split_files(d, dir, "data.train", d.train);
  const ParallelText train = read_parallel(train_files, *data.src_segmenter, *data.tgt_segmenter,
                                           static_cast<std::size_t>(d.max_length));
  if (train.size() == 0) throw InputError(train_files.describe(), 0, "no training pairs left (all empty or too long)");
  data.train_skipped_empty = train.skipped_empty;
  data.train_skipped_long = train.skipped_long;
  const fs::path run(dir);
  if (build_vocab) {
    const auto size = static_cast<std::size_t>(d.vocab_size);
    const auto min_freq = static_cast<std::size_t>(d.min_freq);
    data.src_vocab = d.src_vocab.empty() ? Vocab::build(train.src.types, train.src.counts(), size, min_freq)
                                         : Vocab::load(d.src_vocab);
    data.tgt_vocab = d.tgt_vocab.empty() ? Vocab::build(train.tgt.types, train.tgt.counts(), size, min_freq)
                                         : Vocab::load(d.tgt_vocab);
    data.src_vocab.save((run / run_files::src_vocab).string());
    data.tgt_vocab.save((run / run_files::tgt_vocab).string());
  } else {
    data.src_vocab = Vocab::load((run / run_files::src_vocab).string());
    data.tgt_vocab = Vocab::load((run / run_files::tgt_vocab).string());
  }
  data.train = to_corpus(train, data.src_vocab, data.tgt_vocab);
  log("training set " + train_files.describe() + ": " + std::to_string(train.size()) + " pairs, " +
      std::to_string(data.train.src.tokens()) + " / " + std::to_string(data.train.tgt.tokens()) + " tokens" +
      (train.skipped_empty + train.skipped_long > 0
           ? " (skipped " + std::to_string(train.skipped_empty) + " with an empty side, " +
                 std::to_string(train.skipped_long) + " longer than " + std::to_string(d.max_length) + ")"
           : std::string()) +
      "; vocabularies " + std::to_string(data.src_vocab.size()) + " / " + std::to_string(data.tgt_vocab.size()));
  data.dev = read_eval_set("dev", *split_files(d, dir, "data.dev", d.dev), data);
  if (data.dev.corpus.size() == 0) throw RecipeError("data.dev: the dev set has no sentence pairs");
  if (const auto test = split_files(d, dir, "data.test", d.test)) data.test = read_eval_set("test", *test, data);
  return data;
}

}  // namespace

void write_toy_task(const ToyDataSettings& toy, const std::string& dir) {
  const ToyConfig config = toy_config(toy);
  const auto seed = static_cast<std::uint64_t>(toy.seed);
  fs::create_directories(dir);
  const std::pair<const char*, std::int64_t> splits[] = {{"train", toy.train_size}, {"dev", toy.dev_size}, {"test", toy.test_size}};
  for (const auto& [split, size] : splits) {
    const auto count = static_cast<std::size_t>(size);
    std::string src, tgt, align;
    for (const ToyExample& ex : generate_toy(config, count, derive_seed(seed, split))) {
      for (std::size_t i = 0; i < ex.source.size(); ++i) src += (i ? " " : "") + std::to_string(ex.source[i]);
      for (std::size_t i = 0; i < ex.target.size(); ++i) tgt += (i ? " " : "") + std::to_string(ex.target[i]);
      for (std::size_t i = 0; i < ex.alignment.size(); ++i) {
        align += (i ? " " : "") + std::to_string(ex.alignment[i].first) + "-" + std::to_string(ex.alignment[i].second);
      }
      src += '\n';
      tgt += '\n';
      align += '\n';
    }
    const std::string prefix = (fs::path(dir) / split).string();
    write_file_atomically(prefix + ".src", src);
    write_file_atomically(prefix + ".tgt", tgt);
    write_file_atomically(prefix + ".align", align);
  }
}

std::uint32_t subword_seed(const Config& config) {
  const std::int64_t seed = config.data.subword_seed >= 0 ? config.data.subword_seed : config.training.seed;
  return static_cast<std::uint32_t>(seed);
}

RunData prepare_run_data(const Config& config, const std::string& dir, const std::function<void(const std::string&)>& log) {
  const DataConfig& d = config.data;
  if (d.is_toy()) {
    const ToyDataSettings& toy = d.toy;
    write_toy_task(toy, (fs::path(dir) / run_files::toy_data).string());
    log(std::string("generated the ") + toy_task_name(*toy.task) + " task (" + std::to_string(toy.train_size) +
        " training pairs, " + std::to_string(toy.symbols) + " symbols, lengths " + std::to_string(toy.min_length) + ".." +
        std::to_string(toy.max_length) + ") into " + (fs::path(dir) / run_files::toy_data).string());
  }
  if (d.subword == SubwordType::sentencepiece) {
    const ParallelFiles train = *split_files(d, dir, "data.train", d.train);
    SentencePieceOptions o;
    o.vocab_size = static_cast<std::size_t>(d.subword_vocab_size);
    o.model_type = d.subword_model_type;
    o.seed = subword_seed(config);
    for (const bool source : {true, false}) {
      log(std::string("training the ") + (source ? "source" : "target") + " SentencePiece model (" +
          std::to_string(o.vocab_size) + " pieces, " + sentencepiece_model_names().name(o.model_type) + ")");
      train_sentencepiece(side_lines(train, source), d.lowercase, o,
                          (fs::path(dir) / (source ? run_files::src_spm : run_files::tgt_spm)).string());
    }
  }
  return read_run_data(d, dir, log, /*build_vocab=*/true);
}

RunData load_run_data(const Config& config, const std::string& dir) {
  return read_run_data(config.data, dir, [](const std::string&) {}, /*build_vocab=*/false);
}

}  // namespace nmtx
