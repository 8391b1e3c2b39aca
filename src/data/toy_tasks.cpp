#include "nmtx/data/toy_tasks.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "nmtx/core/rng.h"

namespace nmtx {

ToyTask parse_toy_task(const std::string& name) {
  if (name == "copy") return ToyTask::copy;
  if (name == "reverse") return ToyTask::reverse;
  if (name == "sort") return ToyTask::sort;
  if (name == "reorder") return ToyTask::reorder;
  throw std::invalid_argument("unknown toy task \"" + name + "\"; valid: copy, reverse, sort, reorder");
}

const char* toy_task_name(ToyTask task) {
  switch (task) {
    case ToyTask::copy: return "copy";
    case ToyTask::reverse: return "reverse";
    case ToyTask::sort: return "sort";
    case ToyTask::reorder: return "reorder";
  }
  return "?";
}

std::vector<ToyExample> generate_toy(const ToyConfig& c, std::size_t count, std::uint64_t seed) {
  if (c.symbols == 0 || c.min_length == 0 || c.min_length > c.max_length) {
    throw std::invalid_argument("toy task: need symbols > 0 and 1 <= min_length <= max_length");
  }
  Rng rng(seed);
  std::vector<ToyExample> out(count);
  for (ToyExample& ex : out) {
    const std::size_t n = c.min_length + rng.below(c.max_length - c.min_length + 1);
    for (std::size_t i = 0; i < n; ++i) ex.source.push_back(static_cast<int>(rng.below(c.symbols)));
    // order[t] = the source position target position t copies.
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    switch (c.task) {
      case ToyTask::copy: break;
      case ToyTask::reverse: std::reverse(order.begin(), order.end()); break;
      case ToyTask::sort:
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return ex.source[a] < ex.source[b]; });
        break;
      case ToyTask::reorder: std::rotate(order.begin(), order.begin() + n / 3, order.end()); break;
    }
    for (std::size_t t = 0; t < n; ++t) {
      ex.target.push_back(ex.source[order[t]]);
      ex.alignment.emplace_back(order[t], static_cast<int>(t));
    }
  }
  return out;
}

}  // namespace nmtx
