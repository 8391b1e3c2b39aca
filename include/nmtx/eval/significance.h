// Paired significance tests and bootstrap intervals as sacreBLEU 2.6 computes them
// (sacrebleu/significance.py), to its numbers: the same random draws (eval/numpy_random.h),
// the same statistics and the same arithmetic.
//   paired bootstrap (Koehn 2004)   K resamples of the sentences, drawn once
//                                   (choice(n, size=(K, n))) and shared by every system; per
//                                   system the resamples' scores give its mean and 95%
//                                   interval (sorted, the ⌊K/40⌋-th from each end, half their
//                                   distance), and p = (#{|Δ_k| − mean|Δ| > |Δ|} + 1) / (K + 1),
//                                   Δ_k the resample's difference to the baseline
//   approximate randomisation       K trials, each swapping every sentence's two outputs with
//   (Riezler & Maxwell 2005)        probability 1/2 (integers(2, size=(K, n), dtype=bool));
//                                   p = (#{|score(A_k) − score(B_k)| > |Δ|} + 1) / (K + 1)
// Each test and the baseline's interval draw from a fresh generator seeded alike (12345,
// or SACREBLEU_SEED). Bootstrap resamples sum float32 copies of the statistics, and where a
// score divides two of them numpy divides in float32 (chrF's and TER's ratios); randomised
// trials sum them exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/eval/bleu.h"
#include "nmtx/eval/chrf.h"
#include "nmtx/eval/ter.h"

namespace nmtx {

// A corpus metric through its sentences' sufficient statistics.
struct StatsMetric {
  std::string name;  // as sacreBLEU names it in its JSON: "BLEU", "chrF2", "TER"
  // The statistics of one hypothesis against its references (a fixed number of columns).
  std::function<std::vector<double>(const std::string& hypothesis, const std::vector<std::string>& references)> sentence;
  // The score of summed statistics; `float32`: as a bootstrap resample's (see above).
  std::function<double(const std::vector<double>& summed, bool float32)> score;
};

// BLEU's statistics as sacreBLEU's: hypothesis and reference lengths, then the matches and
// totals of orders 1-4.
StatsMetric bleu_stats_metric(const BleuOptions& options = {});
// chrF's: per order, hypothesis, reference and matching n-grams.
StatsMetric chrf_stats_metric(const ChrfOptions& options = {});
// TER's: the fewest edits and the average reference length.
StatsMetric ter_stats_metric(const TerOptions& options = {});

// Every sentence's statistics, row after row: rows × columns.
struct StatsTable {
  std::size_t rows = 0, columns = 0;
  std::vector<double> values;
  std::vector<double> sum() const;  // over the rows
};
// hypotheses[i] against references[k][i] for every reference set k.
StatsTable sentence_stats_table(const StatsMetric& metric, const std::vector<std::string>& hypotheses,
                                const std::vector<std::vector<std::string>>& references);

struct TestedScore {
  double score = 0.0;
  std::optional<double> p_value;  // against the baseline (none for the baseline)
  std::optional<double> mean, ci;  // the bootstrap's mean and 95% interval half-width
};

enum class PairedTestKind { bootstrap, randomization };
struct PairedTestOptions {
  PairedTestKind kind = PairedTestKind::bootstrap;
  std::size_t samples = 0;              // 0: 1,000 resamples, or 10,000 trials
  std::optional<std::uint64_t> seed = 12345;  // none: entropy from the system (SACREBLEU_SEED=None)
  std::size_t samples_or_default() const;
};

// stats[system][metric], system 0 the baseline (all over the same sentences). Returns
// results[system][metric]: the baseline with its bootstrap mean and interval (bootstrap
// test only, as sacreBLEU), every other system with its p-value against it (and, bootstrap,
// its mean and interval).
std::vector<std::vector<TestedScore>> paired_test(const std::vector<StatsMetric>& metrics,
                                                  const std::vector<std::vector<StatsTable>>& stats,
                                                  const PairedTestOptions& options);

// The seed sacreBLEU uses: SACREBLEU_SEED if set ("none": from the system), else 12345.
// Throws std::invalid_argument naming the variable for anything else.
std::optional<std::uint64_t> sacrebleu_seed();

// numpy's mean of float64 values: pairwise sums (8-way unrolled, blocks of 128) over
// buffers of 8,192, added in order.
double numpy_mean(const std::vector<double>& values);
// sacreBLEU's estimate_ci: (mean of the sorted scores, half the distance between the
// ⌊n/40⌋-th from either end).
std::pair<double, double> estimate_ci(std::vector<double> scores);

}  // namespace nmtx
