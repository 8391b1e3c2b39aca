// Arena: the bump allocator behind a graph's values and gradients. Allocation is a
// pointer increment; clear() keeps the memory, so a training loop that builds a graph
// of the same size every step stops allocating after its first step. A destroyed
// arena's chunks go to a process-wide pool that new arenas draw from, so code that
// builds a fresh graph per call (decoding) does not map and fault in new pages each time.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace nmtx {

class Arena {
 public:
  Arena() = default;
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // n floats, 64-byte aligned, uninitialised; valid until clear().
  float* allocate(std::size_t n);
  // Forgets every allocation. If the last round needed several chunks, they are
  // replaced by one chunk big enough for all of them.
  void clear();

  // Where the next allocation goes: rewind() to it forgets every allocation made since
  // and keeps the memory (an inference loop reusing one step's memory for the next).
  struct Mark {
    std::size_t chunk = 0, offset = 0, used_floats = 0;
  };
  Mark mark() const { return {current_, offset_, used_floats_}; }
  void rewind(const Mark& m);

  // Frees the chunks the pool keeps (a trainer calls it after validation, so that the
  // decoding's memory is not held through the training steps that follow).
  static void release_pooled();

  std::size_t bytes_in_use() const { return used_floats_ * sizeof(float); }
  std::size_t bytes_reserved() const;

  struct FreeDeleter {
    void operator()(float* p) const;
  };

 private:
  struct Chunk {
    std::unique_ptr<float[], FreeDeleter> data;
    std::size_t capacity = 0;  // floats
  };
  void add_chunk(std::size_t min_floats);

  std::vector<Chunk> chunks_;
  std::size_t current_ = 0;      // chunk being filled
  std::size_t offset_ = 0;       // floats used in the current chunk
  std::size_t used_floats_ = 0;  // floats handed out since clear(), padding included
};

}  // namespace nmtx
