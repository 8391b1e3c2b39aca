// How a line of text becomes tokens and tokens become text again: words (whitespace),
// characters, or SentencePiece subwords (Kudo & Richardson 2018, Debian's
// libsentencepiece), each optionally after lowercasing. The model only ever sees tokens;
// join() is what the user reads and what BLEU scores.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nmtx/core/enum_names.h"
#include "nmtx/data/text.h"

namespace nmtx {

class Segmenter {
 public:
  virtual ~Segmenter() = default;
  // Appends the tokens of `line` (lowercased first when the segmenter lowercases).
  virtual void segment(std::string_view line, std::vector<std::string>& tokens) const = 0;
  // The text of a token sequence (inverse of segment, up to whitespace and case).
  virtual std::string join(const std::vector<std::string>& tokens) const = 0;
  // The text as this segmenter's output would be compared with: lowercased or not.
  std::string normalise(std::string_view line) const { return lowercase_ ? utf8_lowercase(line) : std::string(line); }
  bool lowercase() const { return lowercase_; }

 protected:
  explicit Segmenter(bool lowercase) : lowercase_(lowercase) {}
  bool lowercase_;
};

// Whitespace words or characters (text.h's tokenize / detokenize).
std::unique_ptr<Segmenter> make_plain_segmenter(TokenLevel level, bool lowercase);

// SentencePiece's training algorithm (its --model_type).
enum class SentencePieceModel { unigram, bpe };
const EnumNames<SentencePieceModel>& sentencepiece_model_names();  // "unigram", "bpe"

struct SentencePieceOptions {
  std::size_t vocab_size = 8000;
  SentencePieceModel model_type = SentencePieceModel::unigram;
  float character_coverage = 1.0f;
  std::uint32_t seed = 1;               // SentencePiece's sampling seed
};
// Trains a SentencePiece model on `lines` (lowercased first if asked) and writes it to
// `model_path` (+ its .vocab beside). Single-threaded, seeded: deterministic.
void train_sentencepiece(const std::vector<std::string>& lines, bool lowercase, const SentencePieceOptions& options,
                         const std::string& model_path);
// A segmenter from a trained model file.
std::unique_ptr<Segmenter> load_sentencepiece(const std::string& model_path, bool lowercase);

}  // namespace nmtx
