#include "nmtx/eval/numpy_random.h"

#include <stdexcept>
#include <string>

namespace nmtx {

namespace {

// SeedSequence's constants (bit_generator.pyx).
constexpr std::uint32_t kPoolSize = 4;
constexpr std::uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875, kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr std::uint32_t kMixMultL = 0xca01f9dd, kMixMultR = 0x4973f715;
constexpr unsigned kXShift = 16;  // half a uint32

std::uint32_t hashmix(std::uint32_t value, std::uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}

std::uint32_t mix(std::uint32_t x, std::uint32_t y) {
  std::uint32_t result = kMixMultL * x - kMixMultR * y;
  result ^= result >> kXShift;
  return result;
}

// SeedSequence.mix_entropy into a pool of kPoolSize words.
std::vector<std::uint32_t> mixed_pool(const std::vector<std::uint32_t>& entropy) {
  std::vector<std::uint32_t> pool(kPoolSize);
  std::uint32_t hash_const = kInitA;
  for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = hashmix(i < entropy.size() ? entropy[i] : 0u, hash_const);
  for (std::size_t src = 0; src < pool.size(); ++src) {
    for (std::size_t dst = 0; dst < pool.size(); ++dst) {
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], hash_const));
    }
  }
  for (std::size_t src = pool.size(); src < entropy.size(); ++src) {
    for (std::size_t dst = 0; dst < pool.size(); ++dst) pool[dst] = mix(pool[dst], hashmix(entropy[src], hash_const));
  }
  return pool;
}

using u128 = Uint128;
constexpr u128 kMultiplier = (static_cast<u128>(2549297995355413924ULL) << 64) | 4865540595714422341ULL;

std::uint64_t rotr64(std::uint64_t value, unsigned rot) { return (value >> rot) | (value << ((-rot) & 63u)); }

}  // namespace

std::vector<std::uint32_t> seed_sequence_state(const std::vector<std::uint32_t>& entropy, std::size_t n_words) {
  const std::vector<std::uint32_t> pool = mixed_pool(entropy);
  std::vector<std::uint32_t> state(n_words);
  std::uint32_t hash_const = kInitB;
  for (std::size_t i = 0; i < n_words; ++i) {
    std::uint32_t value = pool[i % pool.size()];
    value ^= hash_const;
    hash_const *= kMultB;
    value *= hash_const;
    value ^= value >> kXShift;
    state[i] = value;
  }
  return state;
}

std::vector<std::uint32_t> seed_words(std::uint64_t seed) {
  std::vector<std::uint32_t> words{static_cast<std::uint32_t>(seed)};
  if (seed >> 32) words.push_back(static_cast<std::uint32_t>(seed >> 32));
  return words;
}

NumpyGenerator::NumpyGenerator(std::uint64_t seed) : NumpyGenerator(seed_words(seed)) {}

NumpyGenerator::NumpyGenerator(const std::vector<std::uint32_t>& entropy) {
  // PCG64 takes generate_state(4, uint64): 8 words read as little-endian uint64s, the
  // first two the initial state (high, low) and the last two the stream.
  const std::vector<std::uint32_t> w = seed_sequence_state(entropy, 8);
  auto word64 = [&](std::size_t k) { return static_cast<std::uint64_t>(w[2 * k]) | (static_cast<std::uint64_t>(w[2 * k + 1]) << 32); };
  const u128 initial = (static_cast<u128>(word64(0)) << 64) | word64(1);
  const u128 sequence = (static_cast<u128>(word64(2)) << 64) | word64(3);
  // pcg_setseq_128_srandom_r
  increment_ = (sequence << 1u) | 1u;
  state_ = 0;
  state_ = state_ * kMultiplier + increment_;
  state_ += initial;
  state_ = state_ * kMultiplier + increment_;
}

std::uint64_t NumpyGenerator::next_uint64() {
  state_ = state_ * kMultiplier + increment_;
  const auto high = static_cast<std::uint64_t>(state_ >> 64), low = static_cast<std::uint64_t>(state_);
  return rotr64(high ^ low, static_cast<unsigned>(high >> 58u));
}

std::uint32_t NumpyGenerator::next_uint32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  const std::uint64_t next = next_uint64();
  has_uint32_ = true;
  uinteger_ = static_cast<std::uint32_t>(next >> 32);
  return static_cast<std::uint32_t>(next & 0xffffffffu);
}

std::vector<std::int64_t> NumpyGenerator::integers(std::int64_t low, std::int64_t high, std::size_t count) {
  if (low >= high) {
    throw std::invalid_argument("integers: low (" + std::to_string(low) + ") must be below high (" + std::to_string(high) + ")");
  }
  // random_bounded_uint64_fill over the closed range [low, low + rng].
  const std::uint64_t rng = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) - 1;
  std::vector<std::int64_t> out(count);
  for (std::int64_t& x : out) {
    std::uint64_t draw = 0;
    if (rng == 0) {
      draw = 0;
    } else if (rng == 0xFFFFFFFFULL) {
      draw = next_uint32();
    } else if (rng < 0xFFFFFFFFULL) {  // buffered_bounded_lemire_uint32
      const auto rng_excl = static_cast<std::uint32_t>(rng + 1);
      std::uint64_t m = static_cast<std::uint64_t>(next_uint32()) * rng_excl;
      auto leftover = static_cast<std::uint32_t>(m);
      if (leftover < rng_excl) {
        const std::uint32_t threshold = (0xFFFFFFFFu - static_cast<std::uint32_t>(rng)) % rng_excl;
        while (leftover < threshold) {
          m = static_cast<std::uint64_t>(next_uint32()) * rng_excl;
          leftover = static_cast<std::uint32_t>(m);
        }
      }
      draw = m >> 32;
    } else if (rng == ~0ULL) {
      draw = next_uint64();
    } else {  // bounded_lemire_uint64
      const std::uint64_t rng_excl = rng + 1;
      u128 m = static_cast<u128>(next_uint64()) * rng_excl;
      auto leftover = static_cast<std::uint64_t>(m);
      if (leftover < rng_excl) {
        const std::uint64_t threshold = (~0ULL - rng) % rng_excl;
        while (leftover < threshold) {
          m = static_cast<u128>(next_uint64()) * rng_excl;
          leftover = static_cast<std::uint64_t>(m);
        }
      }
      draw = static_cast<std::uint64_t>(m >> 64);
    }
    x = static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + draw);
  }
  return out;
}

std::vector<std::uint8_t> NumpyGenerator::booleans(std::size_t count) {
  // random_bounded_bool_fill: a 32-bit draw gives 32 booleans, lowest bit first.
  std::vector<std::uint8_t> out(count);
  std::uint32_t buffer = 0;
  int left = 0;
  for (std::uint8_t& b : out) {
    if (left == 0) {
      buffer = next_uint32();
      left = 31;
    } else {
      buffer >>= 1;
      --left;
    }
    b = static_cast<std::uint8_t>(buffer & 1u);
  }
  return out;
}

}  // namespace nmtx
