#include "nmtx/data/corpus.h"

#include <unordered_map>

namespace nmtx {

std::vector<std::size_t> InternedText::counts() const {
  std::vector<std::size_t> c(types.size(), 0);
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    for (std::size_t k = 0; k < sentences.length(i); ++k) ++c[sentences.begin(i)[k]];
  }
  return c;
}

TokenSequences InternedText::to_vocab(const Vocab& vocab) const {
  std::vector<int> map(types.size());
  for (std::size_t t = 0; t < types.size(); ++t) map[t] = vocab.id(types[t]);
  TokenSequences out;
  std::vector<int> ids;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    ids.clear();
    for (std::size_t k = 0; k < sentences.length(i); ++k) ids.push_back(map[sentences.begin(i)[k]]);
    out.push_back(ids.data(), ids.size());
  }
  return out;
}

std::vector<std::string> InternedText::tokens(std::size_t i) const {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < sentences.length(i); ++k) out.push_back(types[sentences.begin(i)[k]]);
  return out;
}

std::string ParallelFiles::describe() const {
  return tsv.empty() ? src + " / " + tgt
                     : tsv + " (columns " + std::to_string(src_column + 1) + " and " + std::to_string(tgt_column + 1) + ")";
}

namespace {

class Interner {
 public:
  explicit Interner(InternedText& text) : text_(text) {}
  void add_sentence(const std::vector<std::string>& tokens) {
    ids_.clear();
    for (const std::string& t : tokens) {
      auto [it, inserted] = index_.try_emplace(t, static_cast<int>(text_.types.size()));
      if (inserted) text_.types.push_back(t);
      ids_.push_back(it->second);
    }
    text_.sentences.push_back(ids_.data(), ids_.size());
  }

 private:
  InternedText& text_;
  std::unordered_map<std::string, int> index_;
  std::vector<int> ids_;
};

// Splits a TSV line into its columns (views into `line`).
void split_tabs(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
}

}  // namespace

ParallelText read_parallel(const ParallelFiles& files, const Segmenter& src_seg, const Segmenter& tgt_seg,
                           std::size_t max_length) {
  ParallelText out;
  Interner src_in(out.src), tgt_in(out.tgt);
  std::vector<std::string> src_tokens, tgt_tokens;
  auto add_pair = [&](std::string_view src_line, std::string_view tgt_line, std::size_t number) {
    src_tokens.clear();
    tgt_tokens.clear();
    src_seg.segment(src_line, src_tokens);
    tgt_seg.segment(tgt_line, tgt_tokens);
    if (src_tokens.empty() || tgt_tokens.empty()) {
      ++out.skipped_empty;
      return;
    }
    if (max_length > 0 && (src_tokens.size() > max_length || tgt_tokens.size() > max_length)) {
      ++out.skipped_long;
      return;
    }
    src_in.add_sentence(src_tokens);
    tgt_in.add_sentence(tgt_tokens);
    out.line_numbers.push_back(number);
  };

  std::size_t lines = 0;
  if (!files.tsv.empty()) {
    std::vector<std::string_view> columns;
    const std::size_t needed = std::max(files.src_column, files.tgt_column) + 1;
    for_each_line(files.tsv, [&](std::string_view line, std::size_t number) {
      split_tabs(line, columns);
      if (columns.size() < needed) {
        throw InputError(files.tsv, number, "expected at least " + std::to_string(needed) +
                                                " tab-separated columns, found " + std::to_string(columns.size()));
      }
      add_pair(columns[files.src_column], columns[files.tgt_column], number);
      lines = number;
    });
    if (lines == 0) throw InputError(files.tsv, 0, "the file is empty, expected one sentence pair per line");
    return out;
  }

  // Two files read side by side: the source in memory first (the smaller cost than
  // reading both in lockstep through two decompressors with a line-count check at the end).
  const std::vector<std::string> sources = read_lines(files.src);
  if (sources.empty()) throw InputError(files.src, 0, "the file is empty, expected one sentence per line");
  for_each_line(files.tgt, [&](std::string_view line, std::size_t number) {
    if (number > sources.size()) {
      throw InputError(files.tgt, number, "has more lines than " + files.src + " (" + std::to_string(sources.size()) +
                                              "): the two sides of a parallel corpus must have one line per pair");
    }
    add_pair(sources[number - 1], line, number);
    lines = number;
  });
  if (lines == 0) throw InputError(files.tgt, 0, "the file is empty, expected one sentence per line");
  if (lines < sources.size()) {
    throw InputError(files.tgt, 0, "has " + std::to_string(lines) + " lines but " + files.src + " has " +
                                       std::to_string(sources.size()) + ": the two sides must have one line per pair");
  }
  return out;
}

ParallelCorpus to_corpus(const ParallelText& text, const Vocab& src_vocab, const Vocab& tgt_vocab) {
  return {text.src.to_vocab(src_vocab), text.tgt.to_vocab(tgt_vocab)};
}

}  // namespace nmtx
