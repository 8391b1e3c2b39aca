// Alignments: AER by hand (sure and possible links, 1-based gold, reversed gold), hard
// alignments from attention, and the attention export's files and shapes.
#include <doctest/doctest.h>

#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>

#include "nmtx/eval/aer.h"
#include "nmtx/io/npy.h"
#include "nmtx/report/attention_export.h"
#include "test_files.h"

using namespace nmtx;
namespace fs = std::filesystem;

TEST_CASE("AER by hand, with sure and possible links") {
  // A = {0-0, 1-1, 2-1}, S = {0-0, 2-2}, P = S ∪ {1-1}: |A∩S| = 1, |A∩P| = 2.
  const auto gold = parse_alignment("0-0 1p1 2-2");
  REQUIRE(gold.sure.size() == 2);
  REQUIRE(gold.possible.size() == 3);
  const Aer a = alignment_error_rate({gold}, {parse_alignment("0-0 1-1 2-1")});
  CHECK(a.precision == doctest::Approx(2.0 / 3.0));
  CHECK(a.recall == doctest::Approx(1.0 / 2.0));
  CHECK(a.aer == doctest::Approx(1.0 - 3.0 / 5.0));
  // A perfect alignment of the sure links, with possible links unused: AER 0.
  CHECK(alignment_error_rate({gold}, {parse_alignment("0-0 2-2")}).aer == doctest::Approx(0.0));
  // 1-based gold and reversed sides.
  const auto one = parse_alignment("1-2 3p1", /*one_based=*/true, /*reverse=*/true);
  CHECK(one.sure == std::set<std::pair<int, int>>{{1, 0}});
  CHECK(one.possible == std::set<std::pair<int, int>>{{1, 0}, {0, 2}});
  CHECK(parse_alignment("4?5").sure.empty());
  CHECK_THROWS_WITH_AS(parse_alignment("3x4"), doctest::Contains("\"3x4\": expected i-j"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_alignment("0-0", true), doctest::Contains("\"0-0\": position 0 in a 1-based alignment"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(alignment_error_rate({gold}, {}), doctest::Contains("1 gold lines but 0 test lines"),
                       std::invalid_argument);
}

TEST_CASE("hostile Pharaoh links: checked arithmetic, and links beyond the sentence refused") {
  // 1--2147483648 once decremented INT_MIN (signed overflow) and was accepted as INT_MAX.
  for (const char* link : {"1--2147483648", "1--5", "-1-2", "1-+2", "1- 2", "99999999999-1", "1-2147483648", "0x1-1"}) {
    CAPTURE(link);
    CHECK_THROWS_AS(parse_alignment(link, /*one_based=*/true), std::invalid_argument);
    CHECK_THROWS_AS(parse_alignment(link, /*one_based=*/false), std::invalid_argument);
  }
  CHECK_THROWS_WITH_AS(parse_alignment("1--2147483648", true), doctest::Contains("positions must be integers from 0 to 1000000"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_alignment("1000001-0"), doctest::Contains("a position above 1000000"), std::invalid_argument);
  CHECK(parse_alignment("1000000-0").sure == std::set<std::pair<int, int>>{{1000000, 0}});
  // A long link is echoed cut short.
  const std::string long_link(100000, '7');
  std::string message;
  try {
    parse_alignment(long_link + "x");
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  CHECK(message.size() < 200);
  // Against known sentence lengths (what nmtx compare does with its gold file).
  const AlignmentLine line = parse_alignment("0-0 2p1");
  CHECK_NOTHROW(check_alignment_lengths(line, 3, 2));
  CHECK_THROWS_WITH_AS(check_alignment_lengths(line, 2, 2),
                       doctest::Contains("alignment link 2-1 (0-based) lies outside the sentence pair (2 source tokens, 2 target tokens)"),
                       std::invalid_argument);
  CHECK_THROWS_AS(check_alignment_lengths(line, 3, 1), std::invalid_argument);
}

TEST_CASE("hard alignments: argmax per output token (not </s>), or a threshold") {
  SentenceAttention r;
  r.source = {"a", "b", "c"};
  r.output = {"x", "y", "</s>"};
  r.eos = true;
  r.attention.weights = {{0.1f, 0.7f, 0.2f}, {0.5f, 0.1f, 0.4f}, {0.0f, 0.0f, 1.0f}};
  REQUIRE(r.token_rows() == 2);
  CHECK(pharaoh(r.hard_alignment()) == "1-0 0-1");
  CHECK(pharaoh(r.hard_alignment(0.4f)) == "1-0 0-1 2-1");
  r.eos = false;  // cut at the length limit: every row is a token's
  CHECK(pharaoh(r.hard_alignment()) == "1-0 0-1 2-2");
}

TEST_CASE("the attention export writes matrices numpy reads with the documented shape") {
  const fs::path d = test::fresh_dir("export");
  SentenceAttention a;
  a.index = 0;
  a.source = {"das", "Haus", "<&>"};
  a.output = {"the", "house", "</s>"};
  a.eos = true;
  a.attention.weights = {{0.8f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.2f, 0.2f, 0.6f}};
  a.attention.positions = {0.0f, 1.0f, 2.0f};
  SentenceAttention b;
  b.index = 1;
  b.source = {"ja"};
  b.output = {"yes"};  // cut off before </s>
  b.attention.weights = {{1.0f}};
  const fs::path out = d / "att";
  fs::create_directories(out);
  test::write_file(out / "stale.txt", "from an earlier export");
  export_attention({a, b}, out.string());
  CHECK(!fs::exists(out / "stale.txt"));  // replaced whole
  const TensorData m = load_npy((out / "000000.npy").string());
  REQUIRE(m.shape == Shape{3, 3});
  CHECK(m.values[4] == doctest::Approx(0.8f));
  const auto j = nlohmann::json::parse(test::read_file(out / "000000.json"));
  CHECK(j["shape"] == nlohmann::json({3, 3}));
  CHECK(j["output"].back() == "</s>");
  CHECK(j["positions"].size() == 3);
  REQUIRE(load_npy((out / "000001.npy").string()).shape == Shape{1, 1});
  CHECK(test::read_file(out / "alignments.txt") == "0-0 1-1\n0-0\n");
  const std::string svg = test::read_file(out / "000000.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("&lt;&amp;&gt;") != std::string::npos);  // tokens escaped
  const std::string html = test::read_file(out / "index.html");
  std::size_t images = 0;
  for (std::size_t at = 0; (at = html.find("class=\"heatmap\"", at)) != std::string::npos; ++at) ++images;
  CHECK(images == 2);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(d)) entries += e.path().filename().string().find(".partial-") != std::string::npos;
  CHECK(entries == 0);
  fs::remove_all(d);
}

TEST_CASE("multi-head attention exports each head: (k, T, S) .npy, the JSON's heads, a heatmap per head under the mean") {
  const fs::path d = test::fresh_dir("export-heads");
  SentenceAttention a;
  a.index = 7;
  a.source = {"x", "y"};
  a.output = {"y", "x", "</s>"};
  a.eos = true;
  a.attention.heads = {{{0.0f, 1.0f}, {1.0f, 0.0f}, {0.5f, 0.5f}}, {{0.5f, 0.5f}, {1.0f, 0.0f}, {0.25f, 0.75f}}};
  a.attention.weights = {{0.25f, 0.75f}, {1.0f, 0.0f}, {0.375f, 0.625f}};  // their mean
  AlignmentLine gold;
  gold.sure = gold.possible = {{1, 0}, {0, 1}};
  a.gold = gold;
  const fs::path out = d / "att";
  export_attention({a}, out.string());
  const TensorData heads = load_npy((out / "000007.heads.npy").string());
  REQUIRE(heads.shape == Shape{2, 3, 2});
  CHECK(heads.values == std::vector<float>{0.0f, 1.0f, 1.0f, 0.0f, 0.5f, 0.5f, 0.5f, 0.5f, 1.0f, 0.0f, 0.25f, 0.75f});
  REQUIRE(load_npy((out / "000007.npy").string()).shape == Shape{3, 2});
  const auto j = nlohmann::json::parse(test::read_file(out / "000007.json"));
  CHECK(j["heads"] == nlohmann::json::parse("[[[0, 1], [1, 0], [0.5, 0.5]], [[0.5, 0.5], [1, 0], [0.25, 0.75]]]"));
  // Each head's own heatmap with its own AER: head 1 links x-y, y-x (AER 0); head 2's first
  // row ties and goes to the first position (0-0, 0-1: AER 1 - 2 * 1 / 4 = 0.5).
  CHECK(test::read_file(out / "000007.head-0.svg").find("AER 0.000") != std::string::npos);
  CHECK(test::read_file(out / "000007.head-1.svg").find("AER 0.500") != std::string::npos);
  const std::string html = test::read_file(out / "index.html");
  CHECK(html.find("<img class=\"heatmap head\" src=\"000007.head-1.svg\"") != std::string::npos);
  CHECK(html.find("<figcaption>head 2</figcaption>") != std::string::npos);
  CHECK(html.find("the large heatmap is the mean over heads") != std::string::npos);
  a.attention.heads[1].pop_back();  // a head a row short: refused, nothing written
  CHECK_THROWS_WITH_AS(export_attention({a}, (d / "bad").string()), doctest::Contains("a head of sentence 7 has 2 rows for 3 output steps"),
                       std::invalid_argument);
  CHECK(!fs::exists(d / "bad"));
  fs::remove_all(d);
}

TEST_CASE("gold links on an exported heatmap: sure ones outlined, possible ones dashed, the sentence's AER") {
  const fs::path d = test::fresh_dir("export-gold");
  SentenceAttention a;
  a.index = 0;
  a.source = {"das", "Haus"};
  a.output = {"the", "house", "</s>"};
  a.eos = true;
  // argmax links: 0-0 (the), 0-1 (house: wrong, gold says 1-1)
  a.attention.weights = {{0.9f, 0.1f}, {0.7f, 0.3f}, {0.5f, 0.5f}};
  AlignmentLine gold;
  gold.sure = {{0, 0}};
  gold.possible = {{0, 0}, {1, 1}};
  a.gold = gold;
  // AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|) = 1 - (1 + 1) / (2 + 1)
  REQUIRE(a.aer().has_value());
  CHECK(*a.aer() == doctest::Approx(1.0 / 3.0));
  const std::string svg = heatmap_svg(a);
  // cell 24, left = 5 chars * 7 + 12 = 47, top = 4 * 7 * 0.75 + 16 = 37; an outline is inset by 2
  CHECK(svg.find("<rect class=\"gold sure\" x=\"49\" y=\"39\" width=\"20\" height=\"20\"") != std::string::npos);
  CHECK(svg.find("<rect class=\"gold possible\" x=\"73\" y=\"63\"") != std::string::npos);
  CHECK(svg.find("stroke-dasharray") != std::string::npos);
  CHECK(svg.find("AER 0.333") != std::string::npos);
  const fs::path out = d / "att";
  export_attention({a}, out.string());
  const auto j = nlohmann::json::parse(test::read_file(out / "000000.json"));
  CHECK(j["gold"]["sure"] == nlohmann::json::parse("[[0, 0]]"));
  CHECK(j["gold"]["possible"] == nlohmann::json::parse("[[0, 0], [1, 1]]"));
  CHECK(j["aer"].get<double>() == doctest::Approx(1.0 / 3.0));
  const std::string html = test::read_file(out / "index.html");
  CHECK(html.find("AER against the gold links: 0.333") != std::string::npos);
  CHECK(html.find("Red outlines: gold alignment links") != std::string::npos);
  a.gold.reset();  // without gold: no outline, no legend
  CHECK(heatmap_svg(a).find("gold") == std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("the attention export takes a directory however it is written, and a failure leaves nothing") {
  const fs::path d = test::fresh_dir("export-forms");
  SentenceAttention a;
  a.source = {"a", "b"};
  a.output = {"b", "a", "</s>"};
  a.eos = true;
  a.attention.weights = {{0.1f, 0.9f}, {0.9f, 0.1f}, {0.5f, 0.5f}};
  const fs::path cwd = fs::current_path();
  fs::current_path(d);
  // The forms of README's `--attention att/`: each names d/att (written twice: once new,
  // once replacing the earlier export).
  for (const std::string& form : std::vector<std::string>{"att/", "att//", "./att", "./x/../att/", (d / "att").string() + "/"}) {
    CAPTURE(form);
    export_attention({a}, form);
    REQUIRE(fs::is_regular_file(d / "att" / "000000.npy"));
    CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator{}) == 1);  // att alone: no partial, no old copy beside it, nothing inside it but the export
  }
  CHECK(fs::is_regular_file(d / "att" / "index.html"));
  // A record that cannot be exported (a row of 3 weights for 2 source tokens): the error,
  // and neither the directories it would have made nor a partial copy stay behind.
  SentenceAttention bad = a;
  bad.attention.weights[1] = {0.2f, 0.3f, 0.5f};
  CHECK_THROWS_WITH_AS(export_attention({bad}, "new/deeper/att/"), doctest::Contains("a row of sentence 0 has 3 weights"),
                       std::invalid_argument);
  CHECK(!fs::exists(d / "new"));
  // The same into an existing export: the old export stays whole.
  CHECK_THROWS_AS(export_attention({bad}, "att"), std::invalid_argument);
  CHECK(fs::is_regular_file(d / "att" / "000000.npy"));
  CHECK(std::distance(fs::directory_iterator(d), fs::directory_iterator{}) == 1);
  fs::current_path(cwd);
  fs::remove_all(d);
}
