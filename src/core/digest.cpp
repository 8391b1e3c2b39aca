#include "nmtx/core/digest.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace nmtx {

void Fnv1a::add(const void* bytes, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;  // the 64-bit prime
}

std::string Fnv1a::hex() const { return fmt::format("{:016x}", h_); }

std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", path));
  Fnv1a digest;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    digest.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read error", path));
  return digest.hex();
}

}  // namespace nmtx
