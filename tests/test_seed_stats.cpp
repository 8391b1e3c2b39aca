// Statistics over training seeds (report/seed_stats.h), against values worked by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "nmtx/report/seed_stats.h"

using namespace nmtx;

TEST_CASE("seed statistics: mean, sample standard deviation, min and max") {
  const SeedStats s = seed_stats({36.0, 37.0, 38.0, 39.0});
  CHECK(s.n == 4);
  CHECK(s.mean == 37.5);
  CHECK(s.sd == doctest::Approx(std::sqrt(5.0 / 3.0)));  // Σ (x − 37.5)² = 5, over n − 1 = 3
  CHECK(s.min == 36.0);
  CHECK(s.max == 39.0);
  CHECK(format_stats(s, 2) == "37.50 ± 1.29 (36.00–39.00)");
  CHECK(format_stats(seed_stats({36.25}), 2) == "36.25");
  CHECK(seed_stats({36.25}).sd == 0.0);
  CHECK(format_stats(seed_stats({}), 2) == "n/a");
}

TEST_CASE("a curve over seeds: the mean and the min-max band where every seed has a point") {
  const Series a{"a", {{100, 1.0}, {200, 3.0}, {300, 5.0}}, {}};
  const Series b{"b", {{100, 3.0}, {200, 4.0}}, {}};  // stopped early: no point at 300
  const Series band = seed_band({a, b}, "v");
  CHECK(band.name == "v");
  REQUIRE(band.points.size() == 2);
  REQUIRE(band.band.size() == 2);
  CHECK(band.points[0] == std::make_pair(100.0, 2.0));
  CHECK(band.points[1] == std::make_pair(200.0, 3.5));
  CHECK(band.band[0] == std::make_pair(1.0, 3.0));
  CHECK(band.band[1] == std::make_pair(3.0, 4.0));
}
