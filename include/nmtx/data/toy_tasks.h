// Synthetic translation tasks with gold word alignments, generated from a seed. Symbols
// are integers 0 .. symbols-1; an alignment link (s, t) says target position t came from
// source position s (0-based, Pharaoh's src-tgt order).
//   copy     y = x                                   links (i, i)
//   reverse  y = x reversed                          links (i, n-1-i)
//   sort     y = x sorted ascending (stable)         equal symbols keep their source order
//   reorder  y = x[k:] + x[:k] with k = ⌊n/3⌋: the first third moves to the end, so
//            alignments jump by up to n - k, farther than a small local window
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nmtx {

enum class ToyTask { copy, reverse, sort, reorder };
ToyTask parse_toy_task(const std::string& name);  // throws, listing the valid names
const char* toy_task_name(ToyTask task);

struct ToyExample {
  std::vector<int> source, target;
  std::vector<std::pair<int, int>> alignment;  // (source position, target position), by target position
};

struct ToyConfig {
  ToyTask task = ToyTask::reverse;
  std::size_t symbols = 50;
  std::size_t min_length = 1, max_length = 25;
};

std::vector<ToyExample> generate_toy(const ToyConfig& config, std::size_t count, std::uint64_t seed);

}  // namespace nmtx
