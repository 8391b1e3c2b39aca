#include "nmtx/core/arena.h"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace nmtx {

namespace {
constexpr std::size_t kAlignFloats = 16;              // 64 bytes: one cache line, one AVX-512 vector
constexpr std::size_t kMinChunkFloats = 1u << 18;     // 1 MiB
std::size_t round_up(std::size_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }
}  // namespace

void Arena::FreeDeleter::operator()(float* p) const { std::free(p); }

void Arena::add_chunk(std::size_t min_floats) {
  const std::size_t last = chunks_.empty() ? 0 : chunks_.back().capacity;
  const std::size_t capacity = round_up(std::max({min_floats, kMinChunkFloats, 2 * last}));
  void* p = std::aligned_alloc(kAlignFloats * sizeof(float), capacity * sizeof(float));
  if (p == nullptr) throw std::bad_alloc();
  chunks_.push_back({std::unique_ptr<float[], FreeDeleter>(static_cast<float*>(p)), capacity});
}

float* Arena::allocate(std::size_t n) {
  const std::size_t need = round_up(std::max<std::size_t>(n, 1));
  while (current_ < chunks_.size() && offset_ + need > chunks_[current_].capacity) {
    used_floats_ += chunks_[current_].capacity - offset_;  // the unusable tail
    ++current_;
    offset_ = 0;
  }
  if (current_ == chunks_.size()) add_chunk(need);
  float* p = chunks_[current_].data.get() + offset_;
  offset_ += need;
  used_floats_ += need;
  return p;
}

void Arena::clear() {
  if (chunks_.size() > 1 && current_ > 0) {
    // The last round overflowed the first chunk: next time, one chunk for everything.
    const std::size_t total = bytes_reserved() / sizeof(float);
    chunks_.clear();
    add_chunk(total);
  }
  current_ = 0;
  offset_ = 0;
  used_floats_ = 0;
}

std::size_t Arena::bytes_reserved() const {
  std::size_t n = 0;
  for (const Chunk& c : chunks_) n += c.capacity;
  return n * sizeof(float);
}

}  // namespace nmtx
