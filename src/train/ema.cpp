#include "nmtx/train/ema.h"

#include <algorithm>
#include <stdexcept>

namespace nmtx {

namespace {

void check_layout(const ParameterSet& a, const ParameterSet& b) {
  if (a.numel() != b.numel() || a.count() != b.count()) {
    throw std::logic_error("parameter average: the two sets differ in layout");
  }
}

}  // namespace

float ema_decay_at(double decay, std::int64_t step) {
  const double warm_up = (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step));
  return static_cast<float>(std::min(decay, warm_up));
}

void ema_update(const ParameterSet& params, ParameterSet& average, float d) {
  check_layout(params, average);
  const float keep = d, take = 1.0f - d;
  const float* p = params.values();
  float* a = average.values();
  for (std::size_t i = 0; i < params.numel(); ++i) a[i] = keep * a[i] + take * p[i];
}

SwappedValues::SwappedValues(ParameterSet& a, ParameterSet& b) : a_(a), b_(b) {
  check_layout(a, b);
  std::swap_ranges(a.values(), a.values() + a.numel(), b.values());
}

SwappedValues::~SwappedValues() { std::swap_ranges(a_.values(), a_.values() + a_.numel(), b_.values()); }

}  // namespace nmtx
