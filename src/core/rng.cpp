#include "nmtx/core/rng.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "nmtx/core/digest.h"

namespace nmtx {

float Rng::uniform() { return static_cast<float>(engine_() >> 40) * 0x1.0p-24f; }

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

float Rng::normal() {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const double u1 = 1.0 - static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
}

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("Rng::below: n must be positive");
  // Rejection sampling: draws above the largest multiple of n would bias small values.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return x % n;
}

std::string Rng::state() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Rng::restore(const std::string& state) {
  std::istringstream in(state);
  in >> engine_;
  if (in.fail()) throw std::invalid_argument("Rng::restore: not a valid mt19937_64 state");
}

std::uint64_t derive_seed(std::uint64_t seed, const std::string& name) {
  // FNV-1a with FNV's 64-bit offset basis short of its last digit (…6603, not …66037):
  // kept, because every derived seed, and so every recorded result, depends on this
  // constant. Any basis hashes as well.
  Fnv1a digest(1469598103934665603ull);
  digest.add(name.data(), name.size());
  const std::uint64_t h = digest.value();
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (h | 1);  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace nmtx
