// BLEU and chrF as sacreBLEU computes them: hand-computed cases, the tokenisers rule by
// rule, and sacreBLEU's own expected numbers for its toy cases and for four WMT17
// systems (../shared/data; fails under CI=true when missing, skips otherwise).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nmtx/data/text.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/eval/chrf.h"
#include "nmtx/eval/tokenize.h"
#include "shared_data.h"

using namespace nmtx;
using nmtx::test::have_shared;
using nmtx::test::kWmt;

namespace {

// Rows of a TSV file, header first.
std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : read_lines(path)) {
    std::vector<std::string> cells;
    std::stringstream in(line);
    for (std::string cell; std::getline(in, cell, '\t');) cells.push_back(cell);
    if (!line.empty() && line.back() == '\t') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

BleuOptions none_tokenized() { return BleuOptions::tokenised(); }

}  // namespace

TEST_CASE("BLEU of an exact match is 100, of an empty output 0") {
  const Bleu same = corpus_bleu({"the cat sat on the mat"}, {{"the cat sat on the mat"}});
  CHECK(same.score == doctest::Approx(100.0));
  CHECK(same.brevity_penalty == doctest::Approx(1.0));
  // No match at all scores 0 before any smoothing (sacreBLEU 2's early stop, its issue #141;
  // exp smoothing would otherwise give p_n = 1 / (2^n · count_n) and about 7.99).
  const Bleu none = corpus_bleu({"a b c d"}, {{"w x y z"}});
  CHECK(none.score == 0.0);
  CHECK(sentence_bleu("a b c d", {"w x y z"}).score == 0.0);
  // One unigram match is enough for smoothing to apply to the higher orders.
  CHECK(corpus_bleu({"a b c w"}, {{"w x y z"}}).score == doctest::Approx(100.0 * std::pow(1.0 / 4 * 1.0 / 6 * 1.0 / 8 * 1.0 / 8, 0.25)));
  const Bleu empty = corpus_bleu({""}, {{"w x y z"}});
  CHECK(empty.score == 0.0);
  CHECK(empty.hyp_len == 0);
  CHECK_THROWS_WITH_AS(corpus_bleu({"a", "b"}, {{"a"}}), doctest::Contains("2 hypotheses but a reference set of 1"),
                       std::invalid_argument);
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
  CHECK(smoothed.score == doctest::Approx(100.0 * std::pow(0.75 * (2.0 / 3.0) * 0.5 * 0.5, 0.25)));
  // The closest reference length decides the brevity penalty (ties: the shorter).
  const Bleu two = corpus_bleu({"a b c"}, {{"a b"}, {"a b c d"}});
  CHECK(two.ref_len == 2);
  CHECK(two.brevity_penalty == doctest::Approx(1.0));
  CHECK(corpus_bleu({"a b c"}, {{"a b c d e f"}, {"a b c d"}}).ref_len == 4);
}

TEST_CASE("the 13a and intl tokenisers, rule by rule") {
  CHECK(tokenize_13a("Hello, world.") == "Hello , world .");
  CHECK(tokenize_13a("It costs $3,000.50 (approx.)") == "It costs $ 3,000.50 ( approx . )");
  CHECK(tokenize_13a("1990-2000 well-known") == "1990 - 2000 well-known");
  CHECK(tokenize_13a("&quot;quoted&quot; &amp; &lt;b&gt;") == "\" quoted \" & < b >");
  CHECK(tokenize_13a("don't") == "don't");
  CHECK(tokenize_13a("a..b") == "a . . b");
  CHECK(tokenize_13a("  spaced\tout  ") == "spaced out");
  CHECK(tokenize_intl("Größe: 3,5 m.") == "Größe : 3,5 m .");
  CHECK(tokenize_intl("Preis: 5€.") == "Preis : 5 € .");  // € is a symbol (Sc)
  CHECK(tokenize_intl("«Ja», sagte er…") == "« Ja » , sagte er …");
  CHECK(tokenize_intl("1990.") == "1990.");  // mteval-v14's own quirk, kept by sacreBLEU
  CHECK(full_lowercase("ÄBC İstanbul ΣΑΣ") == "äbc i̇stanbul σας");
  CHECK(split_whitespace("a\u00A0b\u3000c  d").size() == 4);
  CHECK(rstrip_whitespace("text \u2003\t") == "text");
}

TEST_CASE("BLEU options: smoothing, effective order, lowercase, signatures") {
  BleuOptions floor = none_tokenized();
  floor.smooth = BleuSmoothing::floor;
  floor.smooth_value = 0.01;
  CHECK(sentence_bleu("this is a fest", {"this is a test"}, floor).score / 100 ==
        doctest::Approx(0.223606797749979).epsilon(1e-12));
  BleuOptions lower;
  lower.lowercase = true;
  CHECK(corpus_bleu({"The Cat Sat Down"}, {{"the cat sat down"}}, lower).score == doctest::Approx(100.0));
  CHECK(bleu_signature({}, 1) == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0");
  CHECK(bleu_signature(floor, 2) == "nrefs:2|case:mixed|eff:no|tok:none|smooth:floor[0.01]|version:2.0.0");
  CHECK_THROWS_WITH_AS(parse_bleu_tokenizer("moses"), doctest::Contains("valid: 13a, intl, none"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_bleu_smoothing("add-1"), doctest::Contains("valid: exp, floor, add-k, none"),
                       std::invalid_argument);
}

TEST_CASE("BLEU matches sacreBLEU on its toy cases") {
  const std::string dir = kWmt + "/toy_bleu_cases";
  if (!have_shared(dir)) return;
  const auto hyps = read_lines(dir + "/hyps.txt");
  const auto ref0 = read_lines(dir + "/ref0.txt"), ref1 = read_lines(dir + "/ref1.txt");
  REQUIRE(hyps.size() == 3);
  REQUIRE(ref0.size() == 3);
  REQUIRE(ref1.size() == 3);
  const auto rows = read_tsv(dir + "/expected.tsv");
  REQUIRE(rows.size() == 7);
  std::size_t checked = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    REQUIRE(row.size() == 5);
    INFO(row[0]);
    // sacreBLEU's options in the file, each mapped to ours; a row we cannot map fails.
    BleuOptions o;
    if (row[3] == "tokenize=none") o.tokenize = BleuTokenizer::none;
    else if (row[3] == "tokenize=intl") o.tokenize = BleuTokenizer::intl;
    else if (row[3] == "smooth_method=none") o.smooth = BleuSmoothing::none;
    else if (row[3] != "tokenize=13a" && row[3].rfind("default", 0) != 0) FAIL("unknown sacreBLEU options: " << row[3]);
    const std::vector<std::string> h = row[0] == "corpus_empty_hyps" ? std::vector<std::string>(3) : hyps;
    const double expected = std::stod(row[4]);
    const double got = corpus_bleu(h, {ref0, ref1}, o).score;
    CHECK(got == doctest::Approx(expected).epsilon(1e-7));
    checked += got == doctest::Approx(expected).epsilon(1e-7);
  }
  CHECK(checked == 6);  // every case of the file compared and equal

  const auto sentences = read_tsv(dir + "/sentence_cases.tsv");
  REQUIRE(sentences.size() == 9);
  for (std::size_t r = 1; r < sentences.size(); ++r) {
    const auto& row = sentences[r];
    INFO(row[0] << " | " << row[2]);
    if (row[3] == "BLEU/100") {
      BleuOptions o = none_tokenized();
      o.smooth = BleuSmoothing::floor;
      if (row[2].find("floor(0.01)") != std::string::npos) o.smooth_value = 0.01;
      if (row[2].find("floor(0.0)") != std::string::npos) o.smooth_value = 0.0;
      CHECK(sentence_bleu(row[0], {row[1]}, o).score / 100 == doctest::Approx(std::stod(row[4])).epsilon(1e-9));
    } else {  // "4,2,1,0 / 6,5,4,3": matches and totals under 13a
      const BleuStats s = sentence_stats(row[0], {row[1]});
      std::string got;
      for (int n = 0; n < 4; ++n) got += (n ? "," : "") + std::to_string(static_cast<int>(s.matches[n]));
      got += " / ";
      for (int n = 0; n < 4; ++n) got += (n ? "," : "") + std::to_string(static_cast<int>(s.totals[n]));
      CHECK(got == row[4]);
    }
  }
}

TEST_CASE("BLEU and chrF match the published scores of four WMT17 systems") {
  if (!have_shared(kWmt + "/expected_scores.tsv")) return;
  const auto ref = read_lines(kWmt + "/newstest2017-ende-ref.de.gz");
  REQUIRE(ref.size() == 3004);
  const auto rows = read_tsv(kWmt + "/expected_scores.tsv");
  REQUIRE(rows.size() == 5);
  const auto& header = rows[0];
  auto column = [&](const std::string& name) {
    const auto at = static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    REQUIRE_MESSAGE(at < header.size(), "no column " << name);
    return at;
  };
  // Each comparison is checked and counted when it holds: the counts below say how many
  // published numbers nmtx reproduced.
  std::size_t bleu_checked = 0, intl_checked = 0, chrf_checked = 0;
  auto close = [](double got, const std::string& expected, double tolerance) {
    const bool ok = std::abs(got - std::stod(expected)) <= tolerance;
    CHECK_MESSAGE(ok, got << " vs " << expected);
    return ok;
  };
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    REQUIRE(row.size() == header.size());
    INFO(row[0]);
    const auto hyps = read_lines(kWmt + "/systems/" + row[0] + ".gz");
    REQUIRE(hyps.size() == 3004);
    const Bleu bleu = corpus_bleu(hyps, {ref});
    bleu_checked += close(bleu.score, row[column("BLEU_13a_cased_mteval-v13a")], 0.01) &&
                    close(bleu.score, row[column("BLEU_13a_recomputed_4dp")], 0.0001);
    if (!row[column("BLEU_intl_mteval-v14")].empty()) {
      BleuOptions intl;
      intl.tokenize = BleuTokenizer::intl;
      intl_checked += close(corpus_bleu(hyps, {ref}, intl).score, row[column("BLEU_intl_mteval-v14")], 0.01);
    }
    if (!row[column("chrF_eps")].empty()) {
      ChrfOptions eps;
      eps.eps_smoothing = true;
      const bool chrf = close(corpus_chrf(hyps, {ref}, eps).score, row[column("chrF_eps")], 0.01);
      eps.word_order = 2;
      chrf_checked += chrf && close(corpus_chrf(hyps, {ref}, eps).score, row[column("chrF++_eps")], 0.01);
    }
  }
  CHECK(bleu_checked == 4);
  CHECK(intl_checked == 1);
  CHECK(chrf_checked == 1);
}

TEST_CASE("chrF by hand") {
  // Identical strings: every order matches fully.
  CHECK(corpus_chrf({"abc def"}, {{"abc def"}}).score == doctest::Approx(100.0));
  // "ab" vs "abc" (6 orders): orders 1-2 shared; precision 1, recall 2/3 and 1/2;
  // averaged over the 2 effective orders: P = 1, R = 7/12; F2 = 5PR / (4P + R).
  const double P = 1.0, R = (2.0 / 3.0 + 1.0 / 2.0) / 2.0;
  CHECK(corpus_chrf({"ab"}, {{"abc"}}).score == doctest::Approx(100.0 * 5 * P * R / (4 * P + R)));
  CHECK(corpus_chrf({"xyz"}, {{"abc"}}).score == 0.0);
  CHECK(corpus_chrf({"ab"}, {{"abc"}}).str().rfind("chrF2 = ", 0) == 0);
  CHECK(chrf_signature({}, 1) == "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.0.0");
}
