// numpy's default random generator as numpy 1.24 computes it, so that significance tests
// draw sacreBLEU's resamples (eval/significance.h): np.random.default_rng(seed) is
// Generator(PCG64(SeedSequence(seed))). Written from the algorithms of numpy's sources:
//   SeedSequence (bit_generator.pyx)  the seed's uint32 words hashed into a pool of 4
//                                     (hashmix, mix), the pool hashed out into the state
//   PCG64 (pcg64.h)                   a 128-bit LCG, state' = state · M + inc, output
//                                     XSL RR: rotr64(high ^ low, high >> 58); 32-bit draws
//                                     are a 64-bit output's low half, then its high half
//   Generator.integers (distributions.c)  Lemire's multiply-and-reject on 32-bit draws for
//                                     ranges below 2^32, on 64-bit draws above; booleans
//                                     (dtype=bool) one bit at a time from a 32-bit draw
// Generator.choice(n, size, replace=True) is integers(0, n, size): the same numbers.
#pragma once

#include <cstdint>
#include <vector>

namespace nmtx {

__extension__ typedef unsigned __int128 Uint128;  // PCG64's state (GCC and Clang)

// SeedSequence(entropy).generate_state(n_words, uint32) with the default pool size (4) and
// no spawn key; `entropy` as numpy's _coerce_to_uint32_array gives it.
std::vector<std::uint32_t> seed_sequence_state(const std::vector<std::uint32_t>& entropy, std::size_t n_words);
// A non-negative integer seed as numpy splits it: uint32 words, lowest first (0: one word).
std::vector<std::uint32_t> seed_words(std::uint64_t seed);

class NumpyGenerator {
 public:
  explicit NumpyGenerator(std::uint64_t seed);  // np.random.default_rng(seed)
  // SeedSequence(entropy) of these uint32 words (default_rng() takes 4 from the system).
  explicit NumpyGenerator(const std::vector<std::uint32_t>& entropy);

  std::uint64_t next_uint64();  // PCG64's raw output
  std::uint32_t next_uint32();  // buffered: the low half of an output, then its high half

  // Generator.integers(low, high, size=count) (int64, high excluded), in C order; also
  // Generator.choice(high, size, replace=True) with low 0. Throws unless low < high.
  std::vector<std::int64_t> integers(std::int64_t low, std::int64_t high, std::size_t count);
  // Generator.integers(2, size=count, dtype=bool), in C order (1 for True).
  std::vector<std::uint8_t> booleans(std::size_t count);

 private:
  Uint128 state_ = 0, increment_ = 0;
  bool has_uint32_ = false;
  std::uint32_t uinteger_ = 0;
};

}  // namespace nmtx
