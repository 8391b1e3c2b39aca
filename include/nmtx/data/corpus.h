// Parallel corpora held compactly: each side is one flat array of token ids with sentence
// offsets (no heap object per sentence or token). Reading goes through a Segmenter, and
// token strings are interned while reading so that a vocabulary can be built from the
// counts and every token mapped to its id without a second pass over the text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"

namespace nmtx {

// Sentences as token ids, sentence i being ids[offsets[i] .. offsets[i+1]).
class TokenSequences {
 public:
  std::size_t size() const { return offsets_.size() - 1; }
  std::size_t length(std::size_t i) const { return offsets_[i + 1] - offsets_[i]; }
  const int* begin(std::size_t i) const { return ids_.data() + offsets_[i]; }
  std::vector<int> sentence(std::size_t i) const { return {begin(i), begin(i) + length(i)}; }
  std::size_t tokens() const { return ids_.size(); }
  void push_back(const int* ids, std::size_t n) {
    ids_.insert(ids_.end(), ids, ids + n);
    offsets_.push_back(ids_.size());
  }

 private:
  std::vector<int> ids_;
  std::vector<std::size_t> offsets_{0};
};

// Tokenised text before it meets a vocabulary: ids index `types`.
struct InternedText {
  std::vector<std::string> types;
  TokenSequences sentences;
  std::vector<std::size_t> counts() const;  // per type, over the sentences
  TokenSequences to_vocab(const Vocab& vocab) const;
  std::vector<std::string> tokens(std::size_t i) const;  // sentence i as strings
};

// Where a parallel set lives: two files (src, tgt), or one tab-separated file whose
// columns src_column and tgt_column hold the sides (Tatoeba's form).
struct ParallelFiles {
  std::string src, tgt;  // two files
  std::string tsv;       // or one tab-separated file
  std::size_t src_column = 0, tgt_column = 1;
  std::string describe() const;
};

struct ParallelText {
  InternedText src, tgt;
  std::vector<std::size_t> line_numbers;  // per kept pair, its 1-based line in the files
  std::size_t skipped_empty = 0;          // pairs dropped because a side had no tokens
  std::size_t skipped_long = 0;           // pairs dropped by the length filter
  std::size_t size() const { return line_numbers.size(); }
};

// Reads a parallel set. Pairs where either side has no tokens are skipped (counted);
// max_length > 0 also skips pairs with a side longer than that many tokens. Errors (each
// naming the file and line): a missing or empty file, different line counts, a TSV line
// without the columns, invalid UTF-8.
ParallelText read_parallel(const ParallelFiles& files, const Segmenter& src, const Segmenter& tgt,
                           std::size_t max_length = 0);

// A parallel corpus in vocabulary ids, what batches are cut from.
struct ParallelCorpus {
  TokenSequences src, tgt;
  std::size_t size() const { return src.size(); }
};
ParallelCorpus to_corpus(const ParallelText& text, const Vocab& src_vocab, const Vocab& tgt_vocab);

}  // namespace nmtx
