#include "nmtx/core/arena.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

namespace nmtx {

namespace {
constexpr std::size_t kAlignFloats = 16;              // 64 bytes: one cache line, one AVX-512 vector
constexpr std::size_t kMinChunkFloats = 1u << 18;     // 1 MiB
std::size_t round_up(std::size_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }
}  // namespace

void Arena::FreeDeleter::operator()(float* p) const { std::free(p); }

namespace {

// Chunks of destroyed arenas, by capacity, for the next arenas to reuse.
struct ChunkPool {
  std::mutex mutex;
  std::multimap<std::size_t, std::unique_ptr<float[], Arena::FreeDeleter>> chunks;
  std::size_t floats = 0;
  static constexpr std::size_t kMaxFloats = std::size_t(1) << 28;  // keep at most 1 GiB
};

ChunkPool& pool() {
  static ChunkPool p;
  return p;
}

}  // namespace

Arena::~Arena() {
  ChunkPool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (Chunk& c : chunks_) {
    if (p.floats + c.capacity > ChunkPool::kMaxFloats) break;  // the rest is freed
    p.floats += c.capacity;
    p.chunks.emplace(c.capacity, std::move(c.data));
  }
}

void Arena::release_pooled() {
  ChunkPool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.chunks.clear();
  p.floats = 0;
}

void Arena::add_chunk(std::size_t min_floats) {
  const std::size_t last = chunks_.empty() ? 0 : chunks_.back().capacity;
  const std::size_t capacity = round_up(std::max({min_floats, kMinChunkFloats, 2 * last}));
  {
    ChunkPool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.chunks.lower_bound(std::max(min_floats, kMinChunkFloats));  // the smallest that fits
    if (it != p.chunks.end()) {
      p.floats -= it->first;
      chunks_.push_back({std::move(it->second), it->first});
      p.chunks.erase(it);
      return;
    }
  }
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

void Arena::rewind(const Mark& m) {
  current_ = m.chunk;
  offset_ = m.offset;
  used_floats_ = m.used_floats;
}

std::size_t Arena::bytes_reserved() const {
  std::size_t n = 0;
  for (const Chunk& c : chunks_) n += c.capacity;
  return n * sizeof(float);
}

}  // namespace nmtx
