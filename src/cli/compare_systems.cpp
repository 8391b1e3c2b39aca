// Several systems scored against the same references (nmtx bleu / chrf with -i A B ...):
// their scores, and with --paired-bs or --paired-ar sacreBLEU 2.6's paired test against
// the first (eval/significance.h), as a table or as sacreBLEU's JSON (-f json).
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "common.h"
#include "nmtx/eval/significance.h"

namespace nmtx::cli {

namespace {

// sacreBLEU's signature with the test's entries where it puts them (after nrefs).
std::string with_test(const std::string& signature, const std::string& test, std::size_t samples,
                      const std::optional<std::uint64_t>& seed) {
  const std::size_t bar = signature.find('|');
  const std::string added = fmt::format("{}:{}|seed:{}", test, samples, seed ? std::to_string(*seed) : "none");
  return bar == std::string::npos ? signature + "|" + added : signature.substr(0, bar + 1) + added + signature.substr(bar);
}

}  // namespace

int print_system_comparison(const cxxopts::ParseResult& args, const ScoredText& in, const std::string& own_metric,
                            const BleuOptions& bleu, const ChrfOptions& chrf, const TerOptions& ter) {
  const bool bs = args.count("paired-bs") > 0, ar = args.count("paired-ar") > 0;
  if (bs && ar) throw cxxopts::exceptions::exception("--paired-bs and --paired-ar exclude each other");
  if ((bs || ar) && in.systems.size() < 2) {
    throw cxxopts::exceptions::exception("a paired test needs a baseline and at least one system: -i BASELINE SYSTEM ...");
  }
  const std::string format = args["format"].as<std::string>();
  if (format != "text" && format != "json") throw cxxopts::exceptions::exception("--format: text or json, got \"" + format + "\"");
  std::vector<std::string> names = args.count("metrics") ? args["metrics"].as<std::vector<std::string>>() : std::vector<std::string>{own_metric};
  std::vector<StatsMetric> metrics;
  std::vector<std::string> signatures;
  for (const std::string& name : names) {
    if (name == "bleu") {
      metrics.push_back(bleu_stats_metric(bleu));
      signatures.push_back(bleu_signature(bleu, in.references.size()));
    } else if (name == "chrf") {
      metrics.push_back(chrf_stats_metric(chrf));
      signatures.push_back(chrf_signature(chrf, in.references.size()));
    } else if (name == "ter") {
      metrics.push_back(ter_stats_metric(ter));
      signatures.push_back(ter_signature(ter, in.references.size()));
    } else {
      throw cxxopts::exceptions::exception("--metrics: \"" + name + "\" is not one of bleu, chrf, ter");
    }
  }
  std::vector<std::vector<StatsTable>> stats;
  for (const auto& hypotheses : in.systems) {
    auto& system = stats.emplace_back();
    for (const StatsMetric& m : metrics) system.push_back(sentence_stats_table(m, hypotheses, in.references));
  }
  PairedTestOptions test;
  test.kind = ar ? PairedTestKind::randomization : PairedTestKind::bootstrap;
  test.samples = args["paired-n"].as<std::size_t>();
  test.seed = sacrebleu_seed();
  std::vector<std::vector<TestedScore>> results;
  if (bs || ar) {
    results = paired_test(metrics, stats, test);
    for (std::string& s : signatures) s = with_test(s, bs ? "bs" : "ar", test.samples_or_default(), test.seed);
  } else {
    for (const auto& system : stats) {
      auto& row = results.emplace_back();
      for (std::size_t m = 0; m < metrics.size(); ++m) row.push_back({metrics[m].score(system[m].sum(), false), {}, {}, {}});
    }
  }
  auto system_name = [&](std::size_t s) { return (s == 0 && (bs || ar) ? "Baseline: " : "") + in.names[s]; };
  if (format == "json") {  // sacreBLEU's keys in its order: system, then each metric's score, p_value, mean, ci
    using ordered = nlohmann::ordered_json;
    auto value = [](const std::optional<double>& v) { return v ? ordered(*v) : ordered(nullptr); };
    ordered out = ordered::array();
    for (std::size_t s = 0; s < results.size(); ++s) {
      ordered entry;
      entry["system"] = system_name(s);
      for (std::size_t m = 0; m < metrics.size(); ++m) {
        const TestedScore& r = results[s][m];
        if (!bs && !ar) {  // sacreBLEU's JSON without a test holds the formatted score
          entry[metrics[m].name] = fmt::format("{:.{}f}", r.score, args["width"].as<int>());
          continue;
        }
        ordered fields;
        fields["score"] = r.score;
        fields["p_value"] = value(r.p_value);
        fields["mean"] = value(r.mean);
        fields["ci"] = value(r.ci);
        entry[metrics[m].name] = fields;
      }
      out.push_back(entry);
    }
    fmt::print("{}\n", out.dump(4));
    return 0;
  }
  const int w = args["width"].as<int>();
  std::size_t name_width = 6;
  for (std::size_t s = 0; s < results.size(); ++s) name_width = std::max(name_width, system_name(s).size());
  std::string header = fmt::format("{:<{}}", "System", name_width);
  for (const StatsMetric& m : metrics) header += fmt::format("  {:<30}", m.name + (bs ? " (μ ± 95% CI)" : ""));
  auto print_line = [](std::string line) {  // the columns' padding, not at the end of a line
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  print_line(header);
  for (std::size_t s = 0; s < results.size(); ++s) {
    std::string line = fmt::format("{:<{}}", system_name(s), name_width);
    for (const TestedScore& r : results[s]) {
      std::string cell = fmt::format("{:.{}f}", r.score, w);
      if (r.mean) cell += fmt::format(" ({:.{}f} ± {:.{}f})", *r.mean, w, *r.ci, w);
      if (r.p_value) cell += fmt::format(" p = {:.4f}{}", *r.p_value, *r.p_value < 0.05 ? "*" : "");
      line += fmt::format("  {:<30}", cell);
    }
    print_line(line);
  }
  fmt::print("\n");
  for (std::size_t m = 0; m < metrics.size(); ++m) fmt::print("{}: {}\n", metrics[m].name, signatures[m]);
  if (bs || ar) {
    fmt::print("\n{} against the baseline ({} {}); p: the chance of a difference at least this large were the "
               "systems equal; * p < 0.05.\n",
               bs ? "Paired bootstrap resampling" : "Paired approximate randomisation", test.samples_or_default(),
               bs ? "resamples" : "trials");
  }
  return 0;
}

}  // namespace nmtx::cli
