// Comparisons over training seeds (`nmtx compare --seeds N`): a metric's mean, sample
// standard deviation, minimum and maximum over the seeds that trained, and a learning
// curve's mean with its min-max band.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nmtx/report/compare_report.h"

namespace nmtx {

struct SeedStats {
  std::size_t n = 0;
  double mean = 0, sd = 0, min = 0, max = 0;  // sd: sample (n − 1); 0 when n < 2
};

// Over `values` (the seeds that did not diverge).
SeedStats seed_stats(const std::vector<double>& values);

// "37.12 ± 0.41 (36.70–37.60)"; "n/a" without values; "37.12" for one.
std::string format_stats(const SeedStats& s, int decimals);

// A variant's curve over its seeds: at every x that all the seeds' series have, the mean
// (the line) and the min and max (the band).
Series seed_band(const std::vector<Series>& seeds, const std::string& name);

}  // namespace nmtx
