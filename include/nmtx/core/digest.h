// A 64-bit FNV-1a digest: tells whether two byte strings (a parameter set on two ranks, an
// executable, a SentencePiece model) are the same. Fast and stable across machines; not a
// cryptographic hash, so it guards against accidents, not against an adversary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nmtx {

class Fnv1a {
 public:
  static constexpr std::uint64_t kOffsetBasis = 14695981039346656037ull;

  Fnv1a() = default;
  explicit Fnv1a(std::uint64_t basis) : h_(basis) {}  // derive_seed's historical basis
  void add(const void* bytes, std::size_t n);
  std::uint64_t value() const { return h_; }
  std::string hex() const;  // 16 lower-case hex digits

 private:
  std::uint64_t h_ = kOffsetBasis;
};

// The digest of a file's bytes as 16 hex digits; throws std::runtime_error naming the file
// if it cannot be read.
std::string file_digest(const std::string& path);

}  // namespace nmtx
