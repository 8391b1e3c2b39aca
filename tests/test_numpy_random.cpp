// numpy's default_rng reimplemented (eval/numpy_random.h) against what numpy 1.24.2 itself
// prints (Debian bookworm's python3-numpy, the version sacreBLEU 2.6's golden significance
// values were made with), e.g.
//   np.random.SeedSequence(12345).pool
//   np.random.default_rng(12345).choice(3004, size=(2, 6), replace=True)
//   np.random.default_rng(12345).integers(2, size=(2, 40), dtype=bool)
#include <doctest/doctest.h>

#include <numeric>
#include <stdexcept>

#include "nmtx/eval/numpy_random.h"

using namespace nmtx;

TEST_CASE("SeedSequence(12345): numpy's state words") {
  // SeedSequence(12345).generate_state(4, np.uint64), as uint32 words (little-endian halves).
  const std::vector<std::uint32_t> w = seed_sequence_state(seed_words(12345), 8);
  REQUIRE(w.size() == 8);
  const std::vector<std::uint64_t> want = {0xb5ae6482a03d837cULL, 0xbbe2996ffa1f7a2fULL, 0x64e39a9f37158f94ULL,
                                           0x3ebb0f96a013fd73ULL};
  for (std::size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK((static_cast<std::uint64_t>(w[2 * k]) | (static_cast<std::uint64_t>(w[2 * k + 1]) << 32)) == want[k]);
  }
  CHECK(seed_words(0) == std::vector<std::uint32_t>{0});
  CHECK(seed_words(0x10deadbeefULL) == std::vector<std::uint32_t>{0xdeadbeef, 0x10});  // numpy's own example
}

TEST_CASE("PCG64(12345): the raw outputs numpy prints") {
  NumpyGenerator g(12345);
  CHECK(g.next_uint64() == 0x3a32b18db2ffc19dULL);
  CHECK(g.next_uint64() == 0x51171315c9e4c4deULL);
  CHECK(g.next_uint64() == 0xcc2024823444efd9ULL);
  NumpyGenerator big((1ULL << 40) + 5);  // a two-word seed; numpy: default_rng(2**40 + 5)
  CHECK(big.next_uint64() == 0x1369aef039fedebULL);
}

TEST_CASE("choice and integers: numpy's numbers, in C order") {
  NumpyGenerator g(12345);
  const std::vector<std::int64_t> c = g.integers(0, 3004, 12);  // choice(3004, size=(2, 6))
  CHECK(c == std::vector<std::int64_t>{2100, 682, 2369, 951, 613, 2395, 1930, 2031, 2969, 1174, 2521, 999});
  NumpyGenerator seven(7);
  CHECK(seven.integers(0, 10, 8) == std::vector<std::int64_t>{9, 6, 6, 8, 5, 7, 8, 2});
  NumpyGenerator wide(12345);  // a range past 32 bits takes 64-bit draws
  CHECK(wide.integers(0, std::int64_t{1} << 40, 4) ==
        std::vector<std::int64_t>{249958600114, 348279477705, 876712591924, 743549873828});
  // sacreBLEU's whole index matrix: choice(3004, size=(1000, 3004)); numpy: its sum and last three
  NumpyGenerator bs(12345);
  const std::vector<std::int64_t> all = bs.integers(0, 3004, 1000 * 3004);
  REQUIRE(all.size() == 3004000);
  CHECK(std::accumulate(all.begin(), all.end(), std::int64_t{0}) == 4509159366);
  CHECK(std::vector<std::int64_t>(all.end() - 3, all.end()) == std::vector<std::int64_t>{2378, 2300, 79});
  CHECK_THROWS_AS(bs.integers(5, 5, 1), std::invalid_argument);
}

TEST_CASE("integers(2, dtype=bool): a bit at a time, numpy's numbers") {
  NumpyGenerator g(12345);
  const std::vector<std::uint8_t> b = g.booleans(80);  // size=(2, 40)
  const std::vector<int> want = {1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0,
                                 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1,
                                 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1};
  REQUIRE(b.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(b[i] == want[i]);
  }
  // sacreBLEU's AR trials: integers(2, size=(10000, 3004), dtype=bool); numpy: the count of
  // True and the last five
  NumpyGenerator ar(12345);
  const std::vector<std::uint8_t> all = ar.booleans(10000 * 3004);
  CHECK(std::accumulate(all.begin(), all.end(), std::int64_t{0}) == 15016669);
  CHECK(std::vector<std::uint8_t>(all.end() - 5, all.end()) == std::vector<std::uint8_t>{0, 1, 1, 0, 1});
}
