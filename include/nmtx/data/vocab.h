// A vocabulary: token strings ↔ ids. Ids 0..3 are the specials <pad> <unk> <s> </s>
// (Joey NMT's order), then the tokens, most frequent first (ties in byte order).
// Saved and loaded as one token per line, in id order (specials included), the form
// IWSLT and tensorflow/nmt ship; a loaded file's own <unk>, <s>, </s> (and <pad>) lines
// are recognised wherever they stand.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nmtx {

class Vocab {
 public:
  static constexpr int kPad = 0, kUnk = 1, kBos = 2, kEos = 3, kSpecials = 4;
  static const std::vector<std::string>& specials();  // "<pad>" "<unk>" "<s>" "</s>"

  Vocab();  // the specials only

  // From token counts: at most max_size tokens besides the specials (0: no limit), each
  // seen at least min_freq times.
  static Vocab build(const std::vector<std::string>& types, const std::vector<std::size_t>& counts,
                     std::size_t max_size, std::size_t min_freq);
  // One token per line; an empty line or a repeated token is an error naming the line.
  static Vocab load(const std::string& path);
  void save(const std::string& path) const;  // atomically

  std::size_t size() const { return tokens_.size(); }
  int id(std::string_view token) const;          // kUnk when unknown
  const std::string& token(int id) const;        // throws for an id out of range
  bool contains(std::string_view token) const { return index_.count(std::string(token)) != 0; }
  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  void add(const std::string& token);
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace nmtx
