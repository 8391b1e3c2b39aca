#include "nmtx/core/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "nmtx/core/rng.h"

namespace nmtx {

bool GradCheckReport::uses(Op op) const { return std::find(ops.begin(), ops.end(), op) != ops.end(); }

namespace {

// The weights w of L = Σ w ⊙ y: in ±[0.5, 1.5], fixed by the seed and the size.
std::vector<float> reduction_weights(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> w(n);
  for (float& x : w) x = (rng.uniform() < 0.5f ? -1.0f : 1.0f) * rng.uniform(0.5f, 1.5f);
  return w;
}

// L = Σ w y over the finite elements of y (masked log-probabilities are -inf: constants).
double weighted_total(const Expr& y, const std::vector<float>& w) {
  const Tensor v = y.value();
  if (v.size() != w.size()) {
    throw std::logic_error("gradient check: the output changed size between passes");
  }
  double total = 0.0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isfinite(v[i])) total += static_cast<double>(w[i]) * v[i];
  }
  return total;
}

std::vector<float> seed_for(const Expr& y, const std::vector<float>& w) {
  std::vector<float> seed(w);
  const Tensor v = y.value();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) seed[i] = 0.0f;
  }
  return seed;
}

bool close(const GradCheckOptions& o, double a, double b) {
  return std::abs(a - b) <= o.atol + o.rtol * std::max(std::abs(a), std::abs(b));
}

// Compares one element from L(x + h), L(x) and L(x - h), and records a failure line.
void compare(GradCheckReport& report, const GradCheckOptions& o, const std::string& where, double analytic,
             double plus, double base, double minus) {
  const double h = o.step, numeric = (plus - minus) / (2 * h);
  ++report.checked;
  if (close(o, analytic, numeric)) {
    report.max_abs_error = std::max(report.max_abs_error, std::abs(analytic - numeric));
    return;
  }
  const double right = (plus - base) / h, left = (base - minus) / h;
  const bool kink = !close(o, right, left);
  if (kink && (close(o, analytic, right) || close(o, analytic, left))) {
    ++report.nonsmooth;
    return;
  }
  report.max_abs_error = std::max(report.max_abs_error, std::abs(analytic - numeric));
  if (report.ok || std::count(report.failures.begin(), report.failures.end(), '\n') < 20) {
    std::ostringstream line;
    line << where << ": analytic " << analytic << ", numeric " << numeric << "\n";
    report.failures += line.str();
  }
  report.ok = false;
}

std::vector<Op> ops_of(const Graph& g) {
  std::vector<Op> ops;
  for (std::size_t i = 0; i < g.size(); ++i) ops.push_back(g.op_of(static_cast<int>(i)));
  return ops;
}

// Element indices to check in a tensor of n elements: all, or `most` spread evenly.
std::vector<std::size_t> sample(std::size_t n, std::size_t most) {
  std::vector<std::size_t> idx;
  if (n <= most) {
    for (std::size_t i = 0; i < n; ++i) idx.push_back(i);
  } else {
    for (std::size_t k = 0; k < most; ++k) idx.push_back(k * (n - 1) / (most - 1));
  }
  return idx;
}

}  // namespace

GradCheckReport check_gradients(const GradCheckFunction& f, const std::vector<TensorData>& inputs,
                                GradCheckOptions options) {
  GradCheckReport report;
  // Analytic gradients.
  std::vector<std::vector<float>> analytic;
  std::vector<float> w;
  {
    Graph g;
    std::vector<Expr> leaves;
    for (const TensorData& t : inputs) leaves.push_back(g.variable(t));
    const Expr y = f(g, leaves);
    report.ops = ops_of(g);
    w = reduction_weights(y.shape().size(), options.seed);
    std::vector<float> seed = seed_for(y, w);
    g.backward(y, Tensor(seed.data(), y.shape()));
    for (const Expr& leaf : leaves) {
      const Tensor gr = leaf.grad();
      analytic.emplace_back(gr.data(), gr.data() + gr.size());
    }
  }
  // Numeric gradients, one element at a time.
  std::vector<TensorData> x = inputs;
  auto total_at = [&]() {
    Graph g;
    std::vector<Expr> leaves;
    for (const TensorData& t : x) leaves.push_back(g.constant(t));
    return weighted_total(f(g, leaves), w);
  };
  const double h = options.step;
  const double base = total_at();
  for (std::size_t k = 0; k < x.size(); ++k) {
    for (std::size_t i = 0; i < x[k].values.size(); ++i) {
      const float original = x[k].values[i];
      x[k].values[i] = static_cast<float>(original + h);
      const double plus = total_at();
      x[k].values[i] = static_cast<float>(original - h);
      const double minus = total_at();
      x[k].values[i] = original;
      compare(report, options, "input " + std::to_string(k) + " " + x[k].shape.str() + " element " + std::to_string(i),
              analytic[k][i], plus, base, minus);
    }
  }
  return report;
}

GradCheckReport check_parameter_gradients(const GradCheckModel& f, ParameterSet& params, GradCheckOptions options) {
  GradCheckReport report;
  std::vector<float> w;
  params.zero_grad();
  {
    Graph g;
    const Expr y = f(g);
    report.ops = ops_of(g);
    w = reduction_weights(y.shape().size(), options.seed);
    std::vector<float> seed = seed_for(y, w);
    g.backward(y, Tensor(seed.data(), y.shape()));
  }
  const std::vector<float> analytic(params.grads(), params.grads() + params.numel());
  auto total_now = [&]() {
    Graph g;
    NoGradScope no_grad(g);
    return weighted_total(f(g), w);
  };
  const double h = options.step;
  const double base = total_now();
  for (const Parameter& p : params.all()) {
    const Tensor v = p.value();
    for (std::size_t i : sample(v.size(), options.max_elements_per_tensor)) {
      const float original = v[i];
      v[i] = static_cast<float>(original + h);
      const double plus = total_now();
      v[i] = static_cast<float>(original - h);
      const double minus = total_now();
      v[i] = original;
      compare(report, options, p.name() + " " + p.shape().str() + " element " + std::to_string(i),
              analytic[params.offset(p) + i], plus, base, minus);
    }
  }
  return report;
}

}  // namespace nmtx
