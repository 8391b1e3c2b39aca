#include "nmtx/data/segmenter.h"

namespace nmtx {

namespace {

class PlainSegmenter final : public Segmenter {
 public:
  PlainSegmenter(TokenLevel level, bool lowercase) : Segmenter(lowercase), level_(level) {}

  void segment(std::string_view line, std::vector<std::string>& tokens) const override {
    thread_local std::vector<std::string_view> views;
    if (lowercase_) {
      const std::string lower = utf8_lowercase(line);
      tokenize(lower, level_, views);
      for (std::string_view v : views) tokens.emplace_back(v);
    } else {
      tokenize(line, level_, views);
      for (std::string_view v : views) tokens.emplace_back(v);
    }
  }
  std::string join(const std::vector<std::string>& tokens) const override { return detokenize(tokens, level_); }

 private:
  TokenLevel level_;
};

}  // namespace

std::unique_ptr<Segmenter> make_plain_segmenter(TokenLevel level, bool lowercase) {
  return std::make_unique<PlainSegmenter>(level, lowercase);
}

}  // namespace nmtx
