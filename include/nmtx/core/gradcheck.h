// Finite-difference gradient checking: the one checker every gradient test uses.
//
// The function under test maps leaves to an output y of any shape. The checker reduces
// y to L = Σ w ⊙ y with fixed, non-uniform weights w (so the upstream gradient is not
// all ones), runs backward seeded with w, and compares each input's analytic gradient
// with central differences (L(x + h) - L(x - h)) / 2h, L summed in double.
// Element k passes when |analytic - numeric| <= atol + rtol · max(|analytic|, |numeric|).
//
// At a kink inside [x - h, x + h] (relu at 0, a maxout pair near a tie) the central
// difference averages two different slopes. So when it disagrees and the one-sided
// slopes (L(x+h) - L(x)) / h and (L(x) - L(x-h)) / h disagree beyond the tolerance, the
// element passes only if the analytic gradient matches one of them; it is counted in
// `nonsmooth`. A wrong gradient (a sign, a factor, another element's) matches neither
// one-sided slope and still fails.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nmtx/core/graph.h"
#include "nmtx/core/op_list.h"
#include "nmtx/core/params.h"

namespace nmtx {

struct GradCheckOptions {
  float step = 1e-2f;     // h; float32 forward passes favour a large step
  double rtol = 1e-2;
  double atol = 1e-3;
  std::uint64_t seed = 7;  // for the weights w
  // For parameter checks: at most this many elements per parameter, spread evenly.
  std::size_t max_elements_per_tensor = 64;
};

struct GradCheckReport {
  bool ok = true;
  std::size_t checked = 0;      // elements compared
  std::size_t nonsmooth = 0;    // of those, passed at a kink by a one-sided slope
  double max_abs_error = 0.0;   // max |analytic - numeric|
  std::string failures;         // one line per failing element (the first 20)
  std::vector<Op> ops;          // ops recorded by one forward pass, in order
  bool uses(Op op) const;
};

// Checks d L / d inputs[k] for every input k. `f` builds the output from the leaves it is
// given (graph variables holding `inputs`).
using GradCheckFunction = std::function<Expr(Graph&, const std::vector<Expr>&)>;
GradCheckReport check_gradients(const GradCheckFunction& f, const std::vector<TensorData>& inputs,
                                GradCheckOptions options = {});

// Checks d L / d p for every parameter p of `params` (a sample of each tensor's elements,
// see options). `f` builds the output from params through g.param(...).
using GradCheckModel = std::function<Expr(Graph&)>;
GradCheckReport check_parameter_gradients(const GradCheckModel& f, ParameterSet& params,
                                          GradCheckOptions options = {});

}  // namespace nmtx
