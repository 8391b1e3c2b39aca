// Rng: the one source of randomness (initialisation, dropout, shuffling). Seeded
// explicitly; std::mt19937_64 is specified bit for bit by the C++ standard and the
// conversions to floats are our own, so a seed means the same numbers everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace nmtx {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next_u64() { return engine_(); }
  float uniform();                     // [0, 1), 24 random bits
  float uniform(float lo, float hi);   // [lo, hi)
  float normal();                      // N(0, 1), Box-Muller
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), unbiased

  // The full engine state as text, for checkpoints; restore() reproduces the stream.
  std::string state() const;
  void restore(const std::string& state);

 private:
  std::mt19937_64 engine_;
};

// A seed derived from a parent seed and a name (FNV-1a mixed by splitmix64), so that
// e.g. each parameter's initialisation does not depend on the others.
std::uint64_t derive_seed(std::uint64_t seed, const std::string& name);

}  // namespace nmtx
