// Corpus BLEU on tokenised text (sacreBLEU --tokenize none): hand-computed cases and
// sacreBLEU's own expected score for the toy cases in ../shared/data.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "nmtx/data/text.h"
#include "nmtx/eval/bleu.h"

using namespace nmtx;

TEST_CASE("BLEU of an exact match is 100, of an empty output 0") {
  const Bleu same = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
  CHECK(same.score == doctest::Approx(100.0));
  CHECK(same.brevity_penalty == doctest::Approx(1.0));
  // No match at all still scores above 0 under exp smoothing: p_n = 1 / (2^n · count_n).
  const Bleu none = corpus_bleu({"a b c d"}, {{"w x y z"}});
  CHECK(none.score == doctest::Approx(100.0 * std::pow(1.0 / 8 * 1.0 / 12 * 1.0 / 16 * 1.0 / 16, 0.25)));
  const Bleu empty = corpus_bleu({""}, {{"w x y z"}});
  CHECK(empty.score == 0.0);
  CHECK(empty.hyp_len == 0);
}

TEST_CASE("BLEU by hand: the brevity penalty, clipping and sacreBLEU's exp smoothing") {
  // Hypothesis 4 tokens, reference 5: every n-gram matches, BP = exp(1 - 5/4).
  const Bleu short_hyp = corpus_bleu({"a b c d"}, {{"a b c d e"}});
  CHECK(short_hyp.brevity_penalty == doctest::Approx(std::exp(1.0 - 5.0 / 4.0)));
  CHECK(short_hyp.score == doctest::Approx(100.0 * std::exp(1.0 - 5.0 / 4.0)));
  // Clipping: "the the the" against "the cat": 1 of 3 unigrams count. No bigram
  // matches: the first zero count becomes 1 / (2 · 2 bigrams), the next 1 / (4 · 1).
  const Bleu clipped = corpus_bleu({"the the the"}, {{"the cat"}});
  CHECK(clipped.precisions[0] == doctest::Approx(100.0 / 3.0));
  CHECK(clipped.precisions[1] == doctest::Approx(100.0 / (2.0 * 2.0)));
  CHECK(clipped.precisions[2] == doctest::Approx(100.0 / (4.0 * 1.0)));
  CHECK(clipped.precisions[3] == 0.0);  // no 4-grams at all: BLEU 0
  CHECK(clipped.score == 0.0);
  // "a b c x" vs "a b c d": p = 3/4, 2/3, 1/2 and the smoothed 1 / (2 · 1).
  const Bleu smoothed = corpus_bleu({"a b c x"}, {{"a b c d"}});
  const double want = 100.0 * std::pow(0.75 * (2.0 / 3.0) * 0.5 * 0.5, 0.25);
  CHECK(smoothed.score == doctest::Approx(want));
  // The closest reference length decides the brevity penalty (ties: the shorter).
  const Bleu two = corpus_bleu({"a b c"}, {{"a b"}, {"a b c d"}});
  CHECK(two.ref_len == 2);
  CHECK(two.brevity_penalty == doctest::Approx(1.0));
  CHECK(corpus_bleu({"a b c"}, {{"a b c d e f"}, {"a b c d"}}).ref_len == 4);
}

TEST_CASE("BLEU matches sacreBLEU on its toy cases (tokenize=none)") {
  const std::string dir = std::string(NMTX_SHARED_DATA) + "/wmt17_newstest2017_en-de_systems/toy_bleu_cases";
  if (!std::filesystem::exists(dir)) {
    REQUIRE_MESSAGE(std::getenv("CI") == nullptr, "shared data missing: " << dir);
    MESSAGE("skipped: " << dir << " is missing");
    return;
  }
  const auto hyps = read_lines(dir + "/hyps.txt");
  const auto ref0 = read_lines(dir + "/ref0.txt"), ref1 = read_lines(dir + "/ref1.txt");
  REQUIRE(hyps.size() == ref0.size());
  REQUIRE(hyps.size() == ref1.size());
  // expected.tsv: corpus_tok_none  hyps.txt  ref0.txt,ref1.txt  tokenize=none  49.1919566
  CHECK(corpus_bleu(hyps, {ref0, ref1}).score == doctest::Approx(49.1919566).epsilon(1e-7));
}
