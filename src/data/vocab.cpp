#include "nmtx/data/vocab.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "nmtx/io/files.h"
#include "nmtx/data/text.h"

namespace nmtx {

const std::vector<std::string>& Vocab::specials() {
  static const std::vector<std::string> names{"<pad>", "<unk>", "<s>", "</s>"};
  return names;
}

Vocab::Vocab() {
  for (const std::string& s : specials()) add(s);
}

void Vocab::add(const std::string& token) {
  index_.emplace(token, static_cast<int>(tokens_.size()));
  tokens_.push_back(token);
}

Vocab Vocab::build(const std::vector<std::string>& types, const std::vector<std::size_t>& counts, std::size_t max_size,
                   std::size_t min_freq) {
  if (types.size() != counts.size()) throw std::invalid_argument("Vocab::build: types and counts differ in size");
  std::vector<std::size_t> order(types.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return counts[a] != counts[b] ? counts[a] > counts[b] : types[a] < types[b];
  });
  Vocab v;
  std::size_t added = 0;
  for (std::size_t i : order) {
    if (max_size > 0 && added == max_size) break;
    if (counts[i] < min_freq) break;
    if (v.contains(types[i])) continue;  // a special spelled in the text is that special
    v.add(types[i]);
    ++added;
  }
  return v;
}

Vocab Vocab::load(const std::string& path) {
  Vocab v;
  for_each_line(path, [&](std::string_view line, std::size_t number) {
    const std::string token(line);
    if (token.empty() || token.find_first_of(" \t") != std::string::npos) {
      throw InputError(path, number, "expected one token per line (no empty lines, no spaces)");
    }
    const auto it = v.index_.find(token);
    if (it != v.index_.end()) {
      if (it->second < kSpecials) return;  // the file's own <unk>, <s>, </s>
      const std::string shown = token.size() > 64 ? token.substr(0, 64) + "..." : token;
      throw InputError(path, number, "token \"" + shown + "\" is listed twice (a vocabulary lists each token once)");
    }
    v.add(token);
  });
  if (v.size() == kSpecials) throw InputError(path, 0, "the vocabulary file lists no tokens");
  return v;
}

void Vocab::save(const std::string& path) const {
  std::string text;
  for (const std::string& t : tokens_) text += t + "\n";
  write_file_atomically(path, text);
}

int Vocab::id(std::string_view token) const {
  const auto it = index_.find(std::string(token));
  return it == index_.end() ? kUnk : it->second;
}

const std::string& Vocab::token(int id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size()) {
    throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary (size " +
                            std::to_string(tokens_.size()) + ")");
  }
  return tokens_[id];
}

}  // namespace nmtx
