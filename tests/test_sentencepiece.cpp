// SentencePiece through Debian's library: training is deterministic, segmentation is
// undone exactly by join(), and lowercasing applies before segmentation.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nmtx/data/segmenter.h"

using namespace nmtx;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> sentences() {
  const std::vector<std::string> words{"house", "houses", "housing", "mouse", "mice", "green", "greenhouse",
                                       "the", "a", "small", "smaller", "smallest", "dog", "dogs"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < 400; ++i) {
    std::string s;
    for (std::size_t k = 0; k < 3 + i % 5; ++k) s += (k ? " " : "") + words[(i * 7 + k * 3) % words.size()];
    out.push_back(s);
  }
  return out;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("SentencePiece models train deterministically and segment reversibly") {
  const fs::path d = fs::temp_directory_path() / ("nmtx-test-spm-" + std::to_string(::getpid()));
  fs::create_directories(d);
  SentencePieceOptions o;
  o.vocab_size = 40;
  train_sentencepiece(sentences(), /*lowercase=*/true, o, (d / "a.model").string());
  train_sentencepiece(sentences(), /*lowercase=*/true, o, (d / "b.model").string());
  REQUIRE(fs::exists(d / "a.model"));
  // The model file records its own path; its pieces and scores (the .vocab) are the model.
  REQUIRE(!bytes_of(d / "a.vocab").empty());
  CHECK(bytes_of(d / "a.vocab") == bytes_of(d / "b.vocab"));

  const auto spm = load_sentencepiece((d / "a.model").string(), /*lowercase=*/true);
  std::vector<std::string> pieces;
  spm->segment("The SMALLEST greenhouse", pieces);
  REQUIRE(pieces.size() >= 3);
  CHECK(pieces.size() < 20);  // subwords, not characters only
  for (const std::string& p : pieces) CHECK(p.find("S") == std::string::npos);  // lowercased first
  CHECK(spm->join(pieces) == "the smallest greenhouse");
  CHECK(spm->normalise("The House") == "the house");
  CHECK_THROWS_WITH_AS(load_sentencepiece((d / "none.model").string(), false), doctest::Contains("none.model"),
                       std::runtime_error);
  fs::remove_all(d);
}
