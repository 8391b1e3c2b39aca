// Paired significance tests against sacreBLEU 2.6.0's own output (../shared/data/
// wmt17_newstest2017_en-de_systems/expected_significance: uedin-nmt against three systems
// mixed from WMT17 outputs), every number to the last digit of its double: scores,
// bootstrap means and intervals, p-values; and numpy's mean.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nmtx/data/text.h"
#include "nmtx/eval/significance.h"
#include "nmtx/eval/ter.h"
#include "shared_data.h"
#include "test_files.h"

using namespace nmtx;
using nmtx::test::have_shared;
using nmtx::test::kWmt;

namespace {

// The four systems in the golden files' order, each as its statistics for every metric.
std::vector<std::vector<StatsTable>> wmt_stats(const std::vector<StatsMetric>& metrics) {
  const std::vector<std::vector<std::string>> refs = {read_lines(kWmt + "/newstest2017-ende-ref.de.gz")};
  std::vector<std::vector<StatsTable>> stats;
  for (const char* file : {"/systems/newstest2017.uedin-nmt.4722.en-de.gz", "/expected_significance/mix-uedin-lium-20.de.gz",
                                  "/expected_significance/mix-uedin-lium-7.de.gz", "/expected_significance/mix-uedin-c3ma-15.de.gz"}) {
    const std::vector<std::string> hyps = read_lines(kWmt + std::string(file));
    REQUIRE(hyps.size() == 3004);
    auto& system = stats.emplace_back();
    for (const StatsMetric& m : metrics) system.push_back(sentence_stats_table(m, hyps, refs));
  }
  return stats;
}

void check_against(const std::string& golden, const std::vector<std::vector<TestedScore>>& got,
                   const std::vector<StatsMetric>& metrics, bool bootstrap) {
  const nlohmann::json want = nlohmann::json::parse(test::read_file(kWmt + "/expected_significance/" + golden));
  REQUIRE(want.size() == got.size());
  for (std::size_t s = 0; s < got.size(); ++s) {
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      CAPTURE(golden);
      CAPTURE(s);
      CAPTURE(metrics[m].name);
      const nlohmann::json& w = want[s].at(metrics[m].name);
      const TestedScore& g = got[s][m];
      CHECK(g.score == w["score"].get<double>());
      if (w["p_value"].is_null()) CHECK_FALSE(g.p_value.has_value());
      else CHECK(g.p_value.value_or(-1) == w["p_value"].get<double>());
      if (bootstrap) {
        CHECK(g.mean.value_or(-1) == w["mean"].get<double>());
        CHECK(g.ci.value_or(-1) == w["ci"].get<double>());
      } else {
        CHECK(w["mean"].is_null());
        CHECK_FALSE(g.mean.has_value());
      }
    }
  }
}

}  // namespace

TEST_CASE("numpy's mean: pairwise sums over buffers of 8,192") {
  // numpy 1.24.2: repr(np.mean(np.arange(1, 20001) / 7)) is 1428.6428571428576
  std::vector<double> v;
  for (int i = 1; i <= 20000; ++i) v.push_back(i / 7.0);
  CHECK(numpy_mean(v) == 1428.6428571428576);
  CHECK(estimate_ci({3.0, 1.0, 2.0}) == std::pair<double, double>{2.0, 1.0});  // n < 40: the extremes
}

TEST_CASE("paired bootstrap and approximate randomisation: sacreBLEU 2.6.0's numbers for BLEU, chrF2 and TER") {
  if (!have_shared(kWmt + "/expected_significance/paired-bs.json")) return;
  const std::vector<StatsMetric> metrics = {bleu_stats_metric(), chrf_stats_metric(), ter_stats_metric()};
  const auto stats = wmt_stats(metrics);
  check_against("paired-bs.json", paired_test(metrics, stats, {PairedTestKind::bootstrap, 0, 12345}), metrics, true);
  check_against("paired-ar.json", paired_test(metrics, stats, {PairedTestKind::randomization, 0, 12345}), metrics, false);
}

TEST_CASE("TER: sacreBLEU 2.6.0's numbers for four WMT17 systems, each option") {
  if (!have_shared(kWmt + "/expected_significance/ter.tsv")) return;
  const std::vector<std::vector<std::string>> refs = {read_lines(kWmt + "/newstest2017-ende-ref.de.gz")};
  std::size_t checked = 0;
  for (const std::string& line : read_lines(kWmt + "/expected_significance/ter.tsv")) {
    if (line.rfind("system\t", 0) == 0) continue;
    const std::size_t a = line.find('\t'), b = line.find('\t', a + 1);
    const std::string system = line.substr(0, a), option = line.substr(a + 1, b - a - 1);
    const double want = std::stod(line.substr(b + 1));
    TerOptions o;
    o.case_sensitive = option == "--ter-case-sensitive";
    o.normalized = option == "--ter-normalized";
    o.no_punct = option == "--ter-no-punct";
    CAPTURE(system);
    CAPTURE(option);
    const Ter ter = corpus_ter(read_lines(kWmt + "/systems/" + system + ".gz"), refs, o);
    CHECK(std::round(ter.score * 1e4) / 1e4 == doctest::Approx(want).epsilon(1e-12));  // as sacreBLEU -b -w 4 prints it
    ++checked;
  }
  CHECK(checked == 16);
}
