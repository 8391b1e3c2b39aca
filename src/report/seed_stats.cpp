#include "nmtx/report/seed_stats.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace nmtx {

SeedStats seed_stats(const std::vector<double>& values) {
  SeedStats s;
  s.n = values.size();
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = s.n > 1 ? std::sqrt(squares / static_cast<double>(s.n - 1)) : 0.0;
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

std::string format_stats(const SeedStats& s, int decimals) {
  if (s.n == 0) return "n/a";
  if (s.n == 1) return fmt::format("{:.{}f}", s.mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f} ({:.{}f}–{:.{}f})", s.mean, decimals, s.sd, decimals, s.min, decimals, s.max,
                     decimals);
}

Series seed_band(const std::vector<Series>& seeds, const std::string& name) {
  Series out;
  out.name = name;
  if (seeds.empty()) return out;
  std::map<double, std::vector<double>> at;  // x → every seed's y there
  for (const Series& s : seeds) {
    for (const auto& [x, y] : s.points) at[x].push_back(y);
  }
  for (const auto& [x, ys] : at) {
    if (ys.size() != seeds.size()) continue;  // not every seed got there
    const SeedStats st = seed_stats(ys);
    out.points.emplace_back(x, st.mean);
    out.band.emplace_back(st.min, st.max);
  }
  return out;
}

}  // namespace nmtx
