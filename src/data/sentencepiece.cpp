// SentencePiece through Debian's libsentencepiece: training from sentences in memory
// (an iterator, so no temporary corpus file), encoding to pieces, decoding pieces.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <filesystem>
#include <stdexcept>

#include "nmtx/data/segmenter.h"

namespace nmtx {

namespace {

class LineIterator final : public sentencepiece::SentenceIterator {
 public:
  LineIterator(const std::vector<std::string>& lines, bool lowercase) : lines_(lines), lowercase_(lowercase) { load(); }
  bool done() const override { return index_ >= lines_.size(); }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return current_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void load() {
    if (!done()) current_ = lowercase_ ? utf8_lowercase(lines_[index_]) : lines_[index_];
  }
  const std::vector<std::string>& lines_;
  bool lowercase_;
  std::size_t index_ = 0;
  std::string current_;
};

class SentencePieceSegmenter final : public Segmenter {
 public:
  SentencePieceSegmenter(const std::string& path, bool lowercase) : Segmenter(lowercase) {
    const auto status = processor_.Load(path);
    if (!status.ok()) throw std::runtime_error(path + ": cannot load the SentencePiece model: " + status.ToString());
  }
  void segment(std::string_view line, std::vector<std::string>& tokens) const override {
    std::vector<std::string> pieces;
    const auto status = processor_.Encode(lowercase_ ? utf8_lowercase(line) : std::string(line), &pieces);
    if (!status.ok()) throw std::runtime_error("SentencePiece cannot encode a line: " + status.ToString());
    for (std::string& p : pieces) tokens.push_back(std::move(p));
  }
  std::string join(const std::vector<std::string>& tokens) const override {
    std::string text;
    const auto status = processor_.Decode(tokens, &text);
    if (!status.ok()) throw std::runtime_error("SentencePiece cannot decode: " + status.ToString());
    return text;
  }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

const EnumNames<SentencePieceModel>& sentencepiece_model_names() {
  static const EnumNames<SentencePieceModel> names{{"unigram", SentencePieceModel::unigram},
                                                   {"bpe", SentencePieceModel::bpe}};
  return names;
}

void train_sentencepiece(const std::vector<std::string>& lines, bool lowercase, const SentencePieceOptions& o,
                         const std::string& model_path) {
  if (lines.empty()) throw std::invalid_argument("SentencePiece: no training sentences");
  std::string prefix = model_path;
  if (prefix.size() > 6 && prefix.compare(prefix.size() - 6, 6, ".model") == 0) prefix.resize(prefix.size() - 6);
  sentencepiece::SetRandomGeneratorSeed(o.seed);
  LineIterator it(lines, lowercase);
  // The four ids nmtx reserves are its own vocabulary's business: SentencePiece only
  // produces pieces, so its specials are kept out of the pieces (ids -1 = none, except
  // unk which SentencePiece requires).
  const std::unordered_map<std::string, std::string> args{
      {"model_prefix", prefix},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"model_type", sentencepiece_model_names().name(o.model_type)},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"num_threads", "1"},
      {"input_sentence_size", "0"},  // all sentences, no sampling
      {"minloglevel", "2"},
      {"bos_id", "-1"},
      {"eos_id", "-1"},
      {"pad_id", "-1"},
      {"unk_id", "0"},
      {"hard_vocab_limit", "false"},
  };
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it);
  if (!status.ok()) throw std::runtime_error("SentencePiece training failed: " + status.ToString());
  if (prefix + ".model" != model_path) std::filesystem::rename(prefix + ".model", model_path);
}

std::unique_ptr<Segmenter> load_sentencepiece(const std::string& model_path, bool lowercase) {
  return std::make_unique<SentencePieceSegmenter>(model_path, lowercase);
}

}  // namespace nmtx
