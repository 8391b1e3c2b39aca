// Packed weights for inference with small products (decoding).
//
// sgemm packs both operands into its own panel layout on every call; decoding multiplies
// 32..64 rows by the same weights at every step, where packing the weight costs about as
// much as the product (docs/benchmarks.md). While a PackedWeightsScope lives, products
// with a parameter made on the same thread, in graphs without gradients (NoGradScope),
// use a copy of the weight packed once (src/core/packed_gemm.h) and a register-tiled
// kernel instead.
//
//   PackedWeightsScope packed;   // one per decoding thread
//   Graph g;
//   NoGradScope no_grad(g);
//   ... model.step(g, ...) ...   // products with parameters use the packed copies
//
// The parameters must not change while the scope lives. Scopes nest: the innermost one on
// a thread is in force. Graphs with gradients on are never affected.
#pragma once

#include <memory>

namespace nmtx {

class WeightPacks;

class PackedWeightsScope {
 public:
  PackedWeightsScope();
  ~PackedWeightsScope();
  // Whether a scope is in force on this thread: decoding a batch opens its own unless the
  // caller keeps one over all its batches (decode_in_batches), packing each weight once.
  static bool in_force();
  PackedWeightsScope(const PackedWeightsScope&) = delete;
  PackedWeightsScope& operator=(const PackedWeightsScope&) = delete;

 private:
  std::unique_ptr<WeightPacks> packs_;
  WeightPacks* previous_;
};

}  // namespace nmtx
