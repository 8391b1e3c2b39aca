#include "nmtx/eval/significance.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "nmtx/eval/numpy_random.h"
#include "nmtx/eval/reference_sets.h"

namespace nmtx {

namespace {

// numpy's pairwise_sum for float64 (loops_utils.h.src).
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// A generator as sacreBLEU seeds one: np.random.default_rng(seed), or from the system.
NumpyGenerator generator(const std::optional<std::uint64_t>& seed) {
  if (seed) return NumpyGenerator(*seed);
  std::random_device device;
  return NumpyGenerator(std::vector<std::uint32_t>{device(), device(), device(), device()});
}

// The scores of resamples: row k of `draws` (k · n .. k · n + n - 1) names the sentences of
// resample k; their statistics are summed as numpy sums float32 rows (in order, in float32).
std::vector<double> resample_scores(const StatsMetric& metric, const StatsTable& table,
                                    const std::vector<std::int64_t>& draws, std::size_t samples) {
  const std::size_t n = table.rows, c = table.columns;
  std::vector<double> scores(samples);
  std::vector<float> sum(c);
  std::vector<double> summed(c);
  for (std::size_t k = 0; k < samples; ++k) {
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      const double* row = table.values.data() + static_cast<std::size_t>(draws[k * n + i]) * c;
      for (std::size_t j = 0; j < c; ++j) sum[j] += static_cast<float>(row[j]);
    }
    for (std::size_t j = 0; j < c; ++j) summed[j] = sum[j];
    scores[k] = metric.score(summed, true);
  }
  return scores;
}

std::size_t checked_rows(const std::vector<std::vector<StatsTable>>& stats, std::size_t metrics) {
  if (stats.empty()) throw std::invalid_argument("paired test: no systems");
  const std::size_t n = stats[0].empty() ? 0 : stats[0][0].rows;
  for (const auto& system : stats) {
    if (system.size() != metrics) throw std::invalid_argument("paired test: a system lacks a metric's statistics");
    for (const StatsTable& t : system) {
      if (t.rows != n) throw std::invalid_argument("paired test: the systems have different numbers of sentences");
    }
  }
  if (n == 0) throw std::invalid_argument("paired test: no sentences");
  return n;
}

}  // namespace

StatsMetric bleu_stats_metric(const BleuOptions& options) {
  StatsMetric m;
  m.name = "BLEU";
  m.sentence = [options](const std::string& hypothesis, const std::vector<std::string>& references) {
    const BleuStats s = sentence_stats(hypothesis, references, options);
    std::vector<double> row{static_cast<double>(s.hyp_len), static_cast<double>(s.ref_len)};
    row.insert(row.end(), s.matches.begin(), s.matches.end());
    row.insert(row.end(), s.totals.begin(), s.totals.end());
    return row;
  };
  // BLEU divides no two statistics: float32 copies score as the exact ones.
  m.score = [options](const std::vector<double>& v, bool) {
    BleuStats s;
    s.hyp_len = static_cast<std::size_t>(v.at(0));
    s.ref_len = static_cast<std::size_t>(v.at(1));
    for (std::size_t n = 0; n < 4; ++n) {
      s.matches[n] = v.at(2 + n);
      s.totals[n] = v.at(6 + n);
    }
    return bleu_from_stats(s, options).score;
  };
  return m;
}

StatsMetric chrf_stats_metric(const ChrfOptions& options) {
  StatsMetric m;
  m.name = "chrF" + std::to_string(options.beta) + std::string(static_cast<std::size_t>(options.word_order), '+');
  m.sentence = [options](const std::string& hypothesis, const std::vector<std::string>& references) {
    return chrf_sentence_stats(hypothesis, references, options);
  };
  m.score = [options](const std::vector<double>& v, bool float32) {
    return float32 ? chrf_from_float32_stats(v, options) : chrf_from_stats(v, options);
  };
  return m;
}

StatsMetric ter_stats_metric(const TerOptions& options) {
  StatsMetric m;
  m.name = "TER";
  m.sentence = [options](const std::string& hypothesis, const std::vector<std::string>& references) {
    return ter_sentence_stats(hypothesis, references, options);
  };
  m.score = [](const std::vector<double>& v, bool float32) { return ter_from_stats(v, float32); };
  return m;
}

std::vector<double> StatsTable::sum() const {
  std::vector<double> out(columns, 0.0);
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) out[j] += values[i * columns + j];
  }
  return out;
}

StatsTable sentence_stats_table(const StatsMetric& metric, const std::vector<std::string>& hypotheses,
                                const std::vector<std::vector<std::string>>& references) {
  check_reference_sets(metric.name, hypotheses.size(), references);
  StatsTable t;
  t.rows = hypotheses.size();
  std::vector<std::string> refs(references.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    for (std::size_t k = 0; k < references.size(); ++k) refs[k] = references[k][i];
    const std::vector<double> row = metric.sentence(hypotheses[i], refs);
    if (i == 0) t.columns = row.size();
    if (row.size() != t.columns) throw std::logic_error(metric.name + ": sentences with different numbers of statistics");
    t.values.insert(t.values.end(), row.begin(), row.end());
  }
  return t;
}

std::size_t PairedTestOptions::samples_or_default() const {
  if (samples > 0) return samples;
  return kind == PairedTestKind::bootstrap ? 1000 : 10000;
}

double numpy_mean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  constexpr std::size_t kBuffer = 8192;  // numpy's reduction buffer
  double sum = 0.0;
  for (std::size_t at = 0; at < values.size(); at += kBuffer) {
    sum += pairwise_sum(values.data() + at, std::min(kBuffer, values.size() - at));
  }
  return sum / static_cast<double>(values.size());
}

std::pair<double, double> estimate_ci(std::vector<double> scores) {
  std::sort(scores.begin(), scores.end());
  const std::size_t n = scores.size(), lower = n / 40, upper = n - lower - 1;
  return {numpy_mean(scores), 0.5 * (scores[upper] - scores[lower])};
}

std::optional<std::uint64_t> sacrebleu_seed() {
  const char* text = std::getenv("SACREBLEU_SEED");
  if (text == nullptr) return 12345;
  std::string s(text);
  std::string lower;
  for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "none") return std::nullopt;
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("SACREBLEU_SEED=\"" + s + "\": expected a non-negative integer or \"none\"");
  }
  return std::stoull(s);
}

std::vector<std::vector<TestedScore>> paired_test(const std::vector<StatsMetric>& metrics,
                                                  const std::vector<std::vector<StatsTable>>& stats,
                                                  const PairedTestOptions& options) {
  const std::size_t n = checked_rows(stats, metrics.size()), samples = options.samples_or_default();
  const bool bootstrap = options.kind == PairedTestKind::bootstrap;
  const std::size_t systems = stats.size();
  std::vector<std::vector<TestedScore>> results(systems, std::vector<TestedScore>(metrics.size()));
  for (std::size_t s = 0; s < systems; ++s) {
    for (std::size_t m = 0; m < metrics.size(); ++m) results[s][m].score = metrics[m].score(stats[s][m].sum(), false);
  }
  if (bootstrap) {
    // The resamples: the same for the baseline's interval and every system's test.
    NumpyGenerator rng = generator(options.seed);
    const std::vector<std::int64_t> draws = rng.integers(0, static_cast<std::int64_t>(n), samples * n);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const std::vector<double> baseline = resample_scores(metrics[m], stats[0][m], draws, samples);
      std::tie(results[0][m].mean, results[0][m].ci) = estimate_ci(baseline);
      for (std::size_t s = 1; s < systems; ++s) {
        const std::vector<double> system = resample_scores(metrics[m], stats[s][m], draws, samples);
        std::tie(results[s][m].mean, results[s][m].ci) = estimate_ci(system);
        std::vector<double> differences(samples);
        for (std::size_t k = 0; k < samples; ++k) differences[k] = std::abs(system[k] - baseline[k]);
        const double mean = numpy_mean(differences);
        const double observed = std::abs(results[0][m].score - results[s][m].score);
        std::size_t above = 0;
        for (double d : differences) above += (d - mean) > observed;
        results[s][m].p_value = static_cast<double>(above + 1) / static_cast<double>(samples + 1);
      }
    }
    return results;
  }
  for (std::size_t s = 1; s < systems; ++s) {
    // Each system's trials from a fresh generator, as sacreBLEU's per-system test.
    NumpyGenerator rng = generator(options.seed);
    const std::vector<std::uint8_t> keep = rng.booleans(samples * n);  // 1: the baseline's sentence goes to A
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const StatsTable &a = stats[0][m], &b = stats[s][m];
      const std::size_t c = a.columns;
      const std::vector<double> total_a = a.sum(), total_b = b.sum();
      std::vector<double> moved(c), shuffled_a(c), shuffled_b(c);
      const double observed = std::abs(results[0][m].score - results[s][m].score);
      std::size_t above = 0;
      for (std::size_t k = 0; k < samples; ++k) {
        // A_k = Σ_i (keep ? a_i : b_i), B_k the other sentences: the totals with the
        // swapped sentences' differences moved (exact: the statistics are counts).
        std::fill(moved.begin(), moved.end(), 0.0);
        for (std::size_t i = 0; i < n; ++i) {
          if (keep[k * n + i]) continue;
          for (std::size_t j = 0; j < c; ++j) moved[j] += b.values[i * c + j] - a.values[i * c + j];
        }
        for (std::size_t j = 0; j < c; ++j) {
          shuffled_a[j] = total_a[j] + moved[j];
          shuffled_b[j] = total_b[j] - moved[j];
        }
        above += std::abs(metrics[m].score(shuffled_a, false) - metrics[m].score(shuffled_b, false)) > observed;
      }
      results[s][m].p_value = static_cast<double>(above + 1) / static_cast<double>(samples + 1);
    }
  }
  return results;
}

}  // namespace nmtx
