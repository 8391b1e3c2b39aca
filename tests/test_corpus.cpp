// Parallel corpora (two files or TSV, errors for mismatches), their compact form, and
// batching (every sentence once per epoch, seeded, bucketed, token limits).
#include <doctest/doctest.h>

#include "test_files.h"
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "nmtx/data/batching.h"
#include "nmtx/data/corpus.h"

using namespace nmtx;
using nmtx::test::fresh_dir;
namespace fs = std::filesystem;

namespace {

// A corpus whose sentence i has source length src[i] and target length tgt[i].
ParallelCorpus corpus_of_lengths(const std::vector<int>& src, const std::vector<int>& tgt) {
  ParallelCorpus c;
  for (std::size_t i = 0; i < src.size(); ++i) {
    const std::vector<int> s(src[i], 4 + static_cast<int>(i % 5)), t(tgt[i], 5);
    c.src.push_back(s.data(), s.size());
    c.tgt.push_back(t.data(), t.size());
  }
  return c;
}

}  // namespace

TEST_CASE("a parallel corpus is read into flat token arrays, skipping empty and long pairs") {
  const fs::path d = fresh_dir("corpus");
  test::write_file(d / "c.de", "ein Haus\n\nzwei kleine Häuser hier\nja\n");
  test::write_file(d / "c.en", "a house\nnothing\ntwo small houses here\nyes\n");
  const auto word = make_plain_segmenter(TokenLevel::word, /*lowercase=*/true);
  ParallelFiles files;
  files.src = (d / "c.de").string();
  files.tgt = (d / "c.en").string();
  const ParallelText text = read_parallel(files, *word, *word, /*max_length=*/3);
  REQUIRE(text.size() == 2);
  CHECK(text.skipped_empty == 1);
  CHECK(text.skipped_long == 1);
  CHECK(text.line_numbers == std::vector<std::size_t>{1, 4});
  CHECK(text.src.tokens(0) == std::vector<std::string>{"ein", "haus"});
  const Vocab src_vocab = Vocab::build(text.src.types, text.src.counts(), 0, 1);
  const Vocab tgt_vocab = Vocab::build(text.tgt.types, text.tgt.counts(), 0, 1);
  const ParallelCorpus c = to_corpus(text, src_vocab, tgt_vocab);
  REQUIRE(c.size() == 2);
  REQUIRE(c.src.length(0) == 2);
  CHECK(c.src.sentence(0) == std::vector<int>{src_vocab.id("ein"), src_vocab.id("haus")});
  CHECK(c.tgt.sentence(1) == std::vector<int>{tgt_vocab.id("yes")});
  CHECK(c.src.tokens() == 3);  // one flat array: 2 + 1 tokens
  fs::remove_all(d);
}

TEST_CASE("a tab-separated corpus reads the columns it is told to") {
  const fs::path d = fresh_dir("tsv");
  test::write_file(d / "pairs.tsv", "Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\tCC-BY 2.0\n");
  const auto word = make_plain_segmenter(TokenLevel::word, false);
  ParallelFiles files;
  files.tsv = (d / "pairs.tsv").string();
  files.src_column = 1;
  files.tgt_column = 0;
  const ParallelText text = read_parallel(files, *word, *word);
  REQUIRE(text.size() == 2);
  CHECK(text.src.tokens(1) == std::vector<std::string>{"Salut", "!"});
  CHECK(text.tgt.tokens(1) == std::vector<std::string>{"Hi."});
  files.tgt_column = 3;
  CHECK_THROWS_WITH_AS(read_parallel(files, *word, *word),
                       doctest::Contains("pairs.tsv:1: expected at least 4 tab-separated columns, found 3"), InputError);
  fs::remove_all(d);
}

TEST_CASE("mismatched, empty and missing files are errors naming them") {
  const fs::path d = fresh_dir("mismatch");
  test::write_file(d / "a.src", "1\n2\n3\n");
  test::write_file(d / "a.tgt", "1\n2\n");
  test::write_file(d / "b.tgt", "1\n2\n3\n4\n");
  test::write_file(d / "empty.tgt", "");
  const auto word = make_plain_segmenter(TokenLevel::word, false);
  ParallelFiles f;
  f.src = (d / "a.src").string();
  f.tgt = (d / "a.tgt").string();
  CHECK_THROWS_WITH_AS(read_parallel(f, *word, *word), doctest::Contains("a.tgt: has 2 lines but"), InputError);
  f.tgt = (d / "b.tgt").string();
  CHECK_THROWS_WITH_AS(read_parallel(f, *word, *word), doctest::Contains("b.tgt:4: has more lines than"), InputError);
  f.tgt = (d / "empty.tgt").string();
  CHECK_THROWS_WITH_AS(read_parallel(f, *word, *word), doctest::Contains("empty.tgt: the file is empty"), InputError);
  f.tgt = (d / "none.tgt").string();
  CHECK_THROWS_WITH_AS(read_parallel(f, *word, *word), doctest::Contains("none.tgt: cannot open"), InputError);
  fs::remove_all(d);
}

TEST_CASE("an epoch's batches hold every sentence once, in a seeded order") {
  std::vector<int> src, tgt;
  for (int i = 0; i < 1000; ++i) {
    src.push_back(1 + (i * 7919) % 40);
    tgt.push_back(1 + (i * 104729) % 30);
  }
  const ParallelCorpus c = corpus_of_lengths(src, tgt);
  BatchingOptions o;
  o.batch_size = 32;
  o.pool_batches = 10;
  const auto batches = epoch_batches(c, o, 7);
  std::vector<std::uint32_t> seen;
  for (const auto& b : batches) {
    CHECK(b.size() <= 32);
    seen.insert(seen.end(), b.begin(), b.end());
  }
  REQUIRE(seen.size() == 1000);
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  CHECK(epoch_batches(c, o, 7) == batches);
  CHECK(epoch_batches(c, o, 8) != batches);

  // Bucketing puts similar lengths together: far less padding than a plain shuffle.
  auto padding = [&](const std::vector<BatchIndices>& bs) {
    std::size_t pad = 0;
    for (const auto& b : bs) {
      std::size_t longest = 0;
      for (auto i : b) longest = std::max(longest, c.src.length(i));
      for (auto i : b) pad += longest - c.src.length(i);
    }
    return pad;
  };
  BatchingOptions plain = o;
  plain.bucket = false;
  CHECK(padding(batches) * 4 < padding(epoch_batches(c, plain, 7)));

  // Token batches: sentences × the longest side (target + 1) stay within the limit.
  BatchingOptions tokens = o;
  tokens.by_tokens = true;
  tokens.batch_size = 400;
  std::size_t total = 0;
  for (const auto& b : epoch_batches(c, tokens, 7)) {
    std::size_t longest = 0;
    for (auto i : b) longest = std::max({longest, c.src.length(i), c.tgt.length(i) + 1});
    CHECK(longest * b.size() <= 400);
    total += b.size();
  }
  CHECK(total == 1000);
}

TEST_CASE("a batch made from corpus indices is padded and time-major") {
  const ParallelCorpus c = corpus_of_lengths({3, 1}, {2, 4});
  const Batch b = make_batch(c, {1, 0});
  REQUIRE(b.size == 2);
  REQUIRE(b.src_len == 3);
  REQUIRE(b.tgt_len == 5);
  CHECK(b.src_lengths == std::vector<int>{1, 3});
  CHECK(b.src[0 * 2 + 0] == 5);               // sentence 1's only token (4 + 1 % 5)
  CHECK(b.src[1 * 2 + 0] == Vocab::kPad);
  CHECK(b.tgt_in[0] == Vocab::kBos);
  CHECK(b.tgt_out[4 * 2 + 0] == Vocab::kEos);  // after sentence 1's 4 target tokens
}
