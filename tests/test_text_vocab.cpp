// Text input (UTF-8 checks, gzip, BOM/CRLF, lowercasing, tokenisation), atomic writes and
// vocabularies.
#include <doctest/doctest.h>

#include "test_files.h"
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nmtx/io/files.h"
#include "nmtx/data/text.h"
#include "nmtx/data/vocab.h"

using namespace nmtx;
using nmtx::test::fresh_dir;
namespace fs = std::filesystem;

TEST_CASE("lines are read without BOM and CR, from plain and gzip files alike") {
  const fs::path d = fresh_dir("lines");
  test::write_file(d / "plain.txt", "\xEF\xBB\xBFone two\r\nthree\n\nfour");
  gzFile gz = gzopen((d / "packed.gz").c_str(), "wb");
  const std::string text = "one two\nthree\n\nfour\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  const std::vector<std::string> want{"one two", "three", "", "four"};
  const auto plain = read_lines((d / "plain.txt").string());
  const auto packed = read_lines((d / "packed.gz").string());
  REQUIRE(plain.size() == 4);
  REQUIRE(packed.size() == 4);
  CHECK(plain == want);
  CHECK(packed == want);
  // A truncated gzip file is an error, not a silently shorter corpus.
  const std::string bytes = test::read_file(d / "packed.gz");
  test::write_file(d / "cut.gz", bytes.substr(0, bytes.size() - 12));
  CHECK_THROWS_WITH_AS(read_lines((d / "cut.gz").string()), doctest::Contains("cut.gz"), InputError);
  fs::remove_all(d);
}

TEST_CASE("a gzip bomb's endless line is an error, not gigabytes of memory") {
  // 2 MB of 'a' without a line break compress to about 2 KB.
  const fs::path d = fresh_dir("bomb");
  gzFile gz = gzopen((d / "bomb.gz").c_str(), "wb9");
  const std::string chunk(1 << 16, 'a');
  for (int i = 0; i < 32; ++i) gzwrite(gz, chunk.data(), static_cast<unsigned>(chunk.size()));
  gzclose(gz);
  CHECK(fs::file_size(d / "bomb.gz") < 8192);
  CHECK_THROWS_WITH_AS(read_lines((d / "bomb.gz").string()),
                       doctest::Contains("bomb.gz:1: a line longer than 1048576 bytes"), InputError);
  // The same from standard input, and a line just under the limit is fine.
  std::istringstream in("ok\n" + std::string(kMaxLineBytes + 1, 'b') + "\n");
  CHECK_THROWS_WITH_AS(read_lines(in, "<stdin>"), doctest::Contains("<stdin>:2: a line longer than"), InputError);
  test::write_file(d / "long.txt", "x\n" + std::string(kMaxLineBytes, 'c') + "\n");
  const auto lines = read_lines((d / "long.txt").string());
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].size() == kMaxLineBytes);
  fs::remove_all(d);
}

TEST_CASE("invalid UTF-8 is an error naming the file, line and column") {
  CHECK(invalid_utf8_at("plain ascii") == std::string_view::npos);
  CHECK(invalid_utf8_at("Grüße, Ωμέγα, 日本, 😀") == std::string_view::npos);
  CHECK(invalid_utf8_at("a\xC0\xAF") == 1);            // overlong '/'
  CHECK(invalid_utf8_at("ab\xED\xA0\x80") == 2);       // a UTF-16 surrogate
  CHECK(invalid_utf8_at("\xF4\x90\x80\x80") == 0);     // above U+10FFFF
  CHECK(invalid_utf8_at("abc\xE2\x82") == 3);          // truncated sequence
  CHECK(invalid_utf8_at("\xFF") == 0);
  const fs::path d = fresh_dir("utf8");
  test::write_file(d / "bad.txt", "fine\nalso fine\nbro\xE9ken\n");
  CHECK_THROWS_WITH_AS(read_lines((d / "bad.txt").string()),
                       doctest::Contains("bad.txt:3: invalid UTF-8 (byte 0xE9 at column 4)"), InputError);
  CHECK_THROWS_WITH_AS(read_lines((d / "missing.txt").string()), doctest::Contains("missing.txt: cannot open"),
                       InputError);
  fs::remove_all(d);
}

TEST_CASE("lowercasing works by code point, beyond ASCII") {
  CHECK(utf8_lowercase("ABC xyz") == "abc xyz");
  CHECK(utf8_lowercase("ÄÖÜ Ærø") == "äöü ærø");
  CHECK(utf8_lowercase("ΣΑΒ ЖУК") == "σαβ жук");
  CHECK(utf8_lowercase("日本 😀") == "日本 😀");
}

TEST_CASE("tokenisation by words and by characters, and back") {
  std::vector<std::string_view> t;
  tokenize("  a  bc\td ", TokenLevel::word, t);
  REQUIRE(t.size() == 3);
  CHECK(t[0] == "a");
  CHECK(t[1] == "bc");
  CHECK(t[2] == "d");
  tokenize("ab é", TokenLevel::character, t);
  REQUIRE(t.size() == 4);
  CHECK(t[2] == kSpaceSymbol);
  CHECK(t[3] == "é");
  std::vector<std::string> s(t.begin(), t.end());
  CHECK(detokenize(s, TokenLevel::character) == "ab é");
  CHECK(detokenize({"x", "y"}, TokenLevel::word) == "x y");
  CHECK_THROWS_WITH_AS(parse_token_level("bytes"), doctest::Contains("valid: word, char"), std::invalid_argument);
}

TEST_CASE("atomic writes replace a file whole and leave no temporary behind") {
  const fs::path d = fresh_dir("atomic");
  test::write_file(d / "f.txt", "old");
  write_file_atomically((d / "f.txt").string(), "new content");
  CHECK(test::read_file(d / "f.txt") == "new content");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(d)) files += e.is_regular_file();
  CHECK(files == 1);
  CHECK_THROWS_WITH_AS(write_file_atomically((d / "no" / "such" / "dir.txt").string(), "x"),
                       doctest::Contains("dir.txt"), std::runtime_error);
  fs::remove_all(d);
}

TEST_CASE("vocabularies: specials first, then by frequency, ties in byte order, with limits") {
  const std::vector<std::string> types{"b", "a", "c", "d", "</s>"};
  const std::vector<std::size_t> counts{5, 5, 9, 1, 3};
  const Vocab all = Vocab::build(types, counts, 0, 1);
  REQUIRE(all.size() == 8);  // 4 specials + c a b d ("</s>" in the text is the special)
  CHECK(all.tokens() == std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "c", "a", "b", "d"});
  CHECK(all.id("a") == 5);
  CHECK(all.id("zzz") == Vocab::kUnk);
  CHECK(all.token(Vocab::kEos) == "</s>");
  CHECK_THROWS_AS(all.token(8), std::out_of_range);
  const Vocab two = Vocab::build(types, counts, 2, 1);
  REQUIRE(two.size() == 6);
  CHECK(two.tokens().back() == "a");
  const Vocab frequent = Vocab::build(types, counts, 0, 5);
  REQUIRE(frequent.size() == 7);  // c a b
  CHECK(!frequent.contains("d"));
}

TEST_CASE("vocabulary files: IWSLT's form loads, saving round-trips, bad files are errors") {
  const fs::path d = fresh_dir("vocab");
  test::write_file(d / "iwslt.vocab", "<unk>\n<s>\n</s>\nthe\n,\nhouse\n");
  const Vocab v = Vocab::load((d / "iwslt.vocab").string());
  REQUIRE(v.size() == 7);
  CHECK(v.id("<unk>") == Vocab::kUnk);
  CHECK(v.id("</s>") == Vocab::kEos);
  CHECK(v.id("the") == 4);
  CHECK(v.id("house") == 6);
  v.save((d / "copy.vocab").string());
  CHECK(test::read_file(d / "copy.vocab") == "<pad>\n<unk>\n<s>\n</s>\nthe\n,\nhouse\n");
  CHECK(Vocab::load((d / "copy.vocab").string()).tokens() == v.tokens());
  test::write_file(d / "dup.vocab", "a\nb\na\n");
  CHECK_THROWS_WITH_AS(Vocab::load((d / "dup.vocab").string()), doctest::Contains("dup.vocab:3: token \"a\" is listed twice"),
                       InputError);
  test::write_file(d / "gap.vocab", "a\n\nb\n");
  CHECK_THROWS_WITH_AS(Vocab::load((d / "gap.vocab").string()), doctest::Contains("gap.vocab:2: expected one token per line"),
                       InputError);
  test::write_file(d / "empty.vocab", "");
  CHECK_THROWS_WITH_AS(Vocab::load((d / "empty.vocab").string()), doctest::Contains("lists no tokens"), InputError);
  fs::remove_all(d);
}
